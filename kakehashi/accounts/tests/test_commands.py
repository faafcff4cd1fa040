import io

import pytest
from django.core.management import CommandError, call_command

from kakehashi.accounts import selectors
from kakehashi.accounts.models import User
from kakehashi.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_createadmin_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAKEHASHI_ADMIN_PASSWORD", "a-very-good-admin-pass")
    out = io.StringIO()
    call_command("createadmin", username="root", email="root@example.org", stdout=out)
    admin = User.objects.get(username="root")
    assert admin.is_superuser
    assert admin.check_password("a-very-good-admin-pass")
    assert "root" in out.getvalue()


def test_createadmin_without_password_or_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KAKEHASHI_ADMIN_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    with pytest.raises(CommandError, match="KAKEHASHI_ADMIN_PASSWORD"):
        call_command("createadmin", username="root", email="root@example.org")
    assert not User.objects.exists()


def test_createadmin_weak_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAKEHASHI_ADMIN_PASSWORD", "123")
    with pytest.raises(CommandError, match="password"):
        call_command("createadmin", username="root", email="root@example.org")


def test_token_create_prints_a_working_token() -> None:
    UserFactory.create(username="ci-bot")
    out = io.StringIO()
    call_command("token", "create", "--user", "ci-bot", "--expires-days", "3", stdout=out)
    raw = out.getvalue().strip()
    check = selectors.token_check(raw)
    assert check.user is not None
    assert check.user.username == "ci-bot"


def test_token_create_for_unknown_user() -> None:
    with pytest.raises(CommandError, match="No active user"):
        call_command("token", "create", "--user", "ghost")


def test_token_create_bad_expiry() -> None:
    UserFactory.create(username="ci-bot")
    with pytest.raises(CommandError):
        call_command("token", "create", "--user", "ci-bot", "--expires-days", "0")
