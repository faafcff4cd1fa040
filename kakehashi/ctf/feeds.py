"""Machine-readable feeds for other services: the CTFtime scoreboard."""

import hashlib
from datetime import datetime

from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from kakehashi.core.errors import ApiError
from kakehashi.ctf import access, selectors
from kakehashi.ctf.choices import ScoreboardVisibility
from kakehashi.ctf.interop import ctftime
from kakehashi.ctf.models import Event, Solve
from kakehashi.ctf.services.standings import Entry, Snapshot

CACHE_SECONDS = 30


def _tasks(event: Event, shared: Snapshot) -> list[ctftime.Task]:
    """Challenges the public can see (never hidden or unreleased ones), named in the source language."""
    challenges = list(selectors.playable_challenges(event))
    names = ctftime.distinct([challenge.text("title", "en") or str(challenge.pk) for challenge in challenges])
    return [
        ctftime.Task(challenge_id=challenge.pk, name=name, points=shared.values.get(challenge.pk, challenge.value))
        for challenge, name in zip(challenges, names, strict=True)
    ]


def _standings(shared: Snapshot, entries: tuple[Entry, ...], tasks: list[ctftime.Task]) -> list[ctftime.Standing]:
    """Each ranked team's solves of the listed tasks, before the public cut-off."""
    team_ids = [entry.team_id for entry in entries]
    solves = Solve.objects.filter(team_id__in=team_ids, challenge_id__in=[task.challenge_id for task in tasks])
    if shared.cut_off is not None:
        solves = solves.filter(created_at__lt=shared.cut_off)
    by_team: dict[int, dict[int, datetime]] = {}
    for team_id, challenge_id, time in solves.values_list("team_id", "challenge_id", "created_at"):
        by_team.setdefault(team_id, {})[challenge_id] = time
    return [
        ctftime.Standing(
            position=entry.position,
            team=entry.name,
            score=entry.score,
            last_accept=entry.last_score_at,
            solves=by_team.get(entry.team_id, {}),
        )
        for entry in entries
    ]


def _etag(shared: Snapshot, bracket: str, tasks: list[ctftime.Task]) -> str:
    digest = hashlib.sha256(repr((bracket, [(t.challenge_id, t.name, t.points) for t in tasks])).encode()).hexdigest()
    return f'"{shared.event_id}-{shared.view}-{shared.version}-{digest[:16]}"'


@require_GET
def ctftime_feed(request: HttpRequest, slug: str) -> HttpResponse:
    """The public (frozen) standings in CTFtime's format, overall or within ``?bracket=``."""
    bracket = request.GET.get("bracket", "")
    try:
        event = access.access_event(request.user, slug)
        access.access_scoreboard(request.user, event)
        country, bracket_id = access.bracket_filter(event, bracket or None)
    except ApiError as error:
        return HttpResponse(str(error.message), status=error.status, content_type="text/plain; charset=utf-8")
    board = selectors.scoreboard(event, view="public", country=country, bracket_id=bracket_id)
    tasks = _tasks(event, board.snapshot)
    etag = _etag(board.snapshot, bracket, tasks)
    response: HttpResponse
    if etag in {tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")}:
        response = HttpResponseNotModified()
    else:
        document = ctftime.feed(tasks=tasks, standings=_standings(board.snapshot, board.entries, tasks))
        response = HttpResponse(ctftime.render(document), content_type="application/json")
    response["ETag"] = etag
    shared_cache = event.scoreboard_visibility == ScoreboardVisibility.PUBLIC
    response["Cache-Control"] = f"{'public' if shared_cache else 'private'}, max-age={CACHE_SECONDS}"
    if not shared_cache:
        patch_vary_headers(response, ["Cookie", "Authorization"])
    return response
