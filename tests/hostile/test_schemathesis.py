"""The native API against its own OpenAPI schema, with schemathesis generating the requests.

Every operation is called as an organiser of a fixture event (with a token), as a registered
participant of it and anonymously. Path parameters name the fixture's objects, so the calls reach
the handlers instead of stopping at "not found". The checks: no 5xx, every status code is
documented, and the content type and body of every answer match the schema.

Generation is derandomized and bounded (a few examples per operation) so the run is the same in CI
every time and takes about a minute.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar, cast

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from kakehashi.accounts import services as accounts
from kakehashi.accounts.tests.factories import OrganisationFactory, OrganisationTranslationFactory, UserFactory
from kakehashi.api import api
from kakehashi.ctf.models import Attachment, Award, EventStaff
from kakehashi.ctf.tests.factories import (
    ChallengeFactory,
    EventFactory,
    FlagFactory,
    HintFactory,
    ParticipantFactory,
    TeamFactory,
)
from kakehashi.wsgi import application

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
schema.app = application  # in-process: requests go straight to the WSGI application

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = {"organiser": 12, "participant": 6, "anonymous": 4}


@dataclass
class World:
    """A running event with one of everything, and the callers' headers."""

    path_parameters: dict[str, Any]
    headers: dict[str, dict[str, str]]


def _token(user: Any) -> dict[str, str]:
    _row, raw = accounts.api_token_create(user=user)
    return {"Authorization": f"Token {raw}"}


@pytest.fixture
def _keep_test_connection() -> Iterator[None]:
    """Django closes the database connection after each request; the test's transaction lives in it.

    The WSGI application is called directly, so do what Django's test client does around a request.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def world(db: Any, _keep_test_connection: None) -> World:
    organiser = UserFactory.create(role="organiser")
    event = EventFactory.create(languages=["en", "ja"])
    EventStaff.objects.create(event=event, user=organiser, role="organiser")
    challenge = ChallengeFactory.create(event=event)
    ChallengeFactory.create(event=event, category="crypto")
    flag = FlagFactory.create(challenge=challenge)
    hint = HintFactory.create(challenge=challenge)
    participant = ParticipantFactory.create(event=event)
    team = participant.team
    assert team is not None
    other_team = TeamFactory.create(event=event)
    ParticipantFactory.create(event=event, team=other_team)
    award = Award.objects.create(
        event=event, team=team, value=5, reason="fixture", created_by=organiser, created_at=timezone.now()
    )
    attachment = Attachment.objects.create(challenge=challenge, name="notes.txt", size=1, sha256="0" * 64)
    organisation = OrganisationFactory.create()
    OrganisationTranslationFactory.create(organisation=organisation)
    spare_token, _raw = accounts.api_token_create(user=organiser, name="spare")
    return World(
        path_parameters={
            "slug": event.slug,
            "challenge_id": challenge.pk,
            "flag_id": flag.pk,
            "hint_id": hint.pk,
            "team_id": other_team.pk,
            "participant_id": participant.pk,
            "award_id": award.pk,
            "attachment_id": attachment.pk,
            "organisation_id": organisation.pk,
            "user_id": participant.user_id,
            "token_id": spare_token.pk,
        },
        headers={"organiser": _token(organiser), "participant": _token(participant.user), "anonymous": {}},
    )


def _run(case: Any, world: World, role: str) -> None:
    for name in case.path_parameters or {}:
        if name in world.path_parameters:
            case.path_parameters[name] = world.path_parameters[name]
    headers = dict(case.headers or {})
    headers.pop("Authorization", None)
    headers.update(world.headers[role])
    case.headers = headers
    case.call_and_validate(app=application, checks=CHECKS)


Test = TypeVar("Test", bound=Callable[..., None])


def _each_operation(test: Test) -> Test:
    """One test per operation of the schema (schemathesis' decorator is untyped)."""
    return cast(Test, schema.parametrize()(test))


def _bounded(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )


@_each_operation
@_bounded(EXAMPLES["organiser"])
def test_as_organiser(case: Any, world: World) -> None:
    _run(case, world, "organiser")


@_each_operation
@_bounded(EXAMPLES["participant"])
def test_as_participant(case: Any, world: World) -> None:
    _run(case, world, "participant")


@_each_operation
@_bounded(EXAMPLES["anonymous"])
def test_anonymously(case: Any, world: World) -> None:
    _run(case, world, "anonymous")
