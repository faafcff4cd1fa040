import re

import pytest
from django.core import mail
from django.test import Client

from kakehashi.accounts.models import ApiToken, User
from kakehashi.accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

FORM = {
    "username": "owen",
    "display_name": "Owen",
    "email": "owen@example.org",
    "password1": "severn-bridge-2026",
    "password2": "severn-bridge-2026",
    "country": "GB",
    "preferred_language": "en",
    "time_zone": "Europe/London",
}


def _confirm_path() -> str:
    link = re.search(r"https?://[^/]+(/accounts/register/confirm/[^/\s]+/)", str(mail.outbox[-1].body))
    assert link is not None
    return link.group(1)


def test_register_page_mails_a_link_that_creates_and_signs_in(client: Client) -> None:
    response = client.post("/accounts/register/", FORM)
    assert response.status_code == 200
    assert "Check your e-mail" in response.content.decode()
    assert not User.objects.exists()
    path = _confirm_path()
    assert client.get(path).status_code == 200
    assert client.get(path).status_code == 200  # opening the link (or a mail scanner) uses nothing
    assert not User.objects.exists()
    response = client.post(path)
    assert response.status_code == 302
    user = User.objects.get(username="owen")
    assert client.get("/accounts/profile/").context["user"] == user


def test_a_used_link_says_so_in_japanese() -> None:
    Client().post("/accounts/register/", FORM)
    path = _confirm_path()
    assert Client().post(path).status_code == 302
    response = Client().post(path, headers={"Accept-Language": "ja"})
    assert response.status_code == 400
    assert "確認リンクは無効" in response.content.decode()
    assert User.objects.count() == 1


def test_an_address_taken_while_the_link_waited_is_refused_on_the_page() -> None:
    Client().post("/accounts/register/", FORM)
    path = _confirm_path()
    UserFactory.create(username="someone-else", email="OWEN@example.org")
    response = Client().post(path, headers={"Accept-Language": "ja"})
    assert response.status_code == 400
    assert "このメールアドレスのアカウントは既にあります" in response.content.decode()
    assert not User.objects.filter(username="owen").exists()


@pytest.mark.parametrize(
    ("changes", "language", "fragment"),
    [
        ({"password2": "different-one-2026"}, "en", "do not match"),
        ({"password2": "different-one-2026"}, "ja", "一致しません"),
        ({"password1": "short", "password2": "short"}, "ja", "短すぎ"),
        ({"email": "not-an-address"}, "ja", "メールアドレス"),
    ],
)
def test_register_errors_are_translated(client: Client, changes: dict[str, str], language: str, fragment: str) -> None:
    response = client.post("/accounts/register/", FORM | changes, headers={"Accept-Language": language})
    assert response.status_code == 400
    assert fragment in response.content.decode()
    assert not User.objects.exists()


def test_register_taken_name_keeps_existing_account(client: Client) -> None:
    existing = UserFactory.create(username="owen", email="first@example.org")
    response = client.post("/accounts/register/", FORM)
    assert response.status_code == 400
    existing.refresh_from_db()
    assert existing.email == "first@example.org"
    assert existing.check_password(PASSWORD)


def test_login_and_lockout(client: Client) -> None:
    UserFactory.create(username="alice")
    for _attempt in range(5):
        response = client.post("/accounts/login/", {"username": "alice", "password": "wrong"})
        assert response.status_code in {200, 429}
    response = client.post(
        "/accounts/login/", {"username": "alice", "password": PASSWORD}, headers={"Accept-Language": "ja"}
    )
    assert response.status_code == 429
    assert "サインイン" in response.content.decode()


def test_login_works(client: Client) -> None:
    UserFactory.create(username="alice")
    response = client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/accounts/profile/").status_code == 200


def test_profile_requires_login(client: Client) -> None:
    response = client.get("/accounts/profile/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_profile_update(client: Client) -> None:
    user = UserFactory.create()
    client.force_login(user)
    response = client.post(
        "/accounts/profile/",
        {"display_name": "新しい名前", "preferred_language": "ja", "country": "JP", "time_zone": "Asia/Tokyo"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.display_name, user.preferred_language, user.time_zone) == ("新しい名前", "ja", "Asia/Tokyo")
    bad = client.post("/accounts/profile/", {"display_name": "x", "country": "JP", "time_zone": "Atlantis/City"})
    assert bad.status_code == 400
    user.refresh_from_db()
    assert user.display_name == "新しい名前"


def test_token_page_creates_and_revokes(client: Client) -> None:
    user = UserFactory.create()
    client.force_login(user)
    response = client.post("/accounts/tokens/", {"name": "ctfcli", "expires_days": 30})
    assert response.status_code == 200
    assert "kkh_" in response.content.decode()
    token = ApiToken.objects.get(user=user)
    assert client.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_password_change_page(client: Client) -> None:
    user = UserFactory.create()
    client.force_login(user)
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": "brand-new-secret-9", "new_password2": "brand-new-secret-9"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("brand-new-secret-9")
    # Still signed in: the session hash was updated.
    assert client.get("/accounts/profile/").status_code == 200


def test_password_reset_pages(client: Client, mailoutbox: list[object]) -> None:
    UserFactory.create(email="alice@example.org")
    response = client.post("/accounts/reset/", {"email": "alice@example.org"})
    assert response.status_code == 200
    body = mailoutbox[0].body  # type: ignore[attr-defined]
    path = next(line for line in body.splitlines() if "/accounts/reset/" in line).split("testserver")[-1]
    done = client.post(path, {"new_password1": "reset-bridge-2026", "new_password2": "reset-bridge-2026"})
    assert done.status_code == 302
    again = client.post(path, {"new_password1": "reset-bridge-2027", "new_password2": "reset-bridge-2027"})
    assert again.status_code == 400  # a link works once
