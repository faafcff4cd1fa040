"""Every organiser write of the exercises is recorded once, in the audit log, by its service:
who, what, before and after (only what changed), and never a flag's text or an invitation code."""

import io
import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from kakehashi.accounts.models import User
from kakehashi.accounts.tests.factories import UserFactory
from kakehashi.audit.models import Entry
from kakehashi.audit.services import fingerprint
from kakehashi.ctf.models import Challenge, Event, EventStaff, Flag, Participant, Team
from kakehashi.ctf.services import announcements, awards, challenges, events, pages, recording, teams, topics
from kakehashi.ctf.tests.factories import (
    ChallengeFactory,
    EventFactory,
    FlagFactory,
    ParticipantFactory,
    TeamFactory,
)

pytestmark = pytest.mark.django_db

FLAG = "flag{very-secret-bridge-7f3a}"
INVITE = "join-us-secretly-42"


@pytest.fixture
def organiser() -> User:
    return UserFactory.create(username="organiser-aki")


def only(action: str) -> Entry:
    """The one entry of this action; fails when there is none or more than one."""
    return Entry.objects.get(action=action)


def test_the_entry_names_the_target_and_the_actor(organiser: User) -> None:
    challenge = ChallengeFactory.create()
    challenges.challenge_update(challenge=challenge, actor=organiser, value=250)
    entry = only("challenge.update")
    assert (entry.actor_id, entry.actor_name, entry.event_id) == (organiser.pk, "organiser-aki", challenge.event_id)
    assert (entry.target_type, entry.target_id, entry.target_label) == ("challenge", str(challenge.pk), "web / Bridge")
    assert (entry.before, entry.after) == ({"value": 100}, {"value": 250})
    assert entry.channel == "cli"  # no request is being served


# --- events ----------------------------------------------------------------------------------


def test_event_create_and_update(organiser: User) -> None:
    event = EventFactory.create()
    created = events.event_create(
        creator=organiser, slug="spring", names={"en": "Spring", "ja": "春"}, starts_at=event.starts_at,
        ends_at=event.ends_at, registration="invite", invite_code=INVITE,
    )  # fmt: skip
    entry = only("event.create")
    assert entry.actor_id == organiser.pk
    assert entry.event_id == created.pk
    assert entry.after["slug"] == "spring"
    assert entry.after["texts"]["ja"] == {"name": "春", "description": ""}
    assert entry.after["invite_code_fingerprint"] == fingerprint(INVITE)
    events.event_update(event=created, actor=organiser, wrong_attempts_per_minute=3, names={"ja": "春の橋"})
    entry = only("event.update")
    assert entry.before == {"wrong_attempts_per_minute": 10, "texts": {"ja": {"name": "春"}}}
    assert entry.after == {"wrong_attempts_per_minute": 3, "texts": {"ja": {"name": "春の橋"}}}


def test_an_update_that_changes_nothing_is_not_recorded(organiser: User) -> None:
    event = EventFactory.create(wrong_attempts_per_minute=5)
    events.event_update(event=event, actor=organiser, wrong_attempts_per_minute=5)
    assert not Entry.objects.filter(action="event.update").exists()


def test_a_refused_update_is_not_recorded(organiser: User) -> None:
    event = EventFactory.create()
    with pytest.raises(ValidationError):
        events.event_update(event=event, actor=organiser, ends_at=event.starts_at)
    assert not Entry.objects.exists()


def test_pause_resume_default_and_staff(organiser: User) -> None:
    event = EventFactory.create()
    events.event_set_paused(event=event, paused=True, actor=organiser)
    events.event_set_paused(event=event, paused=True, actor=organiser)  # no change: not recorded again
    events.event_set_paused(event=event, paused=False, actor=organiser)
    assert only("event.pause").after == {"paused": True}
    assert only("event.resume").after == {"paused": False}
    events.event_set_default(event=event, actor=organiser)
    assert only("event.set_default").after == {"is_default": True}
    judge = UserFactory.create(username="judge-ken")
    EventStaff.objects.create(event=event, user=organiser, role="organiser")
    events.staff_set(event=event, user=judge, role="judge", actor=organiser)
    entry = only("staff.set")
    assert (entry.target_label, entry.before, entry.after) == ("judge-ken", {}, {"role": "judge"})
    events.staff_remove(event=event, user=judge, actor=organiser)
    assert only("staff.remove").before == {"role": "judge"}
    events.bracket_create(event=event, slug="students", names={"en": "Students"}, actor=organiser)
    assert only("bracket.create").after == {"slug": "students", "names": {"en": "Students"}}


# --- challenges, flags, hints, files, topics ---------------------------------------------------


def test_challenge_lifecycle(organiser: User) -> None:
    event = EventFactory.create()
    challenge = challenges.challenge_create(
        event=event, category="crypto", value=300, translations={"en": {"title": "Key", "description": "Find it."}},
        actor=organiser,
    )  # fmt: skip
    entry = only("challenge.create")
    assert entry.before == {}
    assert entry.after["value"] == 300
    assert entry.after["texts"]["en"]["title"] == "Key"
    challenges.challenge_set_translation(
        challenge=challenge, language_code="ja", title="鍵", description="探して。", actor=organiser
    )
    texts = {"ja": {"title": "鍵", "description": "探して。", "connection_info": ""}}
    assert only("challenge.update").after == {"texts": texts}
    challenges.tags_set(challenge=challenge, values=["rsa"], actor=organiser)
    challenges.challenge_publish(challenge=challenge, actor=organiser)
    challenges.challenge_hide(challenge=challenge, actor=organiser)
    updates = list(Entry.objects.filter(action="challenge.update").order_by("id"))
    assert [(item.before, item.after) for item in updates[1:]] == [
        ({"tags": []}, {"tags": ["rsa"]}),
        ({"state": "hidden"}, {"state": "visible"}),
        ({"state": "visible"}, {"state": "hidden"}),
    ]
    other = ChallengeFactory.create(event=event)
    challenges.prerequisites_set(challenge=challenge, prerequisites=[other], actor=organiser)
    newest = Entry.objects.filter(action="challenge.update").first()  # newest first
    assert newest is not None
    assert newest.after == {"prerequisites": [other.pk]}
    challenge_id = challenge.pk
    challenges.challenge_delete(challenge=challenge, actor=organiser)
    entry = only("challenge.delete")
    assert entry.target_id == str(challenge_id)
    assert entry.after == {}
    assert entry.before["category"] == "crypto"


def test_flags_are_recorded_by_fingerprint_never_by_text(organiser: User) -> None:
    challenge = ChallengeFactory.create()
    flag = challenges.flag_create(challenge=challenge, kind="static", content=FLAG, actor=organiser)
    created = only("flag.create")
    assert created.after == {"kind": "static", "case_insensitive": False, "content_fingerprint": fingerprint(FLAG)}
    challenges.flag_update(flag=flag, content=FLAG + "x", case_insensitive=True, actor=organiser)
    updated = only("flag.update")
    assert set(updated.before) == set(updated.after) == {"case_insensitive", "content_fingerprint"}
    challenges.flag_update(flag=flag, kind="static", actor=organiser)  # nothing changes
    assert Entry.objects.filter(action="flag.update").count() == 1
    challenges.flag_delete(flag=flag, actor=organiser)
    assert only("flag.delete").before["kind"] == "static"
    assert FLAG not in json.dumps([entry_text(entry) for entry in Entry.objects.all()])


def test_hints_files_and_topics(organiser: User, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    challenge = ChallengeFactory.create(state="hidden")
    hint = challenges.hint_create(
        challenge=challenge, translations={"en": {"content": "Look."}}, cost=5, actor=organiser
    )
    assert only("hint.create").after == {"cost": 5, "position": 0, "texts": {"en": {"title": "", "content": "Look."}}}
    challenges.hint_update(hint=hint, cost=8, actor=organiser)
    challenges.hint_set_translation(hint=hint, language_code="ja", content="見て。", actor=organiser)
    updates = Entry.objects.filter(action="hint.update").order_by("id")
    assert [(item.before, item.after) for item in updates] == [
        ({"cost": 5}, {"cost": 8}),
        ({"texts": {}}, {"texts": {"ja": {"title": "", "content": "見て。"}}}),
    ]
    challenges.hint_delete(hint=hint, actor=organiser)
    assert only("hint.delete").before["cost"] == 8
    attachment = challenges.attachment_add(
        challenge=challenge, name="map.txt", content=io.BytesIO(b"x"), actor=organiser
    )
    assert only("attachment.create").after == {"name": "map.txt", "sha256": attachment.sha256, "size": 1}
    challenges.attachment_delete(attachment=attachment, actor=organiser)
    assert only("attachment.delete").before["name"] == "map.txt"
    topic = topics.topic_add(challenge=challenge, value="RSA", actor=organiser)
    topics.topic_add(challenge=challenge, value="RSA", actor=organiser)  # already there: nothing new
    assert only("topic.create").after == {"value": "RSA"}
    topics.topic_delete(topic=topic, actor=organiser)
    assert only("topic.delete").before == {"value": "RSA"}


# --- awards, bans, teams -----------------------------------------------------------------------


def test_awards(organiser: User) -> None:
    team = TeamFactory.create(name="Sakura")
    award = awards.award_create(team=team, value=-20, reason="Attacked the scoreboard", by=organiser)
    entry = only("award.create")
    assert (entry.actor_id, entry.target_label, entry.event_id) == (organiser.pk, "Sakura", team.event_id)
    assert entry.after == {
        "team_id": team.pk,
        "value": -20,
        "reason": "Attacked the scoreboard",
        "created_by_id": organiser.pk,
    }
    awards.award_delete(award=award, actor=organiser)
    assert only("award.delete").before["value"] == -20


def test_team_bans_and_hiding(organiser: User) -> None:
    team = TeamFactory.create()
    teams.team_set_visibility(team=team, banned=True, hidden=True, actor=organiser)
    assert (only("team.ban").before, only("team.ban").after) == ({"banned": False}, {"banned": True})
    assert only("team.hide").after == {"hidden": True}
    teams.team_set_visibility(team=team, banned=True, actor=organiser)  # no change: nothing recorded
    teams.team_set_visibility(team=team, banned=False, hidden=False, actor=organiser)
    assert only("team.unban").after == {"banned": False}
    assert only("team.show").after == {"hidden": False}
    assert Entry.objects.count() == 4


def test_participants_banned_approved_and_moved(organiser: User) -> None:
    player = ParticipantFactory.create(user=UserFactory.create(username="mika"))
    teams.participant_set_status(participant=player, status="banned", actor=organiser)
    entry = only("participant.ban")
    assert entry.target_label == "mika"
    assert entry.before["status"] == "approved"
    assert entry.after == {"status": "banned"}
    waiting = ParticipantFactory.create(event=player.event, status="pending", team=None)
    teams.participant_set_status(participant=waiting, status="approved", actor=organiser)
    assert only("participant.approve").after == {"status": "approved"}
    mover = ParticipantFactory.create(event=player.event)
    target = TeamFactory.create(event=player.event)
    teams.participant_move(participant=mover, team=target, actor=organiser)
    assert only("participant.move").after == {"team_id": target.pk}


def test_team_bracket(organiser: User) -> None:
    team = TeamFactory.create()
    bracket = events.bracket_create(event=team.event, slug="pro", names={"en": "Pros"})
    teams.team_set_bracket(team=team, bracket=bracket, actor=organiser)
    assert (only("team.update").before, only("team.update").after) == ({"bracket_id": None}, {"bracket_id": bracket.pk})


# --- announcements and pages -------------------------------------------------------------------


def test_announcements_and_pages(organiser: User) -> None:
    event = EventFactory.create(languages=["en"])
    texts = {"en": {"title": "Welcome", "body": "Have fun."}}
    announcement = announcements.announcement_create(event=event, author=organiser, translations=texts)
    entry = only("announcement.create")
    assert (entry.actor_id, entry.target_label, entry.after) == (organiser.pk, "Welcome", {"texts": texts})
    announcements.announcement_delete(announcement=announcement, actor=organiser)
    assert only("announcement.delete").before == {"texts": texts}
    pages.page_create(
        event=event, route="rules", translations={"en": {"title": "Rules", "content": "Be kind."}}, actor=organiser
    )
    assert only("page.create").after["route"] == "rules"


# --- snapshots ---------------------------------------------------------------------------------


def test_snapshots_hold_no_secret() -> None:
    event = EventFactory.create(invite_code=INVITE)
    flag = FlagFactory.create(content=FLAG)
    values = json.dumps(
        [recording.event_snapshot(event), recording.flag_snapshot(flag), recording.challenge_snapshot(flag.challenge)],
        default=str,
    )
    assert INVITE not in values
    assert FLAG not in values
    assert event.flag_secret not in values


def test_labels() -> None:
    challenge = ChallengeFactory.create(category="web")
    assert recording.challenge_label(challenge) == "web / Bridge"
    untitled = Challenge.objects.create(event=challenge.event, category="misc", value=1)
    assert recording.challenge_label(untitled) == f"misc #{untitled.pk}"


def entry_text(entry: Entry) -> str:
    return json.dumps([entry.before, entry.after, entry.target_label, entry.actor_name])


def test_no_secret_anywhere_in_the_log(organiser: User) -> None:
    """Flags, invitation codes and the event's flag secret never reach an entry, whatever was done."""
    event = events.event_create(
        creator=organiser, slug="secretive", names={"en": "S"}, starts_at=EventFactory.build().starts_at,
        ends_at=EventFactory.build().ends_at, registration="invite", invite_code=INVITE,
    )  # fmt: skip
    events.event_update(event=event, actor=organiser, invite_code=INVITE + "-2")
    challenge = ChallengeFactory.create(event=event)
    flag = challenges.flag_create(challenge=challenge, kind="static", content=FLAG, actor=organiser)
    challenges.flag_update(flag=flag, content=FLAG + "-2", actor=organiser)
    challenges.flag_delete(flag=Flag.objects.get(pk=flag.pk), actor=organiser)
    everything = json.dumps([entry_text(entry) for entry in Entry.objects.all()])
    assert Entry.objects.count() >= 4
    for secret in (FLAG, INVITE, Event.objects.get(pk=event.pk).flag_secret):
        assert secret not in everything


def test_participants_own_actions_are_not_recorded() -> None:
    event = EventFactory.create()
    user = UserFactory.create()
    participant = teams.participant_register(event=event, user=user)
    team = teams.team_create(participant=participant, name="Solo")
    assert isinstance(team, Team)
    assert isinstance(participant, Participant)
    assert not Entry.objects.exists()
