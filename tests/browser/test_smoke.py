"""The demo serves, in a real browser, in English, Japanese and side by side."""

from typing import Any

import pytest

from tests.browser.conftest import new_page, set_display, shoot


@pytest.mark.parametrize("mode", ["en", "ja", "both"])
def test_home_in_each_display_mode(server: str, browser: Any, mode: str) -> None:
    page = new_page(browser, language="ja" if mode == "ja" else "en")
    if mode == "both":
        set_display(page, server, "both")
    page.goto(f"{server}/")
    html_lang = page.get_attribute("html", "lang")
    assert html_lang == ("ja" if mode == "ja" else "en")
    assert page.get_attribute("html", "data-display") == mode
    body = page.inner_text("body")
    if mode in {"ja", "both"}:
        assert "ホーム" in body
    if mode in {"en", "both"}:
        assert "Home" in body
    shoot(page, f"home-{mode}-desktop")
    page.set_viewport_size({"width": 375, "height": 800})
    shoot(page, f"home-{mode}-phone")
    page.context.close()


def test_language_switcher_changes_the_page(server: str, browser: Any) -> None:
    page = new_page(browser, language="en")
    page.goto(f"{server}/")
    page.click("button[name=mode][value=ja]")
    page.wait_for_load_state("networkidle")
    assert page.get_attribute("html", "lang") == "ja"
    page.click("button[name=mode][value=both]")
    page.wait_for_load_state("networkidle")
    assert page.get_attribute("html", "data-display") == "both"
    page.context.close()
