"""The participants' exercises API through HTTP."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kakehashi.accounts import services as accounts
from kakehashi.accounts.models import User
from kakehashi.accounts.tests.factories import UserFactory
from kakehashi.ctf.models import Attachment, Challenge, Event, EventStaff, Participant, Solve
from kakehashi.ctf.tests.factories import (
    ChallengeFactory,
    ChallengeTranslationFactory,
    EventFactory,
    FlagFactory,
    HintFactory,
    HintTranslationFactory,
    ParticipantFactory,
)

pytestmark = pytest.mark.django_db

FLAG = "flag{kakehashi}"


def auth(user: User) -> dict[str, str]:
    _row, raw = accounts.api_token_create(user=user)
    return {"Authorization": f"Token {raw}"}


@pytest.fixture
def player() -> Participant:
    return ParticipantFactory.create()


@pytest.fixture
def challenge(player: Participant) -> Challenge:
    challenge = ChallengeFactory.create(event=player.event, value=100, category="crypto")
    FlagFactory.create(challenge=challenge, content=FLAG)
    return challenge


def post(client: Client, path: str, data: Any, headers: dict[str, str]) -> Any:
    return client.post(path, data, content_type="application/json", headers=headers)


def test_event_list_and_detail_are_public(client: Client, player: Participant) -> None:
    listed = client.get("/api/events").json()
    assert [e["slug"] for e in listed] == [player.event.slug]
    detail = client.get(f"/api/events/{player.event.slug}").json()
    assert detail["phase"] == "running"
    assert detail["languages"] == ["en", "ja"]
    assert client.get("/api/events/nope").status_code == 404


def test_register_create_team_and_join(client: Client) -> None:
    event = EventFactory.create()
    captain, friend = UserFactory.create(country="GB"), UserFactory.create(country="JP")
    assert post(client, f"/api/events/{event.slug}/registration", {}, auth(captain)).status_code == 201
    team = post(client, f"/api/events/{event.slug}/teams", {"name": "架け橋"}, auth(captain))
    assert team.status_code == 201, team.content
    code = team.json()["invite_code"]
    assert team.json()["country_bracket"] == "uk"
    post(client, f"/api/events/{event.slug}/registration", {}, auth(friend))
    joined = post(client, f"/api/events/{event.slug}/teams/join", {"invite_code": code}, auth(friend))
    assert joined.status_code == 200, joined.content
    assert joined.json()["country_bracket"] == "mixed"
    public = client.get(f"/api/events/{event.slug}/teams/{team.json()['id']}").json()
    assert public["invite_code"] is None  # only members see the code
    assert len(public["members"]) == 2


def test_registering_twice_is_a_clear_error(client: Client, player: Participant) -> None:
    response = post(
        client, f"/api/events/{player.event.slug}/registration", {}, auth(player.user) | {"Accept-Language": "ja"}
    )
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"


def test_challenge_list_needs_registration(client: Client, challenge: Challenge) -> None:
    stranger = UserFactory.create()
    response = client.get(f"/api/events/{challenge.event.slug}/challenges", headers=auth(stranger))
    assert response.status_code == 403
    assert response.json()["code"] == "not_registered"
    assert client.get(f"/api/events/{challenge.event.slug}/challenges").status_code == 401


def test_challenge_list_hides_hidden_and_unreleased(client: Client, player: Participant, challenge: Challenge) -> None:
    ChallengeFactory.create(event=player.event, state="hidden")
    ChallengeFactory.create(event=player.event, release_at=timezone.now() + timedelta(hours=1))
    listed = client.get(f"/api/events/{player.event.slug}/challenges", headers=auth(player.user)).json()
    assert [c["id"] for c in listed] == [challenge.pk]
    assert listed[0]["titles"] == {"en": "Bridge", "ja": "橋"}


def test_hidden_challenge_is_not_found(client: Client, player: Participant) -> None:
    hidden = ChallengeFactory.create(event=player.event, state="hidden")
    assert client.get(f"/api/challenges/{hidden.pk}", headers=auth(player.user)).status_code == 404
    response = post(client, f"/api/challenges/{hidden.pk}/attempts", {"flag": "x"}, auth(player.user))
    assert response.status_code == 404


def test_challenge_detail_in_the_requested_language(client: Client, player: Participant, challenge: Challenge) -> None:
    headers = auth(player.user)
    japanese = client.get(f"/api/challenges/{challenge.pk}", headers=headers | {"Accept-Language": "ja"}).json()
    assert japanese["text"]["title"] == "橋"
    assert japanese["language"] == "ja"
    assert not japanese["fallback"]
    assert set(japanese["texts"]) == {"en", "ja"}


def test_fallback_is_marked(client: Client, player: Participant) -> None:
    english_only = ChallengeFactory.create(event=player.event, japanese=None)
    body = client.get(
        f"/api/challenges/{english_only.pk}", headers=auth(player.user) | {"Accept-Language": "ja"}
    ).json()
    assert body["language"] == "en"
    assert body["fallback"] is True


def test_attempts_wrong_then_right(client: Client, player: Participant, challenge: Challenge) -> None:
    headers = auth(player.user) | {"Accept-Language": "ja"}
    wrong = post(client, f"/api/challenges/{challenge.pk}/attempts", {"flag": "flag{no}"}, headers)
    assert wrong.status_code == 200
    assert wrong.json()["result"] == "incorrect"
    assert "フラグ" in wrong.json()["message"]
    right = post(client, f"/api/challenges/{challenge.pk}/attempts", {"flag": FLAG}, headers)
    assert right.json() | {"message": ""} == {"result": "correct", "message": "", "retry_after": 0, "blood": 1}
    assert Solve.objects.count() == 1


def test_rate_limited_attempts_answer_429_with_retry_after(
    client: Client, player: Participant, challenge: Challenge
) -> None:
    Event.objects.filter(pk=player.event.pk).update(wrong_attempts_per_minute=2)
    headers = auth(player.user)
    for guess in ("a", "b"):
        post(client, f"/api/challenges/{challenge.pk}/attempts", {"flag": guess}, headers)
    limited = post(client, f"/api/challenges/{challenge.pk}/attempts", {"flag": FLAG}, headers)
    assert limited.status_code == 429
    assert limited.json()["result"] == "rate_limited"
    assert int(limited["Retry-After"]) >= 1


def test_oversized_flag_is_a_validation_error(client: Client, player: Participant, challenge: Challenge) -> None:
    response = post(client, f"/api/challenges/{challenge.pk}/attempts", {"flag": "x" * 5000}, auth(player.user))
    assert response.status_code == 422


def test_hint_unlock(
    client: Client, player: Participant, challenge: Challenge, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    hint = HintFactory.create(challenge=challenge, cost=0)
    HintTranslationFactory.create(hint=hint, language_code="ja", content="よく見てください。")
    headers = auth(player.user)
    detail = client.get(f"/api/challenges/{challenge.pk}", headers=headers).json()
    assert detail["hints"][0]["content_html"] is None  # locked hints show no content
    with django_capture_on_commit_callbacks(execute=True):
        unlocked = post(client, f"/api/hints/{hint.pk}/unlock", {}, headers | {"Accept-Language": "ja"})
    assert unlocked.status_code == 200
    assert "よく見てください" in unlocked.json()["content_html"]


def test_costly_hint_without_points(client: Client, player: Participant, challenge: Challenge) -> None:
    hint = HintFactory.create(challenge=challenge, cost=50)
    response = post(client, f"/api/hints/{hint.pk}/unlock", {}, auth(player.user))
    assert response.status_code == 422
    assert response.json()["details"][0]["code"] == "not_enough_points"


def test_scoreboard_public_brackets_and_freeze(
    client: Client, player: Participant, challenge: Challenge, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        post(client, f"/api/challenges/{challenge.pk}/attempts", {"flag": FLAG}, auth(player.user))
    board = client.get(f"/api/events/{player.event.slug}/scoreboard").json()
    assert [(e["team_id"], e["score"]) for e in board["entries"]] == [(player.team_id, 100)]
    assert board["frozen"] is False
    assert client.get(f"/api/events/{player.event.slug}/scoreboard?bracket=jp").json()["entries"] == []
    assert client.get(f"/api/events/{player.event.slug}/scoreboard?bracket=nope").status_code == 404


def test_frozen_scoreboard_hides_later_solves_from_the_public(
    client: Client, player: Participant, challenge: Challenge, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    Event.objects.filter(pk=player.event.pk).update(freeze_at=timezone.now() - timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        post(client, f"/api/challenges/{challenge.pk}/attempts", {"flag": FLAG}, auth(player.user))
    public = client.get(f"/api/events/{player.event.slug}/scoreboard").json()
    assert public["frozen"] is True
    assert public["entries"] == []
    organiser = UserFactory.create()
    EventStaff.objects.create(event=player.event, user=organiser, role="organiser")
    live = client.get(f"/api/events/{player.event.slug}/scoreboard", headers=auth(organiser)).json()
    assert live["live"] is True
    assert [e["score"] for e in live["entries"]] == [100]


def test_private_scoreboard(client: Client, player: Participant) -> None:
    Event.objects.filter(pk=player.event.pk).update(scoreboard_visibility="participants")
    assert client.get(f"/api/events/{player.event.slug}/scoreboard").status_code == 401
    assert client.get(f"/api/events/{player.event.slug}/scoreboard", headers=auth(player.user)).status_code == 200


def test_attachment_download_is_guarded(client: Client, player: Participant, challenge: Challenge) -> None:
    attachment = Attachment(challenge=challenge, name="notes.txt", sha256="0" * 64, size=5)
    attachment.file.save("notes.txt", ContentFile(b"hello"), save=True)
    url = f"/files/{attachment.pk}/notes.txt"
    assert client.get(url).status_code == 401
    assert client.get(f"/files/{attachment.pk + 99}/x").status_code == 401  # no existence probing
    client.force_login(player.user)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"hello"  # type: ignore[attr-defined]
    assert "attachment" in response["Content-Disposition"]
    Challenge.objects.filter(pk=challenge.pk).update(state="hidden")
    assert client.get(url).status_code == 404


def test_challenge_list_query_count_does_not_grow(client: Client, player: Participant) -> None:
    for index in range(3):
        item = ChallengeFactory.create(event=player.event)
        HintFactory.create(challenge=item)
        ChallengeTranslationFactory.create(challenge=item, language_code="ja", title=f"問題{index}") if False else None
    headers = auth(player.user)
    client.get(f"/api/events/{player.event.slug}/challenges", headers=headers)  # warm the standings cache
    with CaptureQueriesContext(connection) as few:
        client.get(f"/api/events/{player.event.slug}/challenges", headers=headers)
    for _ in range(10):
        item = ChallengeFactory.create(event=player.event)
        HintFactory.create(challenge=item)
    client.get(f"/api/events/{player.event.slug}/challenges", headers=headers)
    with CaptureQueriesContext(connection) as many:
        client.get(f"/api/events/{player.event.slug}/challenges", headers=headers)
    assert len(many) == len(few)
    assert len(few) <= 14


def test_scoreboard_lists_bloods_and_never_counts_hidden_challenges(
    client: Client, player: Participant, challenge: Challenge, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    secret = ChallengeFactory.create(event=player.event, state="hidden")
    FlagFactory.create(challenge=secret, content="flag{secret}")
    organiser = UserFactory.create()
    EventStaff.objects.create(event=player.event, user=organiser, role="organiser")
    organiser_player = ParticipantFactory.create(event=player.event, user=organiser)
    with django_capture_on_commit_callbacks(execute=True):
        post(client, f"/api/challenges/{challenge.pk}/attempts", {"flag": FLAG}, auth(player.user))
        post(client, f"/api/challenges/{secret.pk}/attempts", {"flag": "flag{secret}"}, auth(organiser))
    public = client.get(f"/api/events/{player.event.slug}/scoreboard").json()
    assert public["bloods"] == {str(challenge.pk): [player.team_id]}
    assert public["solve_counts"] == {str(challenge.pk): 1}
    staff = client.get(f"/api/events/{player.event.slug}/scoreboard", headers=auth(organiser)).json()
    assert staff["solve_counts"] == {str(challenge.pk): 1, str(secret.pk): 1}
    assert staff["bloods"][str(secret.pk)] == [organiser_player.team_id]
