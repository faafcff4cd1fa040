"""The accounts API through HTTP: every answer in the one error shape, translated, never a 500."""

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from kakehashi.accounts import services
from kakehashi.accounts.models import ApiToken, User
from kakehashi.accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

REGISTRATION = {
    "username": "hanako",
    "email": "hanako@example.jp",
    "password": "sakura-bridge-2026",
    "display_name": "山田 花子",
    "preferred_language": "ja",
    "country": "JP",
    "time_zone": "Asia/Tokyo",
}


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "details"}
    assert body["code"] == code
    assert body["message"]
    return dict(body)


def test_register_mails_a_link_and_confirming_creates_the_account(csrf_client: Callable[..., Any]) -> None:
    response = csrf_client("post", "/api/accounts/register", REGISTRATION)
    assert response.status_code == 202, response.content
    assert response.json() == {"status": "confirmation_sent"}
    assert not User.objects.exists()
    link = re.search(r"/accounts/register/confirm/([^/\s]+)/", str(mail.outbox[0].body))
    assert link is not None
    response = csrf_client("post", "/api/accounts/register/confirm", {"token": link.group(1)})
    assert response.status_code == 201, response.content
    assert response.json()["username"] == "hanako"
    user = User.objects.get(username="hanako")
    assert user.check_password("sakura-bridge-2026")
    assert user.role == "participant"
    again = csrf_client("post", "/api/accounts/register/confirm", {"token": link.group(1)}, **{"Accept-Language": "ja"})
    body = assert_error(again, 422, "validation_error")
    assert "確認リンクは無効" in body["details"][0]["message"]


def test_confirm_without_csrf_is_refused(api_client: Client) -> None:
    response = api_client.post("/api/accounts/register/confirm", {"token": "x"}, content_type="application/json")
    assert_error(response, 403, "csrf_failed")


def test_register_without_csrf_is_refused(api_client: Client) -> None:
    response = api_client.post("/api/accounts/register", REGISTRATION, content_type="application/json")
    assert_error(response, 403, "csrf_failed")
    assert not User.objects.filter(username="hanako").exists()


@pytest.mark.parametrize(
    ("language", "fragment"),
    [("en", "already taken"), ("ja", "既に使われています")],
)
def test_taken_user_name_is_a_translated_error(csrf_client: Callable[..., Any], language: str, fragment: str) -> None:
    existing = UserFactory.create(username="Hanako")
    before = (existing.password, existing.email)
    response = csrf_client("post", "/api/accounts/register", REGISTRATION, **{"Accept-Language": language})
    body = assert_error(response, 422, "validation_error")
    fields = {detail["field"]: detail["message"] for detail in body["details"]}
    assert fragment in fields["username"]
    existing.refresh_from_db()
    assert (existing.password, existing.email) == before
    assert User.objects.count() == 1


@pytest.mark.parametrize(("language", "fragment"), [("en", "too short"), ("ja", "短すぎ")])
def test_weak_password_is_a_translated_error(csrf_client: Callable[..., Any], language: str, fragment: str) -> None:
    response = csrf_client(
        "post", "/api/accounts/register", {**REGISTRATION, "password": "abc"}, **{"Accept-Language": language}
    )
    body = assert_error(response, 422, "validation_error")
    messages = " ".join(d["message"] for d in body["details"] if d["field"] == "password")
    assert fragment in messages
    assert not User.objects.exists()


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("{not json", "malformed_json"),
        ("[1, 2, 3]", "malformed_json"),
        ('"text"', "malformed_json"),
        (b"\xff\xfe\x00garbage", "malformed_json"),
        ("[" * 2000 + "]" * 2000, "malformed_json"),
        ('{"a":' * 40 + "1" + "}" * 40, "malformed_json"),
    ],
)
def test_malformed_json_is_rejected(api_client: Client, body: str | bytes, code: str) -> None:
    response = api_client.post("/api/accounts/login", body, content_type="application/json")
    assert_error(response, 400, code)


def test_malformed_json_message_is_japanese_when_asked(api_client: Client) -> None:
    response = api_client.post(
        "/api/accounts/login", "{", content_type="application/json", headers={"Accept-Language": "ja"}
    )
    body = assert_error(response, 400, "malformed_json")
    assert "JSON" in body["message"]
    assert "not valid" not in body["message"]


def test_missing_fields_are_listed(csrf_client: Callable[..., Any]) -> None:
    response = csrf_client("post", "/api/accounts/register", {"username": "x"})
    body = assert_error(response, 422, "validation_error")
    assert {d["field"] for d in body["details"]} >= {"email", "password"}


def test_login_logout_and_me(csrf_client: Callable[..., Any], api_client: Client) -> None:
    user = UserFactory.create(username="alice")
    response = csrf_client("post", "/api/accounts/login", {"username": "ALICE", "password": PASSWORD})
    assert response.status_code == 200, response.content
    assert response.json()["id"] == user.pk
    assert api_client.get("/api/accounts/me").json()["username"] == "alice"
    # Writes through the session need the CSRF token.
    assert_error(api_client.post("/api/accounts/logout"), 403, "csrf_failed")
    assert csrf_client("post", "/api/accounts/logout").status_code == 204
    assert_error(api_client.get("/api/accounts/me"), 401, "not_authenticated")


def test_wrong_password(csrf_client: Callable[..., Any]) -> None:
    UserFactory.create(username="alice")
    response = csrf_client("post", "/api/accounts/login", {"username": "alice", "password": "wrong"})
    assert_error(response, 401, "invalid_credentials")


def test_login_is_throttled_after_repeated_failures(csrf_client: Callable[..., Any]) -> None:
    UserFactory.create(username="alice")
    for _attempt in range(5):
        csrf_client("post", "/api/accounts/login", {"username": "alice", "password": "wrong"})
    # Even the right password is refused while the pause lasts.
    response = csrf_client("post", "/api/accounts/login", {"username": "alice", "password": PASSWORD})
    assert_error(response, 429, "login_throttled")
    assert int(response["Retry-After"]) > 0


def test_token_authentication(api_client: Client) -> None:
    user = UserFactory.create()
    _row, raw = services.api_token_create(user=user, name="ci")
    response = api_client.get("/api/accounts/me", headers={"Authorization": f"Token {raw}"})
    assert response.status_code == 200
    assert response.json()["id"] == user.pk
    # A token-authenticated write needs no CSRF token.
    response = api_client.patch(
        "/api/accounts/me",
        {"display_name": "Tokened"},
        content_type="application/json",
        headers={"Authorization": f"Token {raw}"},
    )
    assert response.status_code == 200
    assert response.json()["display_name"] == "Tokened"


@pytest.mark.parametrize(("language", "fragment"), [("en", "not valid"), ("ja", "無効")])
def test_wrong_token(api_client: Client, language: str, fragment: str) -> None:
    response = api_client.get(
        "/api/accounts/me", headers={"Authorization": "Token kkh_nonsense", "Accept-Language": language}
    )
    body = assert_error(response, 401, "invalid_token")
    assert fragment in body["message"]


@pytest.mark.parametrize(("language", "fragment"), [("en", "expired"), ("ja", "有効期限")])
def test_expired_token(api_client: Client, language: str, fragment: str) -> None:
    user = UserFactory.create()
    row, raw = services.api_token_create(user=user)
    ApiToken.objects.filter(pk=row.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = api_client.get(
        "/api/accounts/me", headers={"Authorization": f"Token {raw}", "Accept-Language": language}
    )
    body = assert_error(response, 401, "expired_token")
    assert fragment in body["message"]


def test_revoked_token(api_client: Client) -> None:
    user = UserFactory.create()
    row, raw = services.api_token_create(user=user)
    headers = {"Authorization": f"Token {raw}"}
    assert api_client.delete(f"/api/accounts/tokens/{row.pk}", headers=headers).status_code == 204
    assert_error(api_client.get("/api/accounts/me", headers=headers), 401, "revoked_token")


def test_tokens_are_private(api_client: Client) -> None:
    owner, other = UserFactory.create(), UserFactory.create()
    row, _raw = services.api_token_create(user=owner)
    _other_row, other_raw = services.api_token_create(user=other)
    response = api_client.delete(f"/api/accounts/tokens/{row.pk}", headers={"Authorization": f"Token {other_raw}"})
    assert_error(response, 404, "not_found")
    row.refresh_from_db()
    assert row.revoked_at is None


def test_token_create_shows_token_once(api_client: Client) -> None:
    user = UserFactory.create()
    _row, raw = services.api_token_create(user=user)
    headers = {"Authorization": f"Token {raw}"}
    created = api_client.post(
        "/api/accounts/tokens", {"name": "ctfcli", "expires_days": 7}, content_type="application/json", headers=headers
    )
    assert created.status_code == 201
    token = created.json()["token"]
    assert token.startswith("kkh_")
    listed = api_client.get("/api/accounts/tokens", headers=headers).json()
    assert all("token" not in item for item in listed)
    assert not ApiToken.objects.filter(digest=token).exists()  # only the digest is stored


def test_profile_update_rejects_bad_zone(api_client: Client) -> None:
    user = UserFactory.create(time_zone="Europe/London")
    _row, raw = services.api_token_create(user=user)
    response = api_client.patch(
        "/api/accounts/me",
        {"time_zone": "Mars/Olympus"},
        content_type="application/json",
        headers={"Authorization": f"Token {raw}"},
    )
    assert_error(response, 422, "validation_error")
    user.refresh_from_db()
    assert user.time_zone == "Europe/London"


def test_password_change_and_reset(csrf_client: Callable[..., Any], api_client: Client, mailoutbox: Any) -> None:
    user = UserFactory.create(email="reset@example.org")
    response = csrf_client("post", "/api/accounts/password-reset", {"email": "RESET@example.org"})
    assert response.status_code == 202
    assert len(mailoutbox) == 1
    link = next(line for line in mailoutbox[0].body.splitlines() if "/accounts/reset/" in line)
    uid, token = link.rstrip("/").split("/")[-2:]
    # The same answer for an address nobody uses: no account enumeration.
    assert csrf_client("post", "/api/accounts/password-reset", {"email": "nobody@example.org"}).status_code == 202
    assert len(mailoutbox) == 1
    bad = csrf_client(
        "post", "/api/accounts/password-reset/confirm", {"uid": uid, "token": "x-y", "new_password": "new-bridge-2026"}
    )
    assert_error(bad, 422, "validation_error")
    good = csrf_client(
        "post", "/api/accounts/password-reset/confirm", {"uid": uid, "token": token, "new_password": "new-bridge-2026"}
    )
    assert good.status_code == 204
    user.refresh_from_db()
    assert user.check_password("new-bridge-2026")


def test_organisations_are_listed_in_the_requested_language(api_client: Client) -> None:
    organisation = services.organisation_create(
        kind="cluster", country="JP", names={"en": "Setouchi Cyber Alliance", "ja": "瀬戸内サイバー連携協議会"}
    )
    services.organisation_create(kind="company", country="GB", names={"en": "Only English Ltd"})
    listed = api_client.get("/api/organisations/", headers={"Accept-Language": "ja"}).json()
    by_slug = {item["slug"]: item for item in listed}
    assert by_slug[organisation.slug]["name"] == "瀬戸内サイバー連携協議会"
    assert by_slug[organisation.slug]["complete_languages"] == ["en", "ja"]
    english_only = by_slug["only-english-ltd"]
    assert english_only["name"] == "Only English Ltd"
    assert english_only["name_language"] == "en"
    assert english_only["complete_languages"] == ["en"]


def test_only_admins_create_organisations(api_client: Client) -> None:
    _row, raw = services.api_token_create(user=UserFactory.create())
    payload = {"kind": "isac", "country": "GB", "names": {"en": "UK Finance ISAC"}}
    response = api_client.post(
        "/api/organisations/", payload, content_type="application/json", headers={"Authorization": f"Token {raw}"}
    )
    assert_error(response, 403, "permission_denied")
    _row, admin_raw = services.api_token_create(user=UserFactory.create(role="admin"))
    response = api_client.post(
        "/api/organisations/", payload, content_type="application/json", headers={"Authorization": f"Token {admin_raw}"}
    )
    assert response.status_code == 201


def test_unknown_route_and_method(api_client: Client) -> None:
    assert api_client.get("/api/accounts/does-not-exist").status_code == 404
    response = api_client.put("/api/accounts/me", {}, content_type="application/json")
    assert response.status_code in {401, 405}
