"""Every route × every role: allowed or denied as the matrix says.

The routes come from the URL configuration (:mod:`tests.access.routes`); a route without an entry in
:mod:`tests.access.matrix`, or an entry naming no route, fails. API routes are called with the role's
API token and again with its browser session; pages with the session. Each request runs in its own
transaction, rolled back afterwards, so writes never reach the next cell.
"""

from typing import Any

import pytest
from django.core.cache import cache
from django.db import transaction

from tests.access.client import classify, resolve, send, url_of
from tests.access.matrix import ADMIN_EXCEPTIONS, ADMIN_PREFIX, ADMIN_SITE, MATRIX, ROLES, Case
from tests.access.routes import Route, all_routes
from tests.access.world import World

pytestmark = pytest.mark.slow
ROUTES = all_routes()


def _is_admin(route: Route) -> bool:
    return route.pattern.startswith(ADMIN_PREFIX)


def cases_of(route: Route) -> list[Case]:
    if _is_admin(route):
        return ADMIN_EXCEPTIONS.get(route.key) or [Case(ADMIN_SITE)]
    return MATRIX[route.key]


def test_every_route_has_an_entry() -> None:
    missing = sorted(route.key for route in ROUTES if not _is_admin(route) and route.key not in MATRIX)
    assert not missing, "routes without an entry in tests/access/matrix.py:\n" + "\n".join(missing)


def test_every_entry_names_a_route() -> None:
    known = {route.key for route in ROUTES}
    stale = sorted((set(MATRIX) | set(ADMIN_EXCEPTIONS)) - known)
    assert not stale, "entries in tests/access/matrix.py for routes that no longer exist:\n" + "\n".join(stale)


def test_every_entry_gives_every_role() -> None:
    for key, cases in {**MATRIX, **ADMIN_EXCEPTIONS}.items():
        assert cases, key
        for case in cases:
            assert tuple(case.expect) == ROLES, key


def test_the_enumeration_sees_every_kind_of_route() -> None:
    keys = {route.key for route in ROUTES}
    assert "GET /api/events/<slug>/scoreboard" in keys  # native API, one router
    assert "PATCH /api/events/<slug>" in keys  # a second router's method on a shared path
    assert "POST /api/v1/challenges/attempt" in keys  # the CTFd-compatible API
    assert "POST /events/<slug:slug>/challenges/<int:challenge_id>/flag/" in keys  # require_POST
    assert "GET /events/<slug:slug>/team/leave/" in keys  # require_http_methods behind another decorator
    assert "POST /events/<slug:slug>/team/leave/" in keys
    assert "* /events/<slug:slug>/stream" in keys  # any method
    assert "PUT /accounts/login/" in keys  # a class-based view's handlers


def test_no_route_is_shadowed_by_an_earlier_one() -> None:
    """Django hands a path to the first pattern that matches: two views on one pattern would leave the
    second unreachable (and unchecked)."""
    views: dict[str, set[int]] = {}
    for route in ROUTES:
        views.setdefault(route.pattern, set()).add(id(route.callback))
    ninja_shared = {pattern for pattern, ids in views.items() if len(ids) > 1 and pattern.startswith("api/")}
    for pattern in ninja_shared:
        methods = [route.key for route in ROUTES if route.pattern == pattern]
        assert len(methods) == len(set(methods)), pattern
    shadowed = sorted(p for p, ids in views.items() if len(ids) > 1 and p not in ninja_shared)
    assert not shadowed, shadowed


def _auths(route: Route, case: Case, role: str) -> list[str]:
    if role == "anonymous":
        return ["none"]
    if route.pattern.startswith("api/"):
        return ["token", "session"] if case.sessions else ["token"]
    return ["session"]


def _call(world: World, route: Route, case: Case, role: str, auth: str) -> Any:
    client = world.session_client(role if auth == "session" else "anonymous")
    headers = world.token_headers(role) if auth == "token" else {}
    body = resolve(world, case.body) if case.body is not None else None
    api = route.pattern.startswith("api/")
    method = case.method or route.method
    response = send(client, method, url_of(world, route, case), body, api=api, multipart=case.multipart, **headers)
    if getattr(response, "streaming", False) and not getattr(response, "is_async", False):
        # Read to the end through the test client's wrapper, which closes the file without ending the
        # "request" (ending it would close the database connection holding the world's transaction).
        b"".join(response.streaming_content)
    return response


def run_cell(world: World, route: Route, case: Case, role: str, auth: str) -> tuple[str, str]:
    with transaction.atomic():
        response = _call(world, route, case, role, auth)
        transaction.set_rollback(True)
    cache.clear()
    outcome = classify(response, page=not route.pattern.startswith("api/"))
    return outcome.kind, outcome.detail


@pytest.mark.parametrize("route", [r for r in ROUTES if _is_admin(r) or r.key in MATRIX], ids=lambda r: r.key)
def test_access(route: Route, world: World, db: Any) -> None:
    wrong = []
    for number, case in enumerate(cases_of(route), start=1):
        for role in ROLES:
            for auth in _auths(route, case, role):
                kind, detail = run_cell(world, route, case, role, auth)
                if kind != case.expect[role]:
                    where = url_of(world, route, case)
                    wrong.append(
                        f"case {number} {where} {role} ({auth}): expected {case.expect[role]}, got {kind} [{detail}]"
                    )
    assert not wrong, "\n".join(wrong)
