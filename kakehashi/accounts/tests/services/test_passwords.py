from typing import Any

import pytest
from django.core.exceptions import ValidationError

from kakehashi.accounts import services
from kakehashi.accounts.services import passwords
from kakehashi.accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_change_requires_the_current_password() -> None:
    user = UserFactory.create()
    with pytest.raises(ValidationError) as caught:
        services.password_change(user=user, old_password="wrong", new_password="another-good-one-77")
    assert "old_password" in caught.value.message_dict
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_change_validates_the_new_password() -> None:
    user = UserFactory.create()
    with pytest.raises(ValidationError) as caught:
        services.password_change(user=user, old_password=PASSWORD, new_password="123")
    assert "new_password" in caught.value.message_dict


def test_change() -> None:
    user = UserFactory.create()
    services.password_change(user=user, old_password=PASSWORD, new_password="another-good-one-77")
    user.refresh_from_db()
    assert user.check_password("another-good-one-77")


@pytest.mark.parametrize("uid", ["", "!!!", "MTIzNDU2Nzg5MA", "x" * 64])
def test_reset_with_a_broken_link(uid: str) -> None:
    with pytest.raises(ValidationError) as caught:
        services.password_reset_complete(uid=uid, token="abc-def", new_password="another-good-one-77")
    assert "token" in caught.value.message_dict


def test_reset_mail_is_in_the_users_language(mailoutbox: list[object]) -> None:
    UserFactory.create(email="hana@example.jp", preferred_language="ja")
    services.password_reset_send(email="hana@example.jp", base_url="http://127.0.0.1:8000/")
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert "パスワード" in message.subject  # type: ignore[attr-defined]
    assert "http://127.0.0.1:8000/accounts/reset/" in message.body  # type: ignore[attr-defined]


def test_reset_mails_to_one_account_are_capped_per_hour(
    mailoutbox: list[object], settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.KAKEHASHI_RESET_MAILS_PER_HOUR = 3
    clock = [1_800_000_000.0]
    monkeypatch.setattr("kakehashi.accounts.services.passwords.time.time", lambda: clock[0])
    UserFactory.create(email="hana@example.jp")
    UserFactory.create(email="ken@example.jp")
    for _ in range(5):
        services.password_reset_send(email="hana@example.jp", base_url="http://127.0.0.1:8000/")
    assert len(mailoutbox) == 3
    services.password_reset_send(email="ken@example.jp", base_url="http://127.0.0.1:8000/")
    assert len(mailoutbox) == 4  # another account has its own count
    clock[0] += passwords.RESET_WINDOW
    services.password_reset_send(email="hana@example.jp", base_url="http://127.0.0.1:8000/")
    assert len(mailoutbox) == 5  # the next hour
