// Organiser and judge pages: small enhancements. Every form and page works without them.
// Interface text comes from the server, in data attributes on the page (data-text-*, data-confirm).

const root = document.querySelector(".manage");
document.documentElement.classList.add("js");

// --- Ask before destructive actions ---------------------------------------------------------
document.addEventListener("submit", (event) => {
  const button = event.submitter;
  const message = button && button.dataset.confirm;
  if (message && !window.confirm(message)) {
    event.preventDefault();
  }
});

// --- Fields that only matter for some choices (data-show-when="field=value1,value2") ----------
for (const wrapper of document.querySelectorAll("[data-show-when]")) {
  const [name, values] = wrapper.dataset.showWhen.split("=");
  const wanted = values.split(",");
  const form = wrapper.closest("form");
  const control = form && form.elements.namedItem(name);
  if (!control) continue;
  const update = () => {
    // A field with an error stays visible, whatever the choice.
    const hasError = wrapper.querySelector(".has-error") !== null;
    wrapper.hidden = !hasError && !wanted.includes(control.value);
  };
  control.addEventListener("change", update);
  update();
}

// --- Live Markdown preview ------------------------------------------------------------------
function debounce(fn, wait) {
  let timer = 0;
  return (...args) => {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => fn(...args), wait);
  };
}

for (const form of document.querySelectorAll("form[data-preview-url]")) {
  const url = form.dataset.previewUrl;
  const token = form.querySelector('input[name="csrfmiddlewaretoken"]');
  for (const source of form.querySelectorAll("[data-preview-source]")) {
    const textarea = source.querySelector("textarea");
    const target = document.getElementById(source.dataset.previewSource);
    if (!textarea || !target) continue;
    let latest = 0;
    const render = debounce(async () => {
      const ticket = ++latest;
      const body = new FormData();
      body.append("text", textarea.value);
      if (token) body.append("csrfmiddlewaretoken", token.value);
      try {
        const response = await fetch(url, {
          method: "POST",
          body,
          credentials: "same-origin",
          headers: { "X-CSRFToken": token ? token.value : "", Accept: "application/json" },
        });
        const data = await response.json();
        if (ticket !== latest) return; // a newer preview is on its way
        if (!response.ok) throw new Error(data.message || String(response.status));
        target.innerHTML = data.html; // sanitised on the server (nh3 allow-list)
        target.removeAttribute("data-preview-error");
      } catch (error) {
        if (ticket !== latest) return;
        target.setAttribute("data-preview-error", root?.dataset.textPreviewFailed || "");
      }
    }, 400);
    textarea.addEventListener("input", render);
  }
}

// --- Live figures over Server-Sent Events ---------------------------------------------------
// On a solve or a scoreboard change the page fetches itself again and swaps the marked regions.
function startLive(element) {
  const url = element.dataset.liveStream;
  const kinds = (element.dataset.liveKinds || "").split(/\s+/).filter(Boolean);
  const status = element.querySelector("[data-live-status]");
  let busy = false;
  let again = false;

  const say = (text, ok) => {
    if (!status) return;
    status.hidden = false;
    status.textContent = text;
    status.classList.toggle("live-off", !ok);
  };

  const refresh = async () => {
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    try {
      const response = await fetch(window.location.href, {
        credentials: "same-origin",
        headers: { Accept: "text/html" },
      });
      if (!response.ok) return;
      const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
      for (const region of document.querySelectorAll("[data-live-region]")) {
        const replacement = fresh.querySelector(`[data-live-region="${region.dataset.liveRegion}"]`);
        if (replacement && !region.contains(document.activeElement)) {
          region.innerHTML = replacement.innerHTML;
        }
      }
    } finally {
      busy = false;
      if (again) {
        again = false;
        window.setTimeout(refresh, 1000);
      }
    }
  };
  const soon = debounce(refresh, 1500);

  if ("EventSource" in window) {
    const source = new EventSource(url, { withCredentials: true });
    source.addEventListener("open", () => say(element.dataset.textLiveOn, true));
    source.addEventListener("error", () => say(element.dataset.textLiveOff, false));
    for (const kind of kinds) source.addEventListener(kind, soon);
    window.addEventListener("pagehide", () => source.close());
  }
  // Wrong flags are not pushed; pages that show them also look again now and then.
  const every = Number(element.dataset.livePoll || 0);
  if (every > 0) {
    window.setInterval(() => {
      if (document.visibilityState === "visible") refresh();
    }, every * 1000);
  }
}

if (root && root.dataset.liveStream) {
  startLive(root);
}
