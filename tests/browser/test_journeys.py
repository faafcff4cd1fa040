"""The main journeys, in English and in Japanese, in a real browser against the demo server:
register and confirm by mail → create or join a team → open a challenge → unlock a hint → a wrong then a right flag →
the scoreboard and solve feed update without reloading; an organiser authors and publishes a
bilingual challenge and posts an announcement that a participant sees arrive live."""

import re
from typing import Any

import pytest

from tests.browser.conftest import confirmation_link, new_page, shoot, sign_in

EVENT = "bridge-ctf"
WELCOME_FLAG = "bridge{yoroshiku_onegaishimasu}"
FLAG = "bridge{dns_3xf1l_1n_sm4ll_b1t3s}"

TEXTS = {
    "en": {
        "welcome": "Welcome Aboard",
        "title": "Tidewater 1: Odd Queries",
        "wrong": "not the flag",
        "right": "Correct",
        "country": "GB",
    },
    "ja": {
        "welcome": "ようこそ",
        "title": "Tidewater 1: 不審なクエリ",
        "wrong": "フラグが違います",
        "right": "正解",
        "country": "JP",
    },
}


def register(page: Any, server: str, server_env: dict[str, str], username: str, country: str) -> None:
    """Signs up, then follows the link of the confirmation mail and presses its button."""
    page.goto(f"{server}/accounts/register/")
    page.fill("input[name=username]", username)
    page.fill("input[name=display_name]", username.title())
    page.fill("input[name=email]", f"{username}@example.org")
    page.fill("input[name=password1]", "journey-bridge-2026")
    page.fill("input[name=password2]", "journey-bridge-2026")
    page.select_option("select[name=country]", country)
    page.click("main form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator("input[name=password1]").count() == 0, page.inner_text("main")  # "check your e-mail"
    page.goto(confirmation_link(server_env, f"{username}@example.org"))
    page.click("main form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "/accounts/register/" not in page.url, page.inner_text("main")


def submit_flag(page: Any, flag: str, expected: str) -> None:
    page.fill("#flag-input", flag)
    page.click(".flag-form button[type=submit]")
    page.wait_for_function(
        "([selector, text]) => document.querySelector(selector).textContent.includes(text)",
        arg=["#flag-feedback", expected],
    )


@pytest.mark.parametrize("language", ["en", "ja"])
def test_participant_journey(server: str, server_env: dict[str, str], browser: Any, language: str) -> None:
    texts = TEXTS[language]
    page = new_page(browser, language=language)
    username = f"journey_{language}"
    register(page, server, server_env, username, texts["country"])

    page.goto(f"{server}/events/{EVENT}/")
    page.click(f"form[action='/events/{EVENT}/register/'] button[type=submit]")
    page.wait_for_load_state("networkidle")
    page.fill(f"form[action='/events/{EVENT}/team/create/'] input[name=name]", f"Journey {language}")
    page.click(f"form[action='/events/{EVENT}/team/create/'] button[type=submit]")
    page.wait_for_load_state("networkidle")
    shoot(page, f"journey-{language}-event")

    # Someone else watches the scoreboard: it must change without being reloaded.
    watcher = new_page(browser, language=language)
    watcher.goto(f"{server}/events/{EVENT}/scoreboard/")
    watcher.wait_for_selector("[data-scoreboard]")
    watcher.wait_for_timeout(500)  # let the live connection open
    assert f"Journey {language}" not in watcher.inner_text("[data-scoreboard]")

    # The welcome challenge gives the team its first points.
    page.goto(f"{server}/events/{EVENT}/challenges/")
    shoot(page, f"journey-{language}-board")
    page.click(f"text={texts['welcome']}")
    page.wait_for_load_state("networkidle")
    submit_flag(page, WELCOME_FLAG, texts["right"])

    page.goto(f"{server}/events/{EVENT}/challenges/")
    page.click(f"text={texts['title']}")
    page.wait_for_load_state("networkidle")
    assert texts["title"] in page.inner_text("h1")

    # A hint that costs points: the cost is confirmed first.
    page.click("section[aria-labelledby=hints-heading] [data-dialog]")
    dialog = page.locator("dialog[open]")
    dialog.wait_for()
    dialog.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert page.locator(".hint.is-open").count() >= 1

    submit_flag(page, "bridge{nope}", texts["wrong"])
    submit_flag(page, FLAG, texts["right"])
    shoot(page, f"journey-{language}-challenge-solved")

    # The watcher's table and solve feed updated by themselves.
    watcher.wait_for_function(
        "name => document.querySelector('[data-scoreboard]').textContent.includes(name)",
        arg=f"Journey {language}",
        timeout=10_000,
    )
    watcher.wait_for_function(
        "name => document.querySelector('[data-solve-feed]').textContent.includes(name)",
        arg=f"Journey {language}",
        timeout=10_000,
    )
    shoot(watcher, f"journey-{language}-scoreboard-live")
    page.context.close()
    watcher.context.close()


def test_organiser_authors_publishes_and_announces(server: str, browser: Any) -> None:
    organiser = new_page(browser, language="en")
    sign_in(organiser, server, "organiser")
    participant = new_page(browser, language="ja")
    sign_in(participant, server, "hana")
    participant.goto(f"{server}/events/{EVENT}/")
    participant.wait_for_timeout(500)  # let the live connection open

    organiser.goto(f"{server}/events/{EVENT}/manage/challenges/new/")
    shoot(organiser, "organiser-challenge-new")
    form = organiser.locator("form#texts")
    form.locator("[name=category]").fill("misc")
    form.locator("[name=value]").fill("150")
    form.locator("[name=title_en]").fill("Bridge of Words")
    form.locator("[name=title_ja]").fill("言葉の架け橋")
    form.locator("[name=description_en]").fill("Find the **flag** in this sentence: `bridge{words}`.")
    form.locator("[name=description_ja]").fill("この文の中の**フラグ**を探してください：`bridge{words}`。")
    organiser.wait_for_timeout(800)  # the live preview
    preview = organiser.inner_text("main")
    assert "flag" in preview
    form.locator("button[name=action][value=save]").click()
    organiser.wait_for_load_state("networkidle")
    assert re.search(r"/manage/challenges/\d+/", organiser.url), organiser.inner_text("main")
    shoot(organiser, "organiser-challenge-edit")

    flag_form = organiser.locator("form[action$='/flags/']")
    flag_form.locator("[name$=content]").fill("bridge{words}")
    flag_form.locator("button[type=submit]").click()
    organiser.wait_for_load_state("networkidle")
    organiser.locator("form[action$='/publish/'] button[type=submit]").first.click()
    organiser.wait_for_load_state("networkidle")
    assert "Bridge of Words" in organiser.inner_text("main")

    participant.goto(f"{server}/events/{EVENT}/challenges/")
    assert "言葉の架け橋" in participant.inner_text("main")
    participant.goto(f"{server}/events/{EVENT}/")
    participant.wait_for_timeout(500)

    organiser.goto(f"{server}/events/{EVENT}/manage/announcements/")
    announce = organiser.locator("main form:has([name=title_en])")
    announce.locator("[name=title_en]").fill("Lunch break")
    announce.locator("[name=title_ja]").fill("昼休み")
    announce.locator("[name=body_en]").fill("Lunch is served in the atrium.")
    announce.locator("[name=body_ja]").fill("昼食はアトリウムでご用意しています。")
    announce.locator("button[name=action][value=publish]").click()
    organiser.wait_for_load_state("networkidle")

    participant.wait_for_function(
        "() => document.querySelector('#announcements').textContent.includes('昼休み')", timeout=10_000
    )
    shoot(participant, "participant-announcement-live-ja")
    organiser.context.close()
    participant.context.close()
