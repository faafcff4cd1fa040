import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.hashers import make_password
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone, translation

from kakehashi.accounts import services, tokens
from kakehashi.accounts.models import PendingRegistration, SignupMail, User
from kakehashi.accounts.services import signup
from kakehashi.accounts.tests.factories import PASSWORD, UserFactory
from kakehashi.audit.models import Entry

pytestmark = pytest.mark.django_db

BASE_URL = "https://ctf.example.org/"
LINK = re.compile(r"https://ctf\.example\.org/accounts/register/confirm/([A-Za-z0-9_-]+)/")


def start(**overrides: str) -> None:
    fields = {"username": "taro", "email": "taro@example.jp", "password": "kawa-no-hashi-42"} | overrides
    services.registration_start(**fields, base_url=BASE_URL)


def token_of(message: Any) -> str:
    found = LINK.search(str(message.body))
    assert found is not None, message.body
    return found.group(1)


def codes(error: ValidationError) -> dict[str, list[str]]:
    return {field: [item.code or "" for item in items] for field, items in error.error_dict.items()}


# --- starting ------------------------------------------------------------------------------------


def test_a_free_address_gets_a_link_and_nothing_is_created_yet() -> None:
    start(username="  taro ", email="taro@EXAMPLE.JP", display_name="山田 太郎")
    assert not User.objects.exists()
    pending = PendingRegistration.objects.get()
    assert (pending.username, pending.email, pending.display_name) == ("taro", "taro@example.jp", "山田 太郎")
    assert "kawa-no-hashi-42" not in pending.password
    [message] = mail.outbox
    assert message.to == ["taro@example.jp"]
    token = token_of(message)
    assert pending.token_digest == tokens.digest(token)
    assert token not in pending.token_digest
    assert pending.expires_at - pending.created_at == timedelta(hours=48)


def test_a_taken_address_tells_its_owner_and_stores_nothing() -> None:
    UserFactory.create(username="hanako", email="hanako@example.org", preferred_language="ja")
    start(email="Hanako@Example.org")
    assert not PendingRegistration.objects.exists()
    [message] = mail.outbox
    assert message.to == ["hanako@example.org"]
    assert "メールアドレス" in str(message.subject)
    assert f"{BASE_URL}accounts/reset/" in str(message.body)
    assert LINK.search(str(message.body)) is None
    assert User.objects.count() == 1


def test_both_branches_hash_the_password(monkeypatch: pytest.MonkeyPatch) -> None:
    hashed: list[str] = []

    def counting(raw: str) -> str:
        hashed.append(raw)
        return make_password(raw)

    monkeypatch.setattr(signup, "make_password", counting)
    UserFactory.create(email="hanako@example.org")
    start(email="hanako@example.org")
    start(email="free@example.org")
    assert hashed == ["kawa-no-hashi-42", "kawa-no-hashi-42"]


@pytest.mark.parametrize(
    ("language", "subject", "fragments"),
    [
        ("en", "Confirm your e-mail address", ["Hello taro", "48 hours", "no account is created"]),
        ("ja", "メールアドレスの確認", ["taro さん", "48 時間", "アカウントは作成されません"]),
    ],
)
def test_confirmation_mail_is_in_the_chosen_language(language: str, subject: str, fragments: list[str]) -> None:
    with translation.override("en" if language == "ja" else "ja"):  # the choice wins over the request
        start(preferred_language=language)
    [message] = mail.outbox
    assert subject in str(message.subject)
    for fragment in fragments:
        assert fragment in str(message.body)


@pytest.mark.parametrize(("language", "fragment"), [("en", "No new account was created"), ("ja", "作成されていません")])
def test_notice_to_the_owner_is_in_the_owner_language(language: str, fragment: str) -> None:
    UserFactory.create(username="hanako", email="hanako@example.org", preferred_language=language)
    start(email="hanako@example.org")
    assert fragment in str(mail.outbox[0].body)


def test_input_problems_are_refused_before_anything_is_sent() -> None:
    UserFactory.create(username="taro", email="first@example.org")
    with pytest.raises(ValidationError) as caught:
        start(username="TARO", password="short")
    assert set(caught.value.message_dict) == {"username", "password"}
    assert not PendingRegistration.objects.exists()
    assert mail.outbox == []


@override_settings(KAKEHASHI_SIGNUP_MAILS_PER_HOUR=3)
def test_at_most_three_mails_an_hour_reach_one_address() -> None:
    UserFactory.create(email="hanako@example.org")
    for number, address in enumerate(["new@example.org", "NEW@example.org", "new@example.org", "New@Example.org"]):
        start(username=f"taro{number}", email=address)
    for number in range(4):
        start(username=f"jiro{number}", email="hanako@example.org")
    assert (
        sorted(message.to[0].lower() for message in mail.outbox) == ["hanako@example.org"] * 3 + ["new@example.org"] * 3
    )
    assert PendingRegistration.objects.count() == 3
    SignupMail.objects.update(sent_at=timezone.now() - timedelta(minutes=61))
    start(username="late", email="new@example.org")
    assert len(mail.outbox) == 7
    assert SignupMail.objects.count() == 1  # the hour-old records were cleared


def test_expired_sign_ups_are_cleared_by_the_next_sign_up() -> None:
    start()
    PendingRegistration.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    start(username="jiro", email="jiro@example.jp")
    assert list(PendingRegistration.objects.values_list("username", flat=True)) == ["jiro"]


@override_settings(KAKEHASHI_SIGNUP_CONFIRMATION_HOURS=2)
def test_expiry_follows_the_setting() -> None:
    start()
    pending = PendingRegistration.objects.get()
    assert pending.expires_at - pending.created_at == timedelta(hours=2)


# --- confirming ----------------------------------------------------------------------------------


def test_confirming_creates_the_account_and_forgets_the_sign_up() -> None:
    start(display_name="Taro", preferred_language="ja", country="JP", time_zone="Asia/Tokyo")
    start(username="taro-again", email="taro@example.jp")  # a second try with the same address
    user = services.registration_confirm(token=token_of(mail.outbox[0]))
    assert (user.username, user.email, user.display_name, user.preferred_language, user.country, user.time_zone) == (
        "taro", "taro@example.jp", "Taro", "ja", "JP", "Asia/Tokyo",
    )  # fmt: skip
    assert user.role == "participant"
    assert user.check_password("kawa-no-hashi-42")
    assert not PendingRegistration.objects.exists()


def test_a_sign_up_is_recorded_in_the_audit_log_without_the_password() -> None:
    start()
    user = services.registration_confirm(token=token_of(mail.outbox[0]))
    entry = Entry.objects.get(action="user.sign_up")
    assert (entry.actor_id, entry.target_type, entry.target_id, entry.target_label) == (
        user.pk, "user", str(user.pk), "taro",
    )  # fmt: skip
    assert "kawa-no-hashi" not in str(entry.after)
    assert user.password not in str(entry.after)


def test_a_token_works_once() -> None:
    start()
    token = token_of(mail.outbox[0])
    services.registration_confirm(token=token)
    with pytest.raises(ValidationError) as caught:
        services.registration_confirm(token=token)
    assert codes(caught.value) == {"token": ["invalid_token"]}
    assert User.objects.count() == 1


@pytest.mark.parametrize("token", ["", "made-up", "x" * 128])
def test_unknown_tokens_are_refused(token: str) -> None:
    start()
    with pytest.raises(ValidationError) as caught:
        services.registration_confirm(token=token)
    assert codes(caught.value) == {"token": ["invalid_token"]}


def test_an_expired_token_is_refused() -> None:
    start()
    PendingRegistration.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(ValidationError) as caught:
        services.registration_confirm(token=token_of(mail.outbox[0]))
    assert codes(caught.value) == {"token": ["invalid_token"]}
    assert not User.objects.exists()


@pytest.mark.parametrize(
    ("taken", "field", "language", "fragment"),
    [
        ({"username": "TARO"}, "username", "en", "was taken while"),
        ({"username": "taro"}, "username", "ja", "確認を待つ間に"),
        ({"email": "Taro@example.jp"}, "email", "en", "already exists"),
        ({"email": "taro@example.jp"}, "email", "ja", "既にあります"),
    ],
)
def test_a_name_or_address_taken_meanwhile_is_refused_in_the_user_language(
    taken: dict[str, str], field: str, language: str, fragment: str
) -> None:
    start()
    existing = UserFactory.create(**taken)
    before = (existing.username, existing.email, existing.password)
    with translation.override(language), pytest.raises(ValidationError) as caught:
        services.registration_confirm(token=token_of(mail.outbox[0]))
    assert fragment in caught.value.message_dict[field][0]
    existing.refresh_from_db()
    assert (existing.username, existing.email, existing.password) == before
    assert User.objects.count() == 1
    assert PendingRegistration.objects.count() == 1


def test_a_race_lost_at_the_write_is_refused_cleanly(monkeypatch: pytest.MonkeyPatch) -> None:
    start()
    UserFactory.create(username="taro", password=PASSWORD)
    looks: Iterator[dict[str, list[str]]] = iter(
        [{}]
    )  # the first look sees nothing: the other account is written just after it
    real = signup._conflicts
    monkeypatch.setattr(signup, "_conflicts", lambda user: next(looks, None) or real(user))
    with pytest.raises(ValidationError) as caught:
        services.registration_confirm(token=token_of(mail.outbox[0]))
    assert set(caught.value.message_dict) == {"username"}
    assert User.objects.count() == 1
    assert PendingRegistration.objects.count() == 1
    assert not Entry.objects.filter(action="user.sign_up").exists()
