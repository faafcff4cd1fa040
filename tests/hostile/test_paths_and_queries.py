"""Hostile path and query parameters: NUL characters, lone surrogates, numbers past the database's
integer range. Each is a 4xx in the API's shape on SQLite and PostgreSQL alike, never a 500."""

from typing import Any

import pytest
from django.test import Client

from kakehashi.accounts import services as accounts
from kakehashi.accounts.tests.factories import UserFactory
from kakehashi.ctf.models import EventStaff
from kakehashi.ctf.tests.factories import ChallengeFactory, EventFactory

pytestmark = pytest.mark.django_db

HUGE = "9" * 30
PATHS = [
    "/api/events/%00",
    "/api/events/a%00b/scoreboard",
    "/api/events/%ED%A0%80",  # a UTF-8-encoded lone surrogate
    "/api/events/%FF%FE",  # not UTF-8 at all
    f"/api/challenges/{HUGE}",
    f"/api/manage/challenges/{HUGE}",
    "/api/challenges/-1",
    f"/api/events/{{slug}}/teams/{HUGE}",
    f"/api/organisations/{HUGE}",
    "/api/v1/challenges/%00",
    f"/api/v1/challenges/{HUGE}",
    f"/api/v1/teams/{HUGE}",
    f"/api/v1/users/{HUGE}",
]
QUERIES = [
    "/api/events/{slug}/scoreboard?bracket=%00",
    "/api/events/{slug}/scoreboard?bracket=%ED%A0%80",
    f"/api/events/{{slug}}/submissions?team_id={HUGE}",
    f"/api/events/{{slug}}/submissions?challenge_id={HUGE}",
    "/api/events/{slug}/submissions?result=%00",
    "/api/v1/challenges?category=%00",
    "/api/v1/files?type=%00",
    "/api/v1/scoreboard/top/99999999999999999999",
]


@pytest.fixture
def organiser(db: Any) -> tuple[str, dict[str, str]]:
    event = EventFactory.create(is_default=True)
    ChallengeFactory.create(event=event)
    user = UserFactory.create()
    EventStaff.objects.create(event=event, user=user, role="organiser")
    _row, raw = accounts.api_token_create(user=user)
    return event.slug, {"Authorization": f"Token {raw}"}


@pytest.mark.parametrize("path", PATHS + QUERIES)
def test_hostile_parameter_is_a_client_error(organiser: tuple[str, dict[str, str]], path: str) -> None:
    slug, headers = organiser
    response = Client().get(path.replace("{slug}", slug), headers=headers)
    assert 200 <= response.status_code < 500, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json")
    if response.status_code >= 400:
        body = response.json()
        assert body.get("message") or body.get("errors")


@pytest.mark.parametrize("query", ["bracket=%00", "bracket=a%00b", "x=1&bracket=%00"])
def test_query_with_unstorable_text_is_refused_by_name(organiser: tuple[str, dict[str, str]], query: str) -> None:
    slug, headers = organiser
    response = Client().get(f"/api/events/{slug}/scoreboard?{query}", headers=headers)
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid_text"
