"""Mail in the addressee's language: English, Japanese, or both one after the other."""

import pytest
from django.core import mail
from django.utils import translation
from django.utils.translation import gettext_lazy

from kakehashi.accounts.services.mail import SEPARATOR, mail_languages, send_translated

SUBJECT = gettext_lazy("Reset your Kakehashi password")
TEMPLATE = "accounts/email/password_reset.txt"


class Named:
    username = "hana"


@pytest.mark.parametrize(
    ("preference", "active", "expected"),
    [
        ("en", "ja", ("en",)),
        ("ja", "en", ("ja",)),
        ("", "ja", ("ja",)),
        ("", "en", ("en",)),
        ("both", "en", ("en", "ja")),
        ("both", "ja", ("ja", "en")),
        ("xx", "fr", ("en",)),
    ],
)
def test_the_languages_of_a_mail(preference: str, active: str, expected: tuple[str, ...]) -> None:
    with translation.override(active):
        assert mail_languages(preference) == expected


def send(preference: str) -> mail.EmailMessage:
    mail.outbox = []
    with translation.override("en"):
        send_translated(
            to="hana@example.jp", preference=preference, subject=SUBJECT, template=TEMPLATE,
            context={"user": Named(), "link": "http://127.0.0.1/reset/x/"},
        )  # fmt: skip
    assert len(mail.outbox) == 1
    return mail.outbox[0]


def test_one_language_is_one_text() -> None:
    message = send("ja")
    with translation.override("ja"):
        assert message.subject == str(SUBJECT)
    assert "パスワード" in message.subject
    assert "Hello" not in message.body
    assert SEPARATOR not in message.body
    assert message.to == ["hana@example.jp"]


def test_both_languages_give_both_texts_in_one_mail() -> None:
    message = send("both")
    english, japanese = message.body.split(SEPARATOR)
    assert english.startswith("Hello hana")
    assert "パスワード" in japanese
    assert message.body.count("http://127.0.0.1/reset/x/") == 2
    with translation.override("ja"):
        japanese_subject = str(SUBJECT)
    assert message.subject == f"Reset your Kakehashi password / {japanese_subject}"
