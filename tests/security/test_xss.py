"""Hostile input through every authored field, in both languages: no page or API answer that shows
it contains anything a browser would run (the browser itself checks in ``tests/browser/test_xss.py``)."""

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from kakehashi.accounts.models import User
from kakehashi.core import names
from kakehashi.ctf.services import events
from tests.security.markup import MARKER, executable_parts, load_corpus
from tests.security.world import World, build_world

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

CORPUS = load_corpus()
HTML_KEYS = ("html", "view")


@pytest.fixture
def world() -> World:
    return build_world(CORPUS, slug="corpus")


def signed_in(user: User | None, display: str) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    client.cookies["kakehashi_language"] = display
    return client


def page_findings(client: Client, url: str, *, language: str) -> list[str]:
    response = client.get(url, headers={"Accept-Language": language})
    assert response.status_code == 200, f"{url}: {response.status_code}"
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert MARKER in html, f"{url} shows none of the hostile fields"
    return [f"{url} line {found.line}: <{found.tag}> {found.problem}" for found in executable_parts(html)]


def public_pages(world: World, limit: int | None) -> list[str]:
    slug = world.event.slug
    return [
        reverse("site:home"),
        reverse("site:organisations"),
        reverse("ctf:event", args=[slug]),
        reverse("ctf:scoreboard", args=[slug]),
        *(reverse("ctf:page", args=[slug, route]) for route in world.page_routes),
        *(reverse("ctf:team", args=[slug, team.pk]) for team in world.teams[:limit]),
        *(reverse("ctf:user", args=[user.username]) for user in world.players[:limit]),
    ]


def staff_pages(world: World, limit: int | None) -> list[str]:
    slug = world.event.slug
    names = ["manage", "manage_settings", "manage_participants", "manage_submissions", "manage_announcements", "judge"]
    return [
        *(reverse(f"ctf:{name}", args=[slug]) for name in names),
        *(reverse("ctf:manage_challenge", args=[slug, challenge.pk]) for challenge in world.challenges[:limit]),
    ]


def test_hostile_fields_are_never_executable_in_pages(world: World) -> None:
    slug = world.event.slug

    def breaks_name_rules(payload: str) -> bool:
        try:
            names.clean(payload)
        except names.NameProblem:
            return True
        return False

    # Every payload is refused as a user name and a website; as a display, team or organisation name
    # only those the name rules refuse (invisible characters, mixed scripts), once for a player's
    # names and once for an organisation's.
    name_refusals = 2 * sum(1 for payload in CORPUS if breaks_name_rules(f"x {payload}"))
    expected = {"username": len(CORPUS), "organisation website": len(CORPUS)} | (
        {"name": name_refusals} if name_refusals else {}
    )
    assert world.refused == expected
    findings: list[str] = []
    # Side by side (both languages of every text), every page; in Japanese, one page of each kind.
    for display, language, limit in (("both", "en", None), ("ja", "ja", 1)):
        anonymous = signed_in(None, display)
        for url in public_pages(world, limit):
            findings += page_findings(anonymous, url, language=language)
        for player, challenge in list(zip(world.players, world.challenges, strict=True))[:limit]:
            client = signed_in(player, display)
            for url in (reverse("ctf:board", args=[slug]), reverse("ctf:challenge", args=[slug, challenge.pk])):
                findings += page_findings(client, url, language=language)
        organiser = signed_in(world.organiser, display)
        for url in staff_pages(world, limit):
            findings += page_findings(organiser, url, language=language)
    assert findings == []


def html_in(value: Any, key: str = "") -> list[str]:
    """Every string of a JSON answer that is meant to be shown as HTML."""
    if isinstance(value, dict):
        return [text for name, item in value.items() for text in html_in(item, str(name))]
    if isinstance(value, list):
        return [text for item in value for text in html_in(item, key)]
    return [value] if isinstance(value, str) and key.endswith(HTML_KEYS) else []


def test_hostile_fields_in_api_answers_are_data_not_markup(world: World) -> None:
    slug = world.event.slug
    events.event_set_default(event=world.event)
    challenge, team = world.challenges[0], world.teams[0]
    player_urls = [
        "/api/events",
        f"/api/events/{slug}",
        f"/api/events/{slug}/challenges",
        f"/api/challenges/{challenge.pk}",
        f"/api/events/{slug}/scoreboard",
        f"/api/events/{slug}/announcements",
        f"/api/events/{slug}/teams/{team.pk}",
        "/api/v1/challenges",
        f"/api/v1/challenges/{challenge.pk}",
        "/api/v1/scoreboard",
        f"/api/v1/teams/{team.pk}",
    ]
    organiser_urls = [
        f"/api/events/{slug}/manage/challenges",
        f"/api/manage/challenges/{challenge.pk}",
        f"/api/events/{slug}/participants",
        f"/api/events/{slug}/submissions",
    ]
    findings: list[str] = []
    shown = 0
    for user, urls in ((world.players[0], player_urls), (world.organiser, organiser_urls)):
        client = signed_in(user, "both")
        for url in urls:
            for language in ("en", "ja"):
                response = client.get(url, headers={"Accept-Language": language})
                assert response.status_code == 200, f"{url}: {response.status_code} {response.content[:200]!r}"
                assert response["Content-Type"].startswith("application/json")
                assert response["X-Content-Type-Options"] == "nosniff"
                assert "default-src 'none'" in response["Content-Security-Policy"]
                body = json.loads(response.content)
                assert MARKER in response.content.decode("unicode_escape", errors="replace") or MARKER in str(body)
                for html in html_in(body):
                    shown += 1
                    findings += [f"{url}: <{found.tag}> {found.problem}" for found in executable_parts(html)]
    assert shown > len(CORPUS)  # descriptions, hints and announcements were rendered for the API
    assert findings == []


def test_markdown_preview_of_hostile_text_is_inert(world: World) -> None:
    client = signed_in(world.organiser, "en")
    url = reverse("ctf:manage_preview", args=[world.event.slug])
    findings: dict[str, list[str]] = {}
    for payload in CORPUS:
        response = client.post(url, {"text": payload})
        assert response.status_code == 200
        found = executable_parts(response.json()["html"])
        if found:
            findings[payload] = [f"<{part.tag}> {part.problem}" for part in found]
    assert findings == {}
