"""An event whose every authored field, in English and in Japanese, carries hostile input.

Everything is written through the services, as an organiser or a participant would write it.
``build_world`` is used by the test-client check and, through ``kakehashi shell``, by the
browser check against a running server.
"""

import unicodedata
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

from kakehashi.accounts import services as account_services
from kakehashi.accounts.models import User
from kakehashi.core import names
from kakehashi.ctf.choices import ChallengeState, FlagKind
from kakehashi.ctf.models import Challenge, Event, Team
from kakehashi.ctf.services import announcements, challenges, events, pages, play, teams
from tests.security.markup import MARKER

PASSWORD = "hostile-input-2026-password"
FLAG = "corpus{every_field_was_escaped}"
JAPANESE = "日本語の本文："


@dataclass
class World:
    event: Event
    organiser: User
    players: list[User] = field(default_factory=list)
    teams: list[Team] = field(default_factory=list)
    challenges: list[Challenge] = field(default_factory=list)
    page_routes: list[str] = field(default_factory=list)
    refused: dict[str, int] = field(default_factory=dict)  # field → payloads the services rejected


def marked(payload: str, limit: int = 10_000) -> str:
    return (f"{MARKER} {payload}")[:limit]


def both(payload: str, limit: int = 10_000) -> dict[str, str]:
    """The English and the Japanese text of one field."""
    return {"en": marked(payload, limit), "ja": marked(JAPANESE + payload, limit)}


def build_world(payloads: list[str], *, slug: str) -> World:
    first = payloads[0]
    organiser = account_services.user_create(
        actor=None, username=f"{slug}-organiser"[:30], email=f"{slug}-organiser@example.org", password=PASSWORD
    )
    all_text = "\n\n".join(payloads)
    event = events.event_create(
        creator=organiser,
        slug=slug,
        names=both(first, 200),
        descriptions={"en": marked(all_text), "ja": marked(JAPANESE + all_text)},
        starts_at=timezone.now() - timedelta(hours=1),
        ends_at=timezone.now() + timedelta(days=1),
    )
    world = World(event=event, organiser=organiser)
    for number, payload in enumerate(payloads):
        _challenge(world, number, payload)
        _player(world, number, payload)
        _organisation(world, number, payload)
        announcements.announcement_create(
            event=event,
            author=organiser,
            translations={
                code: {"title": title, "body": body}
                for (code, title), body in zip(both(payload, 200).items(), both(payload).values(), strict=True)
            },
        )
    for route, page_format in (("corpus-markdown", "markdown"), ("corpus-html", "html")):
        pages.page_create(
            event=event,
            route=route,
            format=page_format,
            translations={
                code: {"title": title, "content": content}
                for (code, title), content in zip(
                    both(first, 200).items(), (marked(all_text), marked(JAPANESE + all_text)), strict=True
                )
            },
        )
        world.page_routes.append(route)
    return world


def _challenge(world: World, number: int, payload: str) -> None:
    texts = {
        code: {"title": title, "description": text, "connection_info": text}
        for (code, title), text in zip(both(payload, 200).items(), both(payload).values(), strict=True)
    }
    challenge = challenges.challenge_create(
        event=world.event,
        category=marked(payload, 64),
        value=100 + number,
        translations=texts,
        author=marked(payload, 120),
        tags=[marked(payload, 64)],
    )
    challenges.hint_create(
        challenge=challenge,
        translations={
            code: {"title": title, "content": text}
            for (code, title), text in zip(both(payload, 120).items(), both(payload).values(), strict=True)
        },
    )
    challenges.flag_create(challenge=challenge, kind=FlagKind.STATIC, content=FLAG)
    challenges.challenge_publish(challenge=challenge, state=ChallengeState.VISIBLE)
    world.challenges.append(challenge)


def storable_name(payload: str) -> str:
    """The payload as a name the name rules accept: invisible and control characters (which they
    refuse, see ``kakehashi.core.names``) and marks that would pile up are taken out; the markup stays."""
    kept = "".join(c for c in payload if unicodedata.category(c) not in {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
    return "".join(c for c in kept if not unicodedata.combining(c))


def _as_name(world: World, payload: str) -> str:
    """The payload, or as much of it as the name rules accept (they refuse invisible characters and
    Latin mixed with Cyrillic or Greek in a word): the markup always stays."""
    try:
        names.clean(marked(payload, 80))
        return payload
    except names.NameProblem:
        world.refused["name"] = world.refused.get("name", 0) + 1
    name = storable_name(payload)
    try:
        names.clean(marked(name, 80))
    except names.NameProblem:
        name = "".join(c for c in name if ord(c) < 0x250 or ord(c) > 0x2FFF)
    return name


def _player(world: World, number: int, payload: str) -> None:
    slug = world.event.slug
    name_payload = _as_name(world, payload)
    try:  # a user name is an identifier: the service refuses markup in it
        user = account_services.user_create(
            actor=None, username=payload[:30], email=f"{slug}-{number}-raw@example.org", password=PASSWORD
        )
    except ValidationError:
        world.refused["username"] = world.refused.get("username", 0) + 1
        user = account_services.user_create(
            actor=None,
            username=f"{slug}-p{number}"[:30],
            email=f"{slug}-{number}@example.org",
            password=PASSWORD,
            display_name=marked(name_payload, 80),
        )
    participant = teams.participant_register(event=world.event, user=user)
    team = teams.team_create(participant=participant, name=marked(f"{number} {name_payload}", 80))
    challenge = world.challenges[number]
    play.submission_attempt(challenge=challenge, team=team, user=user, provided=FLAG)
    for hint in challenge.hints.all():
        play.hint_unlock(hint=hint, team=team, user=user)
    world.players.append(user)
    world.teams.append(team)


def _organisation(world: World, number: int, payload: str) -> None:
    titles, descriptions, slug = both(_as_name(world, payload), 200), both(payload), f"{world.event.slug}-org-{number}"
    try:
        account_services.organisation_create(
            kind="company", country="GB", slug=slug, names=titles, website=payload, descriptions=descriptions
        )
    except ValidationError:
        world.refused["organisation website"] = world.refused.get("organisation website", 0) + 1
        account_services.organisation_create(
            kind="company", country="JP", slug=slug, names=titles, descriptions=descriptions
        )
