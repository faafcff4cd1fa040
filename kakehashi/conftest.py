"""Fixtures shared by every app's tests."""

from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import translation

from kakehashi.accounts.models import User
from kakehashi.accounts.tests.factories import UserFactory


def pytest_report_header(config: pytest.Config) -> str:
    from django.conf import settings

    database = settings.DATABASES["default"]
    return f"kakehashi database: {database['ENGINE'].rsplit('.', 1)[-1]} {database.get('HOST') or ''}".rstrip()


@pytest.fixture(autouse=True)
def _clean_cache() -> None:
    cache.clear()


@pytest.fixture(autouse=True)
def _english_by_default() -> None:
    """Each test starts in English, whatever language an earlier request activated."""
    translation.activate("en")


@pytest.fixture
def user(db: Any) -> User:
    return UserFactory.create()


@pytest.fixture
def admin_user(db: Any) -> User:
    return UserFactory.create(role="admin", is_staff=True, is_superuser=True)


@pytest.fixture
def api_client() -> Client:
    """A client that sends JSON and keeps CSRF checks on, as a browser would meet them."""
    return Client(enforce_csrf_checks=True)


@pytest.fixture
def csrf_client(api_client: Client) -> Callable[..., Any]:
    """Returns a function doing a JSON request with a valid CSRF token."""

    def request(method: str, path: str, data: Any = None, **headers: str) -> Any:
        api_client.get("/api/accounts/csrf")
        token = api_client.cookies["kakehashi_csrftoken"].value
        call = getattr(api_client, method.lower())
        return call(path, data=data, content_type="application/json", headers={"X-CSRFToken": token, **headers})

    return request
