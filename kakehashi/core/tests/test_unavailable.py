"""A database that cannot be reached answers 503 with ``Retry-After``: JSON under ``/api/``, a page
elsewhere, never an HTML 500."""

from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest
from django.db import InterfaceError, OperationalError
from django.test import Client
from django.utils import translation

from kakehashi.accounts.models import User
from kakehashi.core import unavailable

pytestmark = pytest.mark.django_db

LOST = OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')


@pytest.fixture
def lost_database() -> Iterator[mock.MagicMock]:
    with mock.patch("kakehashi.ctf.selectors.event_list", side_effect=LOST) as patched:
        yield patched


def _assert_json_503(response: Any) -> None:
    assert response.status_code == 503
    assert response["Content-Type"].startswith("application/json")
    assert response["Retry-After"] == str(unavailable.RETRY_AFTER_SECONDS)


def test_native_api_answers_json_503_in_the_requesters_language(lost_database: mock.MagicMock) -> None:
    response = Client().get("/api/events", headers={"Accept-Language": "ja"})
    _assert_json_503(response)
    body = response.json()
    assert body["code"] == "service_unavailable"
    assert body["details"] == []
    with translation.override("ja"):
        assert body["message"] == unavailable.message()
    assert response["Content-Language"] == "ja"
    assert lost_database.called


@pytest.mark.parametrize("error", [LOST, InterfaceError("connection already closed")])
def test_both_kinds_of_lost_connection_answer_503(error: Exception) -> None:
    with mock.patch("kakehashi.ctf.selectors.event_list", side_effect=error):
        response = Client().get("/api/events")
    _assert_json_503(response)
    assert response.json()["message"] == "The service is briefly unavailable. Please try again in a few seconds."


def test_a_lost_connection_wrapped_in_another_error_still_answers_503() -> None:
    def fail() -> None:
        try:
            raise LOST
        except OperationalError as error:
            raise RuntimeError("while loading events") from error

    with mock.patch("kakehashi.ctf.selectors.event_list", side_effect=fail):
        response = Client().get("/api/events")
    _assert_json_503(response)


def test_other_errors_stay_500() -> None:
    with mock.patch("kakehashi.ctf.selectors.event_list", side_effect=ValueError("a bug")):
        response = Client(raise_request_exception=False).get("/api/events")
    assert response.status_code == 500
    assert response.json()["code"] == "server_error"
    assert "Retry-After" not in response


@pytest.mark.parametrize("path", ["/api/v1/challenges", "/api/accounts/me"])
def test_a_lost_database_while_checking_a_token_answers_503(path: str) -> None:
    with mock.patch("kakehashi.accounts.selectors.token_check", side_effect=LOST) as check:
        response = Client().get(path, headers={"Authorization": "Token kk_anything"})
    assert check.called
    _assert_json_503(response)


def test_ctfd_api_answers_503_in_its_own_shape() -> None:
    with mock.patch("kakehashi.accounts.selectors.token_check", side_effect=LOST):
        response = Client().get("/api/v1/challenges", headers={"Authorization": "Token kk_anything"})
    _assert_json_503(response)
    body = response.json()
    assert body["success"] is False
    assert body["errors"]["message"] == [unavailable.message()]


def test_pages_answer_a_translated_503_page(lost_database: mock.MagicMock) -> None:
    response = Client().get("/", headers={"Accept-Language": "ja"})
    assert response.status_code == 503
    assert response["Retry-After"] == str(unavailable.RETRY_AFTER_SECONDS)
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    with translation.override("ja"):
        assert unavailable.message() in html
    assert '<html lang="ja">' in html


def test_a_lost_database_in_a_middleware_answers_503_not_500(user: User) -> None:
    """The session behind ``request.user`` is loaded by a middleware, before any view runs."""
    client = Client(raise_request_exception=False)
    client.force_login(user)
    with mock.patch("django.contrib.sessions.backends.db.SessionStore.load", side_effect=LOST):
        page = client.get("/")
        api = client.get("/api/accounts/me")
    assert page.status_code == 503
    assert page["Retry-After"] == str(unavailable.RETRY_AFTER_SECONDS)
    assert "The service is briefly unavailable" in page.content.decode()
    with mock.patch("django.contrib.sessions.backends.db.SessionStore.load", side_effect=LOST):
        translation.activate("en")  # whatever the thread had active before, the request's language wins
        japanese = client.get("/", headers={"Accept-Language": "ja"})
    assert japanese.status_code == 503
    assert japanese["Content-Language"] == "ja"
    assert '<html lang="ja">' in japanese.content.decode()
    _assert_json_503(api)
    assert api.json()["code"] == "service_unavailable"


def test_the_same_requests_succeed_once_the_database_is_back(lost_database: mock.MagicMock) -> None:
    assert Client().get("/api/events").status_code == 503
    lost_database.side_effect = None
    lost_database.return_value = []
    response = Client().get("/api/events")
    assert response.status_code == 200
    assert response.json() == []
