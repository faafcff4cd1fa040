"""The hostile-input corpus in a real browser: the main pages show every authored field carrying
it, in both languages, and nothing runs — no dialog, no ``window.__xss`` — and the browser reports
no Content-Security-Policy violation on any page (the site itself needs nothing the policy forbids).

Runs after the journeys (file order): the corpus event is added to the shared demo server."""

import json
import subprocess
import sys
from typing import Any

import pytest

from tests.browser.conftest import ROOT, new_page, set_display, sign_in
from tests.security.markup import MARKER
from tests.security.world import PASSWORD

SLUG = "xss-corpus"
BUILD = f"""
import json
from tests.security.markup import load_corpus
from tests.security.world import build_world
world = build_world(load_corpus(), slug="{SLUG}")
print("WORLD" + json.dumps({{
    "organiser": world.organiser.username,
    "players": [user.username for user in world.players],
    "teams": [team.pk for team in world.teams],
    "challenges": [challenge.pk for challenge in world.challenges],
    "pages": world.page_routes,
}}))
"""

# Reports every violation to the page itself; init scripts are not subject to the page's policy.
WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`);
});
"""


@pytest.fixture(scope="module")
def corpus(server: str, server_env: dict[str, str]) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, "-m", "kakehashi", "shell", "-c", BUILD],
        cwd=ROOT,
        env=server_env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    line = next(line for line in result.stdout.splitlines() if line.startswith("WORLD"))
    built: dict[str, Any] = json.loads(line.removeprefix("WORLD"))
    return built


def watched_page(browser: Any, server: str, language: str) -> tuple[Any, list[str]]:
    page = new_page(browser, language="ja" if language == "ja" else "en")
    if language == "both":
        set_display(page, server, "both")
    dialogs: list[str] = []

    def dismiss(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    page.add_init_script(WATCH)
    return page, dialogs


def visit(page: Any, dialogs: list[str], url: str, *, marked: bool = True) -> list[str]:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(150)  # let autofocus, animations and image errors fire
    problems = [f"{url}: dialog {message!r}" for message in dialogs]
    dialogs.clear()
    if page.evaluate("typeof window.__xss") != "undefined":
        problems.append(f"{url}: a payload ran")
    problems += [f"{url}: {violation}" for violation in page.evaluate("window.__violations")]
    if marked and MARKER not in page.content():
        problems.append(f"{url}: no hostile field shown")
    return problems


@pytest.mark.parametrize("language", ["both", "ja"])
def test_nothing_from_the_corpus_runs(server: str, browser: Any, corpus: dict[str, Any], language: str) -> None:
    base = f"{server}/events/{SLUG}"
    problems: list[str] = []
    page, dialogs = watched_page(browser, server, language)
    for path in ["/", "/organisations/"]:
        problems += visit(page, dialogs, server + path)
    for path in ["/", "/scoreboard/", *(f"/pages/{route}/" for route in corpus["pages"])]:
        problems += visit(page, dialogs, base + path)
    for team in corpus["teams"][:3]:
        problems += visit(page, dialogs, f"{base}/teams/{team}/")
    problems += visit(page, dialogs, f"{server}/users/{corpus['players'][0]}/")

    sign_in(page, server, corpus["players"][0], PASSWORD)
    problems += visit(page, dialogs, f"{base}/challenges/")
    problems += visit(page, dialogs, f"{base}/challenges/{corpus['challenges'][0]}/")
    page.context.close()

    staff, staff_dialogs = watched_page(browser, server, language)
    sign_in(staff, server, corpus["organiser"], PASSWORD)
    for path in ["/manage/", "/manage/announcements/", "/manage/participants/", "/judge/"]:
        problems += visit(staff, staff_dialogs, base + path)
    for challenge in corpus["challenges"][:3]:
        problems += visit(staff, staff_dialogs, f"{base}/manage/challenges/{challenge}/")
    staff.context.close()
    assert problems == []


def test_the_demo_pages_cause_no_policy_violation(server: str, browser: Any) -> None:
    page, dialogs = watched_page(browser, server, "en")
    event = f"{server}/events/bridge-ctf"
    problems: list[str] = []
    for url in [f"{server}/", f"{server}/organisations/", f"{event}/", f"{event}/scoreboard/", f"{server}/api/docs"]:
        problems += visit(page, dialogs, url, marked=False)
    sign_in(page, server, "organiser")
    for url in [f"{event}/manage/", f"{event}/judge/", f"{event}/challenges/", f"{server}/accounts/tokens/"]:
        problems += visit(page, dialogs, url, marked=False)
    page.context.close()
    assert problems == []


def test_the_policy_blocks_script_injected_into_a_page(server: str, browser: Any) -> None:
    """The watch above sees violations at all: a script element added at run time is refused."""
    page, dialogs = watched_page(browser, server, "en")
    page.goto(f"{server}/")
    page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.__xss = 1";
          document.body.append(script);
          const image = document.createElement("img");
          image.setAttribute("onerror", "window.__xss = 2");
          image.src = "/no-such-image.png";
          document.body.append(image);
        }"""
    )
    page.wait_for_timeout(500)
    assert page.evaluate("typeof window.__xss") == "undefined"
    violations = page.evaluate("window.__violations")
    assert any(violation.startswith("script-src") for violation in violations), violations
    assert dialogs == []
    page.context.close()
