"""In Japanese mode the interface shows no English text: navigation, buttons, forms, errors, empty states."""

import re
from html.parser import HTMLParser

import pytest
from django.test import Client

from kakehashi.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# Words that are the same in both languages: product and protocol names, the other-language
# option of the language switcher, and zone abbreviations.
ALLOWED = {
    "kakehashi", "english", "api", "token", "authorization", "ctfcli", "isac", "isacs", "ctf", "json",
    "jst", "gmt", "bst", "utc", "en", "asia", "tokyo", "europe", "london",
}  # fmt: skip
IGNORED_TAGS = {"script", "style", "code"}
VISIBLE_ATTRIBUTES = {"aria-label", "placeholder", "title", "alt"}


class TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, bool]] = []
        self.texts: list[str] = []

    def _inside_other_language(self) -> bool:
        return any(other for _tag, other in self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        other = values.get("lang") == "en" or tag in IGNORED_TAGS
        if tag not in {"input", "meta", "link", "br", "img", "hr"}:
            self.stack.append((tag, other))
        if self._inside_other_language() or other:
            return
        if tag == "input" and values.get("type") in {"submit", "button"} and values.get("value"):
            self.texts.append(str(values["value"]))
        for name in VISIBLE_ATTRIBUTES:
            if values.get(name):
                self.texts.append(str(values[name]))

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            open_tag, _other = self.stack.pop()
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        if not self._inside_other_language():
            self.texts.append(data)


def english_words(html: str, allowed: set[str]) -> list[str]:
    collector = TextCollector()
    collector.feed(html)
    words = re.findall(r"[A-Za-z]{2,}", " ".join(collector.texts))
    return [word for word in words if word.lower() not in allowed]


ANONYMOUS_PAGES = ["/", "/organisations/", "/accounts/login/", "/accounts/register/", "/accounts/reset/"]
SIGNED_IN_PAGES = ["/accounts/profile/", "/accounts/password/", "/accounts/tokens/"]


@pytest.mark.parametrize("path", ANONYMOUS_PAGES)
def test_anonymous_pages_have_no_english(client: Client, path: str) -> None:
    html = client.get(path, headers={"Accept-Language": "ja"}).content.decode()
    assert english_words(html, ALLOWED) == []


@pytest.mark.parametrize("path", SIGNED_IN_PAGES)
def test_signed_in_pages_have_no_english(client: Client, path: str) -> None:
    user = UserFactory.create(username="hana", display_name="山田 花", preferred_language="ja")
    client.force_login(user)
    html = client.get(path).content.decode()
    assert english_words(html, ALLOWED | {"hana"}) == []


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/accounts/register/", {"username": "", "email": "bad", "password1": "a", "password2": "b"}),
        ("/accounts/login/", {"username": "nobody", "password": "wrong"}),
        ("/accounts/reset/", {"email": "not-an-address"}),
    ],
)
def test_form_errors_have_no_english(client: Client, path: str, data: dict[str, str]) -> None:
    html = client.post(path, data, headers={"Accept-Language": "ja"}).content.decode()
    assert "errorlist" in html or 'role="alert"' in html
    assert english_words(html, ALLOWED) == []


def test_the_checker_notices_english() -> None:
    assert english_words("<p>Sign in</p>", ALLOWED) == ["Sign", "in"]
    assert english_words('<p lang="en">Sign in</p><p>サインイン</p>', ALLOWED) == []
    assert english_words('<button aria-label="Close">×</button>', ALLOWED) == ["Close"]
