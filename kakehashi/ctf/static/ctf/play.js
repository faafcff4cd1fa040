// Participant pages: countdowns, confirmation dialogs, flag submission and live updates.
// Progressive enhancement only: every form posts to the server and every page is complete without
// this module. Interface text comes from the server (the JSON block "play-strings" and data-
// attributes), never from here.

const strings = readStrings();
const language = document.documentElement.lang || "en";

function readStrings() {
  const node = document.getElementById("play-strings");
  if (!node) return {};
  try {
    return JSON.parse(node.textContent || "{}");
  } catch {
    return {};
  }
}

/** Fill a gettext template: "%(name)s" → values.name. */
function format(template, values) {
  return String(template || "").replace(/%\((\w+)\)[sd]/g, (match, name) => (name in values ? String(values[name]) : match));
}

function plural(forms, count, values) {
  if (!forms) return "";
  return format(count === 1 ? forms.one : forms.other, values);
}

function debounce(fn, wait) {
  let timer = 0;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), wait);
  };
}

function say(text) {
  const region = document.querySelector("[data-live-status]");
  if (region) region.textContent = text;
}

// --- countdowns -----------------------------------------------------------------------------

const pad = (n) => String(n).padStart(2, "0");

function duration(ms) {
  let seconds = Math.max(0, Math.floor(ms / 1000));
  const days = Math.floor(seconds / 86400);
  seconds %= 86400;
  const clock = `${pad(Math.floor(seconds / 3600))}:${pad(Math.floor((seconds % 3600) / 60))}:${pad(seconds % 60)}`;
  if (!days) return clock;
  let dayText = `${days}d`;
  try {
    dayText = new Intl.NumberFormat(language, { style: "unit", unit: "day", unitDisplay: "long" }).format(days);
  } catch {
    // an old browser: the short form above
  }
  return `${dayText} ${clock}`;
}

function startCountdowns() {
  const timers = [...document.querySelectorAll("[data-countdown]")];
  if (!timers.length) return;
  const serverNow = Date.parse(timers[0].dataset.now || "");
  const offset = Number.isNaN(serverNow) ? 0 : serverNow - Date.now();
  let reloading = false;
  const tick = () => {
    const now = Date.now() + offset;
    for (const timer of timers) {
      const starts = Date.parse(timer.dataset.starts);
      const ends = Date.parse(timer.dataset.ends);
      if (now >= ends) {
        timer.hidden = true;
        continue;
      }
      const text = now < starts
        ? format(timer.dataset.labelStart, { time: duration(starts - now) })
        : format(timer.dataset.labelEnd, { time: duration(ends - now) });
      if (timer.textContent !== text) timer.textContent = text;
      if (now >= starts && "reloadAtStart" in timer.dataset && !reloading) {
        reloading = true;
        setTimeout(() => window.location.reload(), 1500);
      }
    }
  };
  tick();
  setInterval(tick, 1000);
}

// --- confirmation dialogs: a link to a confirmation page becomes a <dialog> ------------------------

function enableDialogs(root = document) {
  for (const trigger of root.querySelectorAll("[data-dialog]")) {
    const dialog = document.getElementById(trigger.dataset.dialog);
    if (!dialog || typeof dialog.showModal !== "function") continue;
    trigger.addEventListener("click", (event) => {
      event.preventDefault();
      dialog.showModal();
    });
    for (const close of dialog.querySelectorAll("[data-dialog-close]")) {
      close.addEventListener("click", () => dialog.close());
    }
  }
}

// --- flag submission through the JSON API ---------------------------------------------------------

function enableFlagForms() {
  for (const form of document.querySelectorAll("form[data-attempt-url]")) {
    const input = form.querySelector('input[name="flag"]');
    const button = form.querySelector('button[type="submit"]');
    const feedback = form.querySelector(".feedback");
    const retry = form.querySelector("[data-retry]");
    const attempts = form.querySelector("[data-attempts-left]");
    let waitUntil = 0;

    const show = (text, kind) => {
      feedback.textContent = text;
      feedback.className = `feedback ${kind || ""}`.trim();
    };

    const wait = (seconds) => {
      waitUntil = Date.now() + seconds * 1000;
      button.disabled = true;
      retry.hidden = false;
      const tick = () => {
        const left = Math.ceil((waitUntil - Date.now()) / 1000);
        if (left <= 0) {
          retry.hidden = true;
          button.disabled = false;
          show(strings.ready || "", "");
          return;
        }
        retry.textContent = plural(strings.retry, left, { seconds: left });
        setTimeout(tick, 250);
      };
      tick();
    };

    const solved = () => {
      for (const badge of document.querySelectorAll("[data-solved-badge]")) badge.hidden = false;
      for (const part of form.querySelectorAll("label, .inline-field, [data-attempts-left], [data-retry]")) part.hidden = true;
      feedback.focus();
    };

    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (button.disabled) return;
      if (!input.value.trim()) {
        input.focus();
        return;
      }
      const token = form.querySelector('input[name="csrfmiddlewaretoken"]')?.value || "";
      button.disabled = true;
      show(strings.checking || "", "");
      let response;
      let body;
      try {
        response = await fetch(form.dataset.attemptUrl, {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": token },
          body: JSON.stringify({ flag: input.value }),
        });
        body = await response.json();
      } catch {
        button.disabled = false;
        show(strings.network_error || "", "error");
        return;
      }
      button.disabled = false;
      const result = body.result || body.code;
      let message = body.message || "";
      if (result === "correct" && body.blood && strings.blood_done) message = `${message} ${strings.blood_done[String(body.blood)]}`;
      show(message, result === "correct" || result === "already_solved" ? "ok" : "error");
      if (result === "correct" || result === "already_solved") {
        solved();
      } else if (result === "rate_limited") {
        wait(Number(body.retry_after) || 1);
      } else if (result === "attempts_exhausted") {
        button.disabled = true;
      } else if (result === "incorrect") {
        if (attempts) {
          const left = Math.max(0, Number(attempts.dataset.attemptsLeft) - 1);
          attempts.dataset.attemptsLeft = String(left);
          attempts.textContent = plural(strings.attempts, left, { left, max: attempts.dataset.attemptsMax });
          if (left === 0) button.disabled = true;
        }
        input.select();
      }
    });
  }
}

// --- live updates over Server-Sent Events -----------------------------------------------------------

/** Fetch this page again and swap in fresh server-rendered regions (same ids). */
async function refreshRegions(ids) {
  let html;
  try {
    const response = await fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } });
    if (!response.ok) return false;
    html = await response.text();
  } catch {
    return false;
  }
  const fresh = new DOMParser().parseFromString(html, "text/html");
  for (const id of ids) {
    const current = document.getElementById(id);
    const replacement = fresh.getElementById(id);
    if (!current || !replacement) continue;
    const focusedId = current.contains(document.activeElement) ? document.activeElement.id : "";
    current.replaceWith(document.importNode(replacement, true));
    if (focusedId) document.getElementById(focusedId)?.focus();
  }
  return true;
}

function pick(texts, field) {
  const rows = texts || {};
  const row = rows[strings.language] || rows.en || Object.values(rows)[0] || {};
  return row[field] || "";
}

function titleOf(titles) {
  const rows = titles || {};
  const first = rows[strings.language] || rows.en || Object.values(rows)[0] || "";
  const second = strings.both ? rows[strings.other_language] : "";
  return second && second !== first ? `${first} / ${second}` : first;
}

function onAnnouncement(data) {
  if (!document.getElementById("announcements")) return;
  refreshRegions(["announcements"]).then(() => {
    document.getElementById(`announcement-${data.id}`)?.classList.add("is-new");
    say(format(strings.new_announcement, { title: pick(data.texts, "title") }));
  });
}

function onSolve(data) {
  const feed = document.querySelector("[data-solve-feed]");
  if (feed) {
    const item = document.createElement("li");
    item.className = "is-new";
    const time = document.createElement("time");
    const at = new Date(data.at);
    time.dateTime = data.at;
    try {
      time.textContent = new Intl.DateTimeFormat(language, { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: strings.zone }).format(at);
    } catch {
      time.textContent = `${pad(at.getHours())}:${pad(at.getMinutes())}`;
    }
    const text = document.createElement("span");
    text.textContent = format(strings.solved, { team: data.team, challenge: titleOf(data.titles) });
    item.append(time, " ", text);
    if (data.blood && strings.blood) {
      const badge = document.createElement("span");
      badge.className = `badge blood blood-${data.blood}`;
      badge.textContent = strings.blood[String(data.blood)];
      item.append(" ", badge);
    }
    feed.prepend(item);
    const max = Number(feed.dataset.max) || 15;
    while (feed.children.length > max) feed.lastElementChild.remove();
    const empty = document.querySelector("[data-feed-empty]");
    if (empty) empty.hidden = true;
  }
  const root = document.querySelector("[data-own-team]");
  if (document.getElementById("board") && root && String(data.team_id) === root.dataset.ownTeam) refreshBoard();
}

const refreshBoard = debounce(() => {
  refreshRegions(["board"]).then((done) => done && say(strings.board_updated || ""));
}, 1500);

function scoreRow(entry, table) {
  const own = String(entry.team_id) === table.dataset.ownTeam;
  const row = document.createElement("tr");
  if (own) row.className = "own";
  const rank = document.createElement("td");
  rank.className = "num";
  rank.textContent = entry.position;
  const team = document.createElement("th");
  team.scope = "row";
  const link = document.createElement("a");
  link.href = table.dataset.teamUrl.replace(/\/0\/$/, `/${entry.team_id}/`);
  link.dataset.team = entry.team_id;
  link.textContent = entry.name;
  team.append(link);
  if (own) {
    const badge = document.createElement("span");
    badge.className = "badge own-badge";
    badge.textContent = strings.own_team || "";
    team.append(" ", badge);
  }
  const bracket = document.createElement("span");
  bracket.className = "bracket muted small";
  bracket.textContent = (strings.brackets || {})[entry.country_bracket] || "";
  team.append(" ", bracket);
  const solves = document.createElement("td");
  solves.className = "num";
  solves.textContent = entry.solves;
  const score = document.createElement("td");
  score.className = "num score";
  score.textContent = entry.score;
  row.append(rank, team, solves, score);
  return row;
}

const refreshScoreboard = debounce(async () => {
  const table = document.querySelector("[data-scoreboard]");
  if (!table) return;
  let data;
  try {
    const response = await fetch(table.dataset.api, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (!response.ok) return;
    data = await response.json();
  } catch {
    return;
  }
  if (Number(data.version) < Number(table.dataset.version)) return;
  const body = table.tBodies[0];
  const focusedTeam = body.contains(document.activeElement) ? document.activeElement.dataset.team : "";
  if (data.entries.length) body.replaceChildren(...data.entries.map((entry) => scoreRow(entry, table)));
  table.dataset.version = String(data.version);
  if (focusedTeam) body.querySelector(`a[data-team="${focusedTeam}"]`)?.focus();
  await refreshRegions(["score-chart"]);
  say(strings.scoreboard_updated || "");
}, 1000);

function connect() {
  const root = document.querySelector("[data-stream-url]");
  if (!root || !("EventSource" in window)) return;
  const source = new EventSource(root.dataset.streamUrl);
  const on = (kind, handler) => source.addEventListener(kind, (event) => {
    try {
      handler(JSON.parse(event.data));
    } catch {
      // a malformed message: ignore it, the next one will do
    }
  });
  on("announcement", onAnnouncement);
  on("solve", onSolve);
  on("scoreboard", (data) => {
    const table = document.querySelector("[data-scoreboard]");
    if (table && Number(data.version) > Number(table.dataset.version)) refreshScoreboard();
  });
  on("board", () => {
    if (document.getElementById("board")) refreshBoard();
  });
  window.addEventListener("pagehide", () => source.close());
}

startCountdowns();
enableDialogs();
enableFlagForms();
connect();
