"""Whether an account exists must not show in the answers to sign-in, password reset and sign-up:
the same status, message and shape for an unknown name or address as for a known one, in the API
and on the pages, including the lock-out after repeated failures and the cap on sign-up mails.

Sign-up is confirm-first: a free address gets a confirmation link, the owner of a taken one a
notice with the password reset link, and the caller the same answer either way. User names are the
documented exception: they are public on every scoreboard, so a taken one is refused by name.
"""

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from kakehashi.accounts.models import User
from kakehashi.accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

CSRF_VALUE = re.compile(r'value="[A-Za-z0-9]{64}"')


def _api(client: Client, path: str, data: dict[str, str], language: str = "en") -> Any:
    return client.post(path, data, content_type="application/json", headers={"Accept-Language": language})


def _page_text(response: Any) -> str:
    """The page without its per-request CSRF token, so two answers can be compared whole."""
    return CSRF_VALUE.sub('value=""', response.content.decode())


def _api_answer(response: Any) -> tuple[int, Any, str | None]:
    return response.status_code, response.json(), response.headers.get("Retry-After")


@pytest.fixture
def accounts(db: Any) -> dict[str, User]:
    inactive = UserFactory.create(username="retired", email="retired@example.org", is_active=False)
    no_password = UserFactory.create(username="imported", email="imported@example.org")
    no_password.set_unusable_password()
    no_password.save()
    return {
        "known": UserFactory.create(username="hanako", email="hanako@example.org"),
        "inactive": inactive,
        "no_password": no_password,
    }


# --- sign-in ---------------------------------------------------------------------------------

# (user name, password): an unknown name, a known name with a wrong password, a deactivated
# account with its right password, an account without a usable password, and a case variant.
ATTEMPTS = {
    "unknown": ("nobody-here", "wrong-password"),
    "wrong_password": ("hanako", "wrong-password"),
    "inactive_right_password": ("retired", PASSWORD),
    "unusable_password": ("imported", "wrong-password"),
    "upper_case": ("HANAKO", "wrong-password"),
}


@pytest.mark.parametrize("language", ["en", "ja"])
def test_api_sign_in_failures_are_indistinguishable(accounts: dict[str, User], language: str) -> None:
    answers = {
        name: _api_answer(_api(Client(), "/api/accounts/login", {"username": u, "password": p}, language))
        for name, (u, p) in ATTEMPTS.items()
    }
    assert len(set(map(repr, answers.values()))) == 1, answers
    status, body, _retry = answers["unknown"]
    assert status == 401
    assert body["code"] == "invalid_credentials"


def test_page_sign_in_failures_are_indistinguishable(accounts: dict[str, User]) -> None:
    pages = {}
    for name, (username, password) in ATTEMPTS.items():
        response = Client().post("/accounts/login/", {"username": username, "password": password})
        pages[name] = (response.status_code, _page_text(response).replace(username, "NAME"))
    assert len(set(pages.values())) == 1, {name: page[0] for name, page in pages.items()}


def _lock_out(client: Client, username: str, send: Callable[[str], Any]) -> Any:
    for _attempt in range(5):
        send(username)
    return send(username)


@pytest.mark.parametrize("language", ["en", "ja"])
def test_api_lockout_is_the_same_for_unknown_and_known_names(accounts: dict[str, User], language: str) -> None:
    answers = []
    for username in ("hanako", "nobody-here"):
        client = Client()
        response = _lock_out(
            client,
            username,
            lambda name, client=client: _api(  # type: ignore[misc]
                client, "/api/accounts/login", {"username": name, "password": "wrong"}, language
            ),
        )
        answers.append(_api_answer(response))
    assert answers[0] == answers[1]
    assert answers[0][0] == 429
    assert answers[0][1]["code"] == "login_throttled"


def test_page_lockout_is_the_same_for_unknown_and_known_names(accounts: dict[str, User]) -> None:
    pages = []
    for username in ("hanako", "nobody-here"):
        client = Client()
        response = _lock_out(
            client,
            username,
            lambda name, client=client: client.post(  # type: ignore[misc]
                "/accounts/login/", {"username": name, "password": "wrong"}
            ),
        )
        pages.append((response.status_code, _page_text(response).replace(username, "NAME")))
    assert pages[0] == pages[1]
    assert pages[0][0] == 429


# --- password reset ----------------------------------------------------------------------------

ADDRESSES = ["hanako@example.org", "HANAKO@EXAMPLE.ORG", "nobody@example.org", "retired@example.org"]


@pytest.mark.parametrize("language", ["en", "ja"])
def test_api_password_reset_answers_the_same_whoever_asks(accounts: dict[str, User], language: str) -> None:
    answers = set()
    for address in [*ADDRESSES, "imported@example.org"]:
        response = _api(Client(), "/api/accounts/password-reset", {"email": address}, language)
        answers.add((response.status_code, response.content))
    assert answers == {(202, b"")}
    assert sorted(message.to[0] for message in mail.outbox) == ["hanako@example.org", "hanako@example.org"]


def test_page_password_reset_answers_the_same_whoever_asks(accounts: dict[str, User]) -> None:
    pages = {
        address: _page_text(Client().post("/accounts/reset/", {"email": address})).replace(address, "ADDRESS")
        for address in ADDRESSES
    }
    assert len(set(pages.values())) == 1
    assert len(mail.outbox) == 2


def test_password_reset_answers_the_same_past_the_mail_cap(accounts: dict[str, User]) -> None:
    answers = {
        (address, attempt): (response.status_code, response.content)
        for address in ("hanako@example.org", "nobody@example.org")
        for attempt in range(5)
        for response in [_api(Client(), "/api/accounts/password-reset", {"email": address}, "en")]
    }
    assert set(answers.values()) == {(202, b"")}
    assert len(mail.outbox) == 3  # three reset links this hour to the one account, then silence


# --- sign-up ------------------------------------------------------------------------------------


def _register(client: Client, language: str = "en", **changes: str) -> Any:
    client.get("/api/accounts/csrf")
    token = client.cookies["kakehashi_csrftoken"].value
    data = {"username": "newcomer", "email": "new@example.org", "password": "a-long-enough-password", **changes}
    return client.post(
        "/api/accounts/register",
        data,
        content_type="application/json",
        headers={"X-CSRFToken": token, "Accept-Language": language},
    )


SIGN_UP_ADDRESSES = ["hanako@example.org", "HANAKO@EXAMPLE.ORG", "retired@example.org", "nobody@example.org"]


@pytest.mark.parametrize("language", ["en", "ja"])
def test_api_sign_up_answers_the_same_for_taken_and_free_addresses(accounts: dict[str, User], language: str) -> None:
    answers = {
        address: (response.status_code, response.content, response.headers.get("Content-Type"))
        for number, address in enumerate(SIGN_UP_ADDRESSES)
        for response in [_register(Client(), language, username=f"newcomer{number}", email=address)]
    }
    assert set(answers.values()) == {(202, b'{"status": "confirmation_sent"}', "application/json; charset=utf-8")}
    assert list(User.objects.filter(username__startswith="newcomer")) == []
    by_address = sorted(message.to[0].lower() for message in mail.outbox)
    assert by_address == ["hanako@example.org", "hanako@example.org", "nobody@example.org"]


def test_owner_of_a_taken_address_is_told_with_the_reset_link(accounts: dict[str, User]) -> None:
    accounts["known"].preferred_language = "ja"
    accounts["known"].save(update_fields=["preferred_language"])
    _register(Client(), email="Hanako@Example.org")
    [notice] = mail.outbox
    assert notice.to == ["hanako@example.org"]
    assert "/accounts/reset/" in str(notice.body)
    assert "/accounts/register/confirm/" not in str(notice.body)
    assert "作成されていません" in str(notice.body)


def test_page_sign_up_answers_the_same_for_taken_and_free_addresses(accounts: dict[str, User]) -> None:
    pages = {}
    for number, address in enumerate(SIGN_UP_ADDRESSES):
        data = {
            "username": f"newcomer{number}",
            "email": address,
            "password1": "a-long-enough-password",
            "password2": "a-long-enough-password",
            "country": "GB",
        }
        response = Client().post("/accounts/register/", data)
        pages[address] = (response.status_code, _page_text(response))
    assert len(set(pages.values())) == 1
    assert pages["nobody@example.org"][0] == 200
    assert len(mail.outbox) == 3


def test_sign_up_answers_the_same_past_the_mail_cap(accounts: dict[str, User]) -> None:
    answers = {
        (address, attempt): _register(Client(), username=f"n{attempt}{address[:3]}", email=address).content
        for address in ("hanako@example.org", "nobody@example.org")
        for attempt in range(5)
    }
    assert set(answers.values()) == {b'{"status": "confirmation_sent"}'}
    assert len(mail.outbox) == 6  # three to each address, then silence for both


def test_a_taken_user_name_is_still_refused_by_name_and_sends_no_mail(accounts: dict[str, User]) -> None:
    response = _register(Client(), username="Hanako")
    assert response.status_code == 422
    assert [detail["field"] for detail in response.json()["details"]] == ["username"]
    assert mail.outbox == []
