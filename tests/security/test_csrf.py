"""CSRF on every session-authenticated write: every URL pattern of the site, every write method,
signed in with a session cookie but without the CSRF token, is refused and changes nothing.

API calls that carry ``Authorization: Token …`` and no cookie are not CSRF-checked: a browser never
adds that header on its own to a cross-site request, so a forged request cannot carry it.
"""

import hashlib
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.apps import apps
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils.regex_helper import normalize

from kakehashi.accounts import services as account_services
from kakehashi.accounts.models import User
from kakehashi.api import api
from kakehashi.ctf.ctfd.api import api as ctfd_api
from tests.security.world import World, build_world

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

WRITE_METHODS = ("post", "put", "patch", "delete")
# Writes open to anyone check the body before the token: they get a body they would accept.
VALID_BODIES = {
    "/api/accounts/register": {"username": "forged", "email": "forged@example.org", "password": "forged-password-2026"},
    "/api/accounts/register/confirm": {"token": "x"},
    "/api/accounts/login": {"username": "csrf-organiser", "password": "hostile-input-2026-password"},
    "/api/accounts/password-reset": {"email": "csrf-organiser@example.org"},
    "/api/accounts/password-reset/confirm": {"uid": "MQ", "token": "x", "new_password": "forged-password-2026"},
}
UNCHANGING_TABLES = {"django_session", "axes_accessattempt", "axes_accesslog", "axes_accessfailurelog"}


@pytest.fixture
def world() -> World:
    world = build_world(["plain text"], slug="csrf")
    world.organiser.is_superuser = True
    world.organiser.is_staff = True
    world.organiser.save(update_fields=["is_superuser", "is_staff"])
    return world


def url_patterns(patterns: list[Any] | None = None, prefix: str = "") -> Iterator[str]:
    """The regular expression of every URL the site answers, includes and API routes resolved."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        regex = prefix + entry.pattern.regex.pattern.removeprefix("^")
        if isinstance(entry, URLResolver):
            yield from url_patterns(entry.url_patterns, regex)
        elif isinstance(entry, URLPattern):
            yield regex


def concrete(regex: str, values: dict[str, str]) -> str:
    template, names = normalize(regex)[0]
    return "/" + template % {name: values.get(name, "1") for name in names}


def parameters(world: World) -> dict[str, str]:
    challenge = world.challenges[0]
    return {
        "slug": world.event.slug,
        "route": world.page_routes[0],
        "username": world.players[0].username,
        "challenge_id": str(challenge.pk),
        "hint_id": str(challenge.hints.get().pk),
        "flag_id": str(challenge.flags.get().pk),
        "team_id": str(world.teams[0].pk),
        "user_id": str(world.players[0].pk),
        "path": "anything",
        "name": "file.txt",
        "uid": "MQ",
        "token": "set-password",
        "app_label": "ctf",
        "model_name": "event",
        "object_id": str(world.event.pk),
    }


def fingerprint() -> str:
    """A digest of every row the application keeps (sessions and sign-in throttling aside)."""
    digest = hashlib.sha256()
    for model in apps.get_models():
        if model._meta.db_table in UNCHANGING_TABLES:
            continue
        for row in model._default_manager.order_by("pk").values_list():
            digest.update(repr(row).encode())
    return digest.hexdigest()


def session_without_token(user: User) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def test_every_write_without_the_csrf_token_is_refused(world: World) -> None:
    client = session_without_token(world.organiser)
    values = parameters(world)
    before = fingerprint()
    answered: dict[str, list[str]] = {}
    for regex in url_patterns():
        url = concrete(regex, values)
        for method in WRITE_METHODS:
            body = VALID_BODIES.get(url, {})
            response = getattr(client, method)(url, data=body, content_type="application/json")
            answered.setdefault(str(response.status_code), []).append(f"{method.upper()} {url}")
    assert set(answered) <= {"403", "405"}, {
        code: urls for code, urls in answered.items() if code not in {"403", "405"}
    }
    assert len(answered["403"]) > 100
    assert fingerprint() == before


def api_write_operations() -> Iterator[tuple[str, str]]:
    """Each write of both JSON APIs, as their OpenAPI documents list it."""
    for ninja_api, prefix in ((api, "/api"), (ctfd_api, "/api/v1")):
        for path, operations in ninja_api.get_openapi_schema()["paths"].items():
            relative = path.removeprefix(prefix) if path.startswith(prefix) else path
            for method in operations:
                if method in WRITE_METHODS:
                    yield method, prefix + relative


def test_every_api_write_with_a_session_and_no_token_is_forbidden(world: World) -> None:
    client = session_without_token(world.organiser)
    values = parameters(world)
    before = fingerprint()
    operations = list(api_write_operations())
    assert len(operations) > 30
    refused: dict[str, int] = {}
    for method, path in operations:
        url = re.sub(r"\{(?:\w+:)?(\w+)\}", lambda match: values.get(match.group(1), "1"), path)
        response = getattr(client, method)(url, data=VALID_BODIES.get(url, {}), content_type="application/json")
        refused[f"{method.upper()} {url}"] = response.status_code
    assert {call: status for call, status in refused.items() if status != 403} == {}
    assert fingerprint() == before


def test_token_authenticated_writes_are_not_csrf_checked(world: World) -> None:
    _row, token = account_services.api_token_create(user=world.players[0], name="ci", expires_days=1)
    client = Client(enforce_csrf_checks=True)
    challenge = world.challenges[0]
    response = client.post(
        f"/api/challenges/{challenge.pk}/attempts",
        data={"flag": "not the flag"},
        content_type="application/json",
        headers={"Authorization": f"Token {token}"},
    )
    assert response.status_code == 200, response.content
    assert "kakehashi_session" not in response.cookies
