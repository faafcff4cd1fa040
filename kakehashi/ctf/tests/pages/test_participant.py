"""Participant pages through Django's test client: who may see what, the forms without JavaScript,
the board's badges, the scoreboard's tabs, banner and chart, and bounded query counts."""

import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import resolve
from django.utils import timezone

from kakehashi.accounts.tests.factories import UserFactory
from kakehashi.ctf.models import Attachment, Challenge, Event, Participant, Team
from kakehashi.ctf.pages.participant import score_chart
from kakehashi.ctf.services import events as event_services
from kakehashi.ctf.services import play
from kakehashi.ctf.services import teams as team_services
from kakehashi.ctf.tests.factories import (
    ChallengeFactory,
    EventFactory,
    FlagFactory,
    HintFactory,
    ParticipantFactory,
    TeamFactory,
)

pytestmark = pytest.mark.django_db

FLAG = "flag{kakehashi}"
OnCommit = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


@pytest.fixture
def player() -> Participant:
    return ParticipantFactory.create()


@pytest.fixture
def challenge(player: Participant) -> Challenge:
    challenge = ChallengeFactory.create(event=player.event, value=100, category="crypto")
    FlagFactory.create(challenge=challenge, content=FLAG)
    return challenge


@pytest.fixture
def signed_in(client: Client, player: Participant) -> Client:
    client.force_login(player.user)
    return client


def html(response: Any) -> str:
    return str(response.content.decode())


def messages_of(response: Any) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def feedback(response: Any) -> str:
    """The outcome shown next to the flag form."""
    found = re.search(r'<p id="flag-feedback"[^>]*>(.*?)</p>', html(response), re.S)
    assert found is not None
    return found.group(1).strip()


def url(name: str, event: Event, **kwargs: Any) -> str:
    parts = "/".join(str(value) for value in kwargs.values())
    paths = {
        "event": f"/events/{event.slug}/",
        "register": f"/events/{event.slug}/register/",
        "team_create": f"/events/{event.slug}/team/create/",
        "team_join": f"/events/{event.slug}/team/join/",
        "team_leave": f"/events/{event.slug}/team/leave/",
        "board": f"/events/{event.slug}/challenges/",
        "challenge": f"/events/{event.slug}/challenges/{parts}/",
        "flag": f"/events/{event.slug}/challenges/{parts}/flag/",
        "hint": f"/events/{event.slug}/hints/{parts}/unlock/",
        "scoreboard": f"/events/{event.slug}/scoreboard/",
        "team": f"/events/{event.slug}/teams/{parts}/",
    }
    return paths[name]


def solve(participant: Participant, challenge: Challenge, *, at: datetime | None = None) -> None:
    assert participant.team is not None
    play.submission_attempt(challenge=challenge, team=participant.team, user=participant.user, provided=FLAG, now=at)


# --- home -------------------------------------------------------------------------------------------


def test_home_lists_events_with_times_phase_and_countdown(client: Client) -> None:
    now = timezone.now()
    EventFactory.create(slug="running")
    EventFactory.create(slug="coming", starts_at=now + timedelta(days=2), ends_at=now + timedelta(days=3))
    EventFactory.create(slug="over", starts_at=now - timedelta(days=3), ends_at=now - timedelta(days=2))
    page = html(client.get("/"))
    assert page.index("/events/running/") < page.index("/events/coming/") < page.index("/events/over/")
    assert "phase-running" in page
    assert "phase-not_started" in page
    assert "phase-ended" in page
    assert page.count("data-countdown") == 3
    assert "Starts in 2\xa0days" in page or "Starts in 1\xa0day" in page
    assert 'data-label-end="Ends in %(time)s"' in page
    assert 'data-zone="Asia/Tokyo"' in page


# --- event page, registration and teams without JavaScript ------------------------------------------------------------


def test_event_page_is_public_and_invites_anonymous_visitors_to_sign_in(client: Client) -> None:
    event = EventFactory.create()
    response = client.get(url("event", event))
    assert response.status_code == 200
    assert "Sign in to register for this event." in html(response)
    assert f"Event {event.slug}" in html(response)
    assert client.get("/events/no-such-event/").status_code == 404


def test_register_create_team_join_by_code_and_leave(
    client: Client, django_capture_on_commit_callbacks: OnCommit
) -> None:
    event = EventFactory.create(team_size_limit=3)
    captain, friend = UserFactory.create(country="GB"), UserFactory.create(country="JP")
    client.force_login(captain)
    with django_capture_on_commit_callbacks(execute=True):
        registered = client.post(url("register", event), follow=True)
        assert "You are registered for this event." in messages_of(registered)
        assert "Create a team" in html(registered)
        created = client.post(url("team_create", event), {"name": "Bridge Builders"}, follow=True)
    team = Team.objects.get(event=event)
    assert team.name == "Bridge Builders"
    assert team.invite_code in html(created)  # members see the code

    other = Client()
    other.force_login(friend)
    with django_capture_on_commit_callbacks(execute=True):
        other.post(url("register", event))
        wrong = other.post(url("team_join", event), {"invite_code": "not-the-code"})
        assert wrong.status_code == 400
        assert "This invitation code is not correct." in html(wrong)
        joined = other.post(url("team_join", event), {"invite_code": team.invite_code}, follow=True)
    assert "You have joined Bridge Builders." in messages_of(joined)
    team.refresh_from_db()
    assert team.country_bracket == "mixed"

    confirm = other.get(url("team_leave", event))
    assert confirm.status_code == 200
    assert "Leave the team?" in html(confirm)
    assert Participant.objects.get(user=friend).team_id == team.pk  # asking changes nothing
    with django_capture_on_commit_callbacks(execute=True):
        left = other.post(url("team_leave", event), follow=True)
    assert "You have left the team." in messages_of(left)
    assert Participant.objects.get(user=friend).team_id is None


def test_registration_modes_explain_themselves(client: Client) -> None:
    user = UserFactory.create(email="someone@example.org")
    client.force_login(user)
    invite = EventFactory.create(registration="invite", invite_code="bridge-2026")
    page = html(client.get(url("event", invite)))
    assert 'name="invite_code"' in page
    refused = client.post(url("register", invite), {"invite_code": "wrong"})
    assert refused.status_code == 400
    assert "This invitation code is not correct." in html(refused)
    assert client.post(url("register", invite), {"invite_code": "bridge-2026"}).status_code == 302

    domain = EventFactory.create(registration="domain", allowed_email_domains=["ac.jp"])
    assert "ac.jp" in html(client.get(url("event", domain)))
    refused = client.post(url("register", domain))
    assert refused.status_code == 400
    assert "Your e-mail domain may not register for this event." in html(refused)

    approval = EventFactory.create(registration="approval")
    waiting = client.post(url("register", approval), follow=True)
    assert "Thank you. An organiser will review your registration." in messages_of(waiting)
    assert "waiting for an organiser's approval" in html(waiting)
    board = client.get(url("board", approval), follow=True)
    assert "Your registration is waiting for an organiser&#x27;s approval." in html(board)


def test_service_errors_are_shown_in_the_readers_language(client: Client, player: Participant) -> None:
    newcomer = ParticipantFactory.create(event=player.event, team=None)
    client.force_login(newcomer.user)
    assert player.team is not None
    response = client.post(
        url("team_create", player.event), {"name": player.team.name.upper()}, headers={"Accept-Language": "ja"}
    )
    assert response.status_code == 400
    assert "このイベントには同じ名前のチームが既にあります。" in html(response)


def test_registering_needs_an_account(client: Client) -> None:
    event = EventFactory.create()
    response = client.post(url("register", event))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert f"/events/{event.slug}/" in response["Location"]


def test_invite_code_of_a_team_is_only_shown_to_members(client: Client, player: Participant) -> None:
    assert player.team is not None
    team_page = url("team", player.event, team=player.team.pk)
    assert player.team.invite_code not in html(client.get(team_page))
    client.force_login(player.user)
    assert player.team.invite_code in html(client.get(team_page))


# --- who may see what -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["board", "challenge", "hint", "team_leave"])
def test_anonymous_visitors_are_sent_to_sign_in(client: Client, challenge: Challenge, name: str) -> None:
    hint = HintFactory.create(challenge=challenge)
    target = {"challenge": challenge.pk, "hint": hint.pk}.get(name)
    path = url(name, challenge.event, id=target) if target else url(name, challenge.event)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_participants_of_another_event_are_sent_to_register(signed_in: Client, player: Participant) -> None:
    other = ChallengeFactory.create()
    FlagFactory.create(challenge=other)
    board = signed_in.get(url("board", other.event), follow=True)
    assert board.redirect_chain[-1][0] == url("event", other.event)
    assert "Register for this event first." in messages_of(board)
    challenge = signed_in.get(url("challenge", other.event, id=other.pk), follow=True)
    assert challenge.redirect_chain[-1][0] == url("event", other.event)
    flag = signed_in.post(url("flag", other.event, id=other.pk), {"flag": FLAG})
    assert flag["Location"] == url("event", other.event)
    assert not other.solves.exists()
    # Another event's challenge under this event's address does not exist, even for its players.
    ParticipantFactory.create(event=other.event, user=player.user)
    assert signed_in.get(url("challenge", other.event, id=other.pk)).status_code == 200
    assert signed_in.get(url("challenge", player.event, id=other.pk)).status_code == 404


def test_hidden_and_unreleased_challenges_are_not_found(signed_in: Client, player: Participant) -> None:
    hidden = ChallengeFactory.create(event=player.event, state="hidden")
    later = ChallengeFactory.create(event=player.event, release_at=timezone.now() + timedelta(hours=1))
    hint = HintFactory.create(challenge=hidden)
    assert signed_in.get(url("challenge", player.event, id=hidden.pk)).status_code == 404
    assert signed_in.get(url("challenge", player.event, id=later.pk)).status_code == 404
    assert signed_in.get(url("hint", player.event, id=hint.pk)).status_code == 404
    assert signed_in.post(url("flag", player.event, id=hidden.pk), {"flag": FLAG}).status_code == 404
    board = html(signed_in.get(url("board", player.event)))
    assert f"/challenges/{hidden.pk}/" not in board
    assert f"/challenges/{later.pk}/" not in board


def test_a_participant_without_a_team_is_asked_to_make_one(client: Client, challenge: Challenge) -> None:
    loner = ParticipantFactory.create(event=challenge.event, team=None)
    client.force_login(loner.user)
    response = client.get(url("challenge", challenge.event, id=challenge.pk), follow=True)
    assert "Create or join a team first." in messages_of(response)


def test_participants_only_scoreboard_needs_registration(client: Client, player: Participant) -> None:
    event = player.event
    event.scoreboard_visibility = "participants"
    event.save()
    anonymous = client.get(url("scoreboard", event))
    assert anonymous["Location"].startswith("/accounts/login/")
    outsider = UserFactory.create()
    client.force_login(outsider)
    refused = client.get(url("scoreboard", event), follow=True)
    assert "Register for this event first." in messages_of(refused)
    assert "data-stream-url" not in html(client.get(url("event", event)))  # no stream it could not open
    client.force_login(player.user)
    assert client.get(url("scoreboard", event)).status_code == 200


# --- challenge board ----------------------------------------------------------------------------------


def test_board_before_the_start_shows_a_countdown(client: Client) -> None:
    now = timezone.now()
    early = ParticipantFactory.create(
        event=EventFactory.create(starts_at=now + timedelta(hours=3), ends_at=now + timedelta(days=1))
    )
    ChallengeFactory.create(event=early.event)
    client.force_login(early.user)
    response = client.get(url("board", early.event))
    assert response.status_code == 200
    page = html(response)
    assert "The challenges appear here when the event starts." in page
    assert "data-reload-at-start" in page
    assert "Starts in 2\xa0hours" in page or "Starts in 3\xa0hours" in page
    assert "/challenges/" not in page.split("<main", 1)[1].replace(f"/events/{early.event.slug}/challenges/", "")


def test_board_groups_by_category_and_shows_each_state(
    signed_in: Client, player: Participant, challenge: Challenge, django_capture_on_commit_callbacks: OnCommit
) -> None:
    event = player.event
    locked = ChallengeFactory.create(event=event, state="locked", category="web", difficulty=3)
    needs = ChallengeFactory.create(event=event, category="web")
    needs.prerequisites.add(locked)
    with django_capture_on_commit_callbacks(execute=True):
        solve(player, challenge)
    page = html(signed_in.get(url("board", event)))
    assert page.index(">crypto</h2>") < page.index(">web</h2>")
    assert page.count("✓ Solved") == 1
    assert "Locked" in page
    assert "Solve its prerequisites first" in page
    assert "3 of 5" in page
    assert "Your team has solved 1 of 3." in page


def test_board_marks_challenges_new_since_the_last_visit(signed_in: Client, player: Participant) -> None:
    first = ChallengeFactory.create(event=player.event)
    assert "New since your last visit" not in html(signed_in.get(url("board", player.event)))
    second = ChallengeFactory.create(event=player.event)
    page = html(signed_in.get(url("board", player.event)))
    assert page.count("New since your last visit") == 1
    card = page[page.index(f"/challenges/{second.pk}/") :]
    assert card.index("New since your last visit") < card.index("</li>")
    assert "New since your last visit" not in page[page.index(f"/challenges/{first.pk}/") :][:400]
    assert "New since your last visit" not in html(signed_in.get(url("board", player.event)))


def test_board_shows_both_titles_side_by_side(signed_in: Client, player: Participant, challenge: Challenge) -> None:
    signed_in.post("/display/", {"mode": "both"})
    page = html(signed_in.get(url("board", player.event)))
    assert 'class="side-by-side"' in page
    assert "Bridge" in page
    assert "橋" in page
    signed_in.post("/display/", {"mode": "ja"})
    page = html(signed_in.get(url("board", player.event)))
    assert "橋" in page
    assert ">Bridge<" not in page


# --- challenge page: flag and hints without JavaScript ------------------------------------------------------------


def test_wrong_then_right_flag_then_a_hint_with_confirmation(
    signed_in: Client, player: Participant, challenge: Challenge, django_capture_on_commit_callbacks: OnCommit
) -> None:
    hint = HintFactory.create(challenge=challenge, cost=10)
    page = html(signed_in.get(url("challenge", player.event, id=challenge.pk)))
    assert "Cross it." in page
    assert "Costs 10 points." in page
    assert f'href="{url("hint", player.event, id=hint.pk)}"' in page  # the no-JS confirmation step
    assert "<dialog" in page
    assert 'data-attempt-url="/api/challenges/' in page
    assert "Look closer." not in page

    wrong = signed_in.post(url("flag", player.event, id=challenge.pk), {"flag": "flag{nope}"}, follow=True)
    assert feedback(wrong) == "That is not the flag. Try again."
    with django_capture_on_commit_callbacks(execute=True):
        right = signed_in.post(url("flag", player.event, id=challenge.pk), {"flag": FLAG}, follow=True)
    assert "Correct! The flag is accepted." in html(right)  # next to the form, where the page opens
    assert "Your team has solved this challenge." in html(right)
    assert 'name="flag"' not in html(right)

    confirm = signed_in.get(url("hint", player.event, id=hint.pk))
    assert confirm.status_code == 200
    assert "This hint costs 10 points" in html(confirm)
    assert not hint.unlocks.exists()
    with django_capture_on_commit_callbacks(execute=True):
        unlocked = signed_in.post(url("hint", player.event, id=hint.pk), follow=True)
    assert "The hint is unlocked." in html(unlocked)
    assert unlocked.redirect_chain[-1][0].endswith(f"#hint-{hint.pk}")
    assert "Look closer." in html(unlocked)
    assert hint.unlocks.count() == 1


def test_a_hint_the_team_cannot_afford_says_why(signed_in: Client, player: Participant, challenge: Challenge) -> None:
    hint = HintFactory.create(challenge=challenge, cost=50)
    response = signed_in.post(url("hint", player.event, id=hint.pk), follow=True)
    assert "Your team does not have enough points to unlock this hint." in html(response)
    assert not hint.unlocks.exists()


def test_rate_limit_and_attempts_left_without_javascript(signed_in: Client, player: Participant) -> None:
    event = player.event
    event.wrong_attempts_per_minute = 1
    event.save()
    limited = ChallengeFactory.create(event=event, max_attempts=3)
    FlagFactory.create(challenge=limited)
    page = html(signed_in.get(url("challenge", event, id=limited.pk)))
    assert "3 attempts left of 3." in page
    signed_in.post(url("flag", event, id=limited.pk), {"flag": "one"})
    assert "2 attempts left of 3." in html(signed_in.get(url("challenge", event, id=limited.pk)))
    second = signed_in.post(url("flag", event, id=limited.pk), {"flag": "two"}, follow=True)
    message = feedback(second)
    assert message.startswith("Too many wrong flags.")
    assert re.search(r"Try again in \d+ seconds?\.", message)


def test_an_empty_flag_is_refused_without_a_submission(signed_in: Client, challenge: Challenge) -> None:
    response = signed_in.post(url("flag", challenge.event, id=challenge.pk), {"flag": "  "}, follow=True)
    assert feedback(response) == "Enter a flag to send."
    assert not challenge.submissions.exists()


def test_challenge_text_in_the_chosen_language(signed_in: Client, challenge: Challenge) -> None:
    signed_in.post("/display/", {"mode": "ja"})
    page = html(signed_in.get(url("challenge", challenge.event, id=challenge.pk)))
    assert "渡ってください。" in page
    assert "Cross it." not in page
    signed_in.post("/display/", {"mode": "both"})
    page = html(signed_in.get(url("challenge", challenge.event, id=challenge.pk)))
    assert "渡ってください。" in page
    assert "Cross it." in page


# --- scoreboard ---------------------------------------------------------------------------------------------


@pytest.fixture
def scored(django_capture_on_commit_callbacks: OnCommit) -> tuple[Event, list[Participant]]:
    """A UK, a Japanese and a mixed team, having solved 1, 2 and 3 challenges; the first challenge
    was solved by all three (first, second and third blood)."""
    event = EventFactory.create()
    challenges = [ChallengeFactory.create(event=event) for _ in range(3)]
    for challenge in challenges:
        FlagFactory.create(challenge=challenge)
    players = []
    for bracket, countries in (("uk", ["GB"]), ("jp", ["JP"]), ("mixed", ["GB", "JP"])):
        team = TeamFactory.create(event=event, country_bracket=bracket)
        members = [
            ParticipantFactory.create(event=event, team=team, user=UserFactory.create(country=country))
            for country in countries
        ]
        players.append(members[0])
    start = timezone.now() - timedelta(minutes=50)
    with django_capture_on_commit_callbacks(execute=True):
        for index, participant in enumerate(players):
            for offset, challenge in enumerate(challenges[: index + 1]):
                solve(participant, challenge, at=start + timedelta(minutes=10 * offset + index))
    return event, players


def test_scoreboard_tabs_highlight_and_own_team(client: Client, scored: tuple[Event, list[Participant]]) -> None:
    event, players = scored
    client.force_login(players[0].user)
    page = html(client.get(url("scoreboard", event)))
    for label in ("Overall", "UK", "Japan", "Mixed UK–Japan", "International"):
        assert label in page
    assert page.count('aria-current="page"') == 2  # the nav tab and the bracket tab
    own = re.search(r'<tr class="own">.*?</tr>', page, re.S)
    assert own is not None
    assert players[0].team is not None
    assert players[0].team.name in own.group(0)
    assert "your team" in own.group(0)

    uk = html(client.get(url("scoreboard", event) + "?bracket=uk"))
    assert players[0].team.name in uk
    assert players[1].team is not None
    assert players[1].team.name not in uk.split("<tbody>")[1].split("</tbody>")[0]
    assert client.get(url("scoreboard", event) + "?bracket=nope").status_code == 404


def test_scoreboard_custom_bracket_tab(
    client: Client, scored: tuple[Event, list[Participant]], django_capture_on_commit_callbacks: OnCommit
) -> None:
    event, players = scored
    bracket = event_services.bracket_create(event=event, slug="students", names={"en": "Students", "ja": "学生"})
    assert players[1].team is not None
    with django_capture_on_commit_callbacks(execute=True):
        team_services.team_set_bracket(team=players[1].team, bracket=bracket)
    page = html(client.get(url("scoreboard", event) + "?bracket=students"))
    assert 'href="?bracket=students" aria-current="page"' in page
    rows = page.split("<tbody>")[1].split("</tbody>")[0]
    assert rows.count("<tr") == 1
    assert players[1].team.name in rows


def test_frozen_scoreboard_shows_a_banner_and_hides_later_solves(
    client: Client, scored: tuple[Event, list[Participant]]
) -> None:
    event, _players = scored
    event.freeze_at = timezone.now() - timedelta(minutes=45)
    event.save()
    page = html(client.get(url("scoreboard", event)))
    assert "The scoreboard is frozen." in page
    assert "Scoreboard frozen" in html(client.get(url("event", event)))
    feed = page.split("data-solve-feed")[1].split("</ol>")[0]
    assert feed.count("<li>") == 3  # the first solve of each team, before the freeze


def test_scoreboard_chart_draws_one_line_per_top_team(client: Client, scored: tuple[Event, list[Participant]]) -> None:
    event, _players = scored
    page = html(client.get(url("scoreboard", event)))
    assert page.count("<polyline") == 3
    assert "<title" in page
    assert "Score over time of the top 10 teams" in page
    assert "Chart data as a table" in page


def test_scoreboard_feed_marks_blood(client: Client, scored: tuple[Event, list[Participant]]) -> None:
    event, _players = scored
    feed = html(client.get(url("scoreboard", event))).split("data-solve-feed")[1].split("</ol>")[0]
    assert feed.count("<li>") == 6
    assert (feed.count("First blood"), feed.count("Second blood"), feed.count("Third blood")) == (3, 2, 1)


def test_score_chart_is_a_step_line_from_zero() -> None:
    start = datetime(2026, 3, 1, 9, tzinfo=UTC)
    points = [(start + timedelta(hours=1), 100), (start + timedelta(hours=2), 250)]
    chart = score_chart([(1, "A", points), (2, "B", points[:1])], start=start, end=start + timedelta(hours=4))
    assert [line.name for line in chart.lines] == ["A", "B"]
    first = [tuple(map(float, pair.split(","))) for pair in chart.lines[0].points.split()]
    assert first[0] == (chart.left, chart.bottom)  # 0 points at the start
    assert first[-1][0] == chart.right  # kept until the end
    assert len(first) == 2 + 2 * len(points)
    assert chart.y_ticks[0].label == "0"
    assert int(chart.y_ticks[-1].label) >= 250


# --- team and user pages --------------------------------------------------------------------------------


def test_user_page_shows_public_facts_and_never_the_email(
    client: Client, scored: tuple[Event, list[Participant]]
) -> None:
    _event, players = scored
    person = players[2].user
    response = client.get(f"/users/{person.username}/")
    assert response.status_code == 200
    page = html(response)
    assert person.public_name in page
    assert "United Kingdom" in page
    assert players[2].team is not None
    assert players[2].team.name in page
    assert page.count("<tbody>") == 1
    assert page.split("<tbody>")[1].count("<tr>") == 3
    assert person.email not in page
    assert "@example.org" not in page
    assert client.get("/users/nobody-at-all/").status_code == 404


def test_hidden_teams_are_not_shown_to_others(client: Client, player: Participant) -> None:
    assert player.team is not None
    Team.objects.filter(pk=player.team.pk).update(hidden=True)
    assert client.get(url("team", player.event, team=player.team.pk)).status_code == 404
    assert player.team.name not in html(client.get(f"/users/{player.user.username}/"))
    client.force_login(player.user)
    assert client.get(url("team", player.event, team=player.team.pk)).status_code == 200


def test_team_page_lists_members_and_public_solves(client: Client, scored: tuple[Event, list[Participant]]) -> None:
    event, players = scored
    team = players[2].team
    assert team is not None
    page = html(client.get(url("team", event, team=team.pk)))
    assert "Mixed UK–Japan" in page
    for member in team.members.select_related("user"):
        assert member.user.public_name in page
    assert page.split("<tbody>")[1].count("<tr>") == 3


# --- query counts ------------------------------------------------------------------------------------------


def count_queries(client: Client, path: str) -> int:
    """Queries of a page once what processes keep between requests (events, standings) is in place."""
    client.get(path)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(queries)


def grow(event: Event, django_capture_on_commit_callbacks: OnCommit, *, teams: int, challenges: int) -> None:
    made = [ChallengeFactory.create(event=event) for _ in range(challenges)]
    for challenge in made:
        FlagFactory.create(challenge=challenge)
        HintFactory.create(challenge=challenge)
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(teams):
            participant = ParticipantFactory.create(event=event)
            for challenge in made[:2]:
                solve(participant, challenge)


def test_page_query_counts_are_bounded(
    client: Client, player: Participant, challenge: Challenge, django_capture_on_commit_callbacks: OnCommit
) -> None:
    event = player.event
    assert player.team is not None
    client.force_login(player.user)
    paths = {
        "home": "/",
        "event": url("event", event),
        "board": url("board", event),
        "challenge": url("challenge", event, id=challenge.pk),
        "scoreboard": url("scoreboard", event),
        "team": url("team", event, team=player.team.pk),
        "user": f"/users/{player.user.username}/",
    }
    grow(event, django_capture_on_commit_callbacks, teams=2, challenges=2)
    small = {name: count_queries(client, path) for name, path in paths.items()}
    grow(event, django_capture_on_commit_callbacks, teams=6, challenges=6)
    large = {name: count_queries(client, path) for name, path in paths.items()}
    assert large == small  # the same number of queries, whatever the size of the event
    assert max(large.values()) <= 30, large


def test_the_organisers_new_event_address_is_not_an_event() -> None:
    assert resolve("/events/new/").url_name != "event"
    assert resolve("/events/new-year/").url_name == "event"


def test_challenge_shows_connection_info_files_and_free_hints(
    signed_in: Client, challenge: Challenge, django_capture_on_commit_callbacks: OnCommit
) -> None:
    challenge.translations.update(connection_info="nc bridge.example 1337")
    attachment = Attachment.objects.create(
        challenge=challenge, file=ContentFile(b"manifest", name="manifest.enc"), name="manifest.enc",
        sha256="ab" * 32, size=8,
    )  # fmt: skip
    free = HintFactory.create(challenge=challenge, cost=0)
    page = html(signed_in.get(url("challenge", challenge.event, id=challenge.pk)))
    assert "nc bridge.example 1337" in page
    assert f'href="/files/{attachment.pk}/manifest.enc"' in page
    assert "This hint is free." in page
    assert f'data-dialog="hint-dialog-{free.pk}"' not in page  # nothing to confirm
    with django_capture_on_commit_callbacks(execute=True):
        shown = signed_in.post(url("hint", challenge.event, id=free.pk), follow=True)
    assert "Look closer." in html(shown)
