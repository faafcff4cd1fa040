"""Screenshots of every main page in English, Japanese and side by side, at desktop and phone
widths, saved under ``test-artifacts/screenshots/`` for people to look at. Each page must also
render without a horizontal scroll bar at phone width and without script errors."""

from typing import Any

import pytest

from tests.browser.conftest import new_page, shoot, sign_in

EVENT = "bridge-ctf"
PARTICIPANT_PAGES = {
    "home": "/",
    "event": f"/events/{EVENT}/",
    "board": f"/events/{EVENT}/challenges/",
    "scoreboard": f"/events/{EVENT}/scoreboard/",
    "scoreboard-mixed": f"/events/{EVENT}/scoreboard/?bracket=mixed",
    "profile": "/accounts/profile/",
    "organisations": "/organisations/",
}
ORGANISER_PAGES = {
    "manage-dashboard": f"/events/{EVENT}/manage/",
    "manage-settings": f"/events/{EVENT}/manage/settings/",
    "manage-new-challenge": f"/events/{EVENT}/manage/challenges/new/",
    "manage-participants": f"/events/{EVENT}/manage/participants/",
    "manage-submissions": f"/events/{EVENT}/manage/submissions/",
    "manage-awards": f"/events/{EVENT}/manage/awards/",
    "manage-announcements": f"/events/{EVENT}/manage/announcements/",
    "judge": f"/events/{EVENT}/judge/",
}


def switch(page: Any, server: str, mode: str) -> None:
    page.goto(f"{server}/")
    page.click(f".language-switcher button[value={mode}]")
    page.wait_for_load_state("networkidle")


def capture(page: Any, server: str, pages: dict[str, str], mode: str, errors: list[str]) -> None:
    for name, path in pages.items():
        for width, label in ((1280, "desktop"), (375, "phone")):
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(f"{server}{path}")
            page.wait_for_load_state("networkidle")
            assert page.get_attribute("html", "data-display") == mode
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 1, f"{name} scrolls sideways at {width}px in {mode}"
            shoot(page, f"{name}-{mode}-{label}")
    assert errors == [], errors


@pytest.mark.parametrize("mode", ["en", "ja", "both"])
def test_participant_pages(server: str, browser: Any, mode: str) -> None:
    page = new_page(browser, language="ja" if mode == "ja" else "en")
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, server, "owen")
    switch(page, server, mode)
    challenge = page.goto(f"{server}/events/{EVENT}/challenges/")
    assert challenge is not None
    first = page.locator("main a[href*='/challenges/']").first.get_attribute("href")
    team = None
    page.goto(f"{server}/events/{EVENT}/scoreboard/")
    team = page.locator("[data-scoreboard] a[data-team]").first.get_attribute("href")
    pages = {**PARTICIPANT_PAGES, "challenge": str(first), "team": str(team), "user": "/users/owen/"}
    capture(page, server, pages, mode, errors)
    switch(page, server, "en")
    page.context.close()


@pytest.mark.parametrize("mode", ["en", "ja", "both"])
def test_organiser_pages(server: str, browser: Any, mode: str) -> None:
    page = new_page(browser, language="ja" if mode == "ja" else "en")
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, server, "organiser")
    switch(page, server, mode)
    page.goto(f"{server}/events/{EVENT}/manage/")
    editor = page.locator("main a[href*='/manage/challenges/']:not([href$='/new/'])").first.get_attribute("href")
    capture(page, server, {**ORGANISER_PAGES, "manage-challenge": str(editor)}, mode, errors)
    switch(page, server, "both")
    page.context.close()
