"""The organisers' and judges' exercises API through HTTP, authenticated with personal tokens."""

import hashlib
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from kakehashi.accounts import services as accounts
from kakehashi.accounts.models import User
from kakehashi.accounts.tests.factories import UserFactory
from kakehashi.ctf.models import (
    Announcement,
    Attachment,
    Award,
    Bracket,
    Challenge,
    Event,
    EventStaff,
    Flag,
    Hint,
    HintUnlock,
    Participant,
    Submission,
    Team,
)
from kakehashi.ctf.services import events
from kakehashi.ctf.tests.factories import (
    ChallengeFactory,
    EventFactory,
    FlagFactory,
    HintFactory,
    HintTranslationFactory,
    ParticipantFactory,
    TeamFactory,
)

pytestmark = pytest.mark.django_db


class Caller:
    """Requests as one user, with a personal token; CSRF checks stay on, as tokens do not need them."""

    def __init__(self, user: User) -> None:
        _row, raw = accounts.api_token_create(user=user)
        self.user = user
        self.client = Client(enforce_csrf_checks=True)
        self.headers = {"Authorization": f"Token {raw}"}

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get("/api" + path, params, headers=self.headers)

    def send(self, method: str, path: str, data: Any = None) -> Any:
        call = getattr(self.client, method)
        return call("/api" + path, data, content_type="application/json", headers=self.headers)


def staff(event: Event, role: str = "organiser") -> Caller:
    user = UserFactory.create()
    EventStaff.objects.create(event=event, user=user, role=role)
    return Caller(user)


def error(response: Any, status: int, code: str) -> dict[str, list[str]]:
    """Checks the one error shape; returns the codes of the details by field."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "details"}
    assert body["code"] == code
    assert body["message"]
    fields: dict[str, list[str]] = {}
    for detail in body["details"]:
        fields.setdefault(detail["field"], []).append(detail["code"])
    return fields


def team_of(participant: Participant) -> Team:
    assert participant.team is not None
    return participant.team


def when(hours: float) -> str:
    return (timezone.now() + timedelta(hours=hours)).isoformat()


@pytest.fixture
def event() -> Event:
    return EventFactory.create()


@pytest.fixture
def organiser(event: Event) -> Caller:
    return staff(event)


@pytest.fixture
def judge(event: Event) -> Caller:
    return staff(event, "judge")


@pytest.fixture
def outsider() -> Caller:
    """An organiser of another event."""
    return staff(EventFactory.create())


@pytest.fixture
def player(event: Event) -> Participant:
    return ParticipantFactory.create(event=event)


@pytest.fixture
def playing(player: Participant) -> Caller:
    return Caller(player.user)


@pytest.fixture
def challenge(event: Event) -> Challenge:
    return ChallengeFactory.create(event=event)


def refused_callers(request: pytest.FixtureRequest, who: str) -> Caller:
    caller = request.getfixturevalue(who)
    assert isinstance(caller, Caller)
    return caller


# --- events ------------------------------------------------------------------------------

NEW_EVENT = {
    "slug": "bridge-2026",
    "names": {"en": "Bridge CTF", "ja": "架け橋CTF"},
    "descriptions": {"en": "A joint exercise.", "ja": "合同演習です。"},
}


def test_organiser_creates_an_event_in_both_languages() -> None:
    creator = Caller(UserFactory.create(role="organiser"))
    response = creator.send("post", "/events", {**NEW_EVENT, "starts_at": when(24), "ends_at": when(48)})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["names"] == NEW_EVENT["names"]
    assert body["descriptions"] == NEW_EVENT["descriptions"]
    assert body["complete_languages"] == ["en", "ja"]
    assert EventStaff.objects.get(event__slug="bridge-2026").user == creator.user


def test_participant_may_not_create_an_event() -> None:
    response = Caller(UserFactory.create()).send(
        "post", "/events", {**NEW_EVENT, "starts_at": when(1), "ends_at": when(2)}
    )
    error(response, 403, "permission_denied")
    assert not Event.objects.filter(slug="bridge-2026").exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"starts_at": when(48), "ends_at": when(24)}, "ends_at"),
        ({"starts_at": "2026-05-01T09:00:00", "ends_at": when(24)}, "starts_at"),
        ({"names": {"xx": "Nope"}, "starts_at": when(1), "ends_at": when(2)}, "names"),
    ],
)
def test_invalid_event_is_refused_with_field_details(changes: dict[str, Any], field: str) -> None:
    creator = Caller(UserFactory.create(role="organiser"))
    fields = error(creator.send("post", "/events", {**NEW_EVENT, **changes}), 422, "validation_error")
    assert field in fields
    assert not Event.objects.filter(slug="bridge-2026").exists()


def test_organiser_updates_names_times_freeze_and_registration(event: Event, organiser: Caller) -> None:
    changes = {
        "names": {"ja": "演習"},
        "descriptions": {"ja": "説明"},
        "ends_at": when(72),
        "freeze_at": when(60),
        "registration": "invite",
        "invite_code": "sakura",
    }
    response = organiser.send("patch", f"/events/{event.slug}", changes)
    assert response.status_code == 200, response.content
    assert response.json()["names"] == {"en": f"Event {event.slug}", "ja": "演習"}
    event.refresh_from_db()
    assert (event.registration, event.invite_code, event.freeze_at is not None) == ("invite", "sakura", True)
    cleared = organiser.send("patch", f"/events/{event.slug}", {"freeze_at": None})
    assert cleared.json()["freeze_at"] is None


def test_null_for_a_required_setting_is_refused_and_nothing_changes(event: Event, organiser: Caller) -> None:
    response = organiser.send("patch", f"/events/{event.slug}", {"starts_at": None, "names": {"ja": "演習"}})
    assert "starts_at" in error(response, 422, "validation_error")
    assert set(event.translation_map()) == {"en"}


@pytest.mark.parametrize("who", ["playing", "judge", "outsider"])
def test_event_writes_are_refused_to_everyone_but_its_organisers(
    request: pytest.FixtureRequest, who: str, event: Event
) -> None:
    caller = refused_callers(request, who)
    target = UserFactory.create()
    slug = event.slug
    error(caller.send("patch", f"/events/{slug}", {"invite_code": "x"}), 403, "permission_denied")
    error(caller.send("post", f"/events/{slug}/pause", {"paused": True}), 403, "permission_denied")
    error(caller.send("put", f"/events/{slug}/staff/{target.pk}", {"role": "judge"}), 403, "permission_denied")
    error(
        caller.send("post", f"/events/{slug}/brackets", {"slug": "s", "names": {"en": "S"}}), 403, "permission_denied"
    )
    event.refresh_from_db()
    assert (event.invite_code, event.paused) == ("", False)
    assert not EventStaff.objects.filter(user=target).exists()


def test_anonymous_callers_must_sign_in(event: Event, challenge: Challenge) -> None:
    client = Client()
    error(client.patch(f"/api/events/{event.slug}", {}, content_type="application/json"), 401, "not_authenticated")
    error(client.get(f"/api/manage/challenges/{challenge.pk}"), 401, "not_authenticated")


def test_session_writes_need_the_csrf_token(event: Event, api_client: Client, csrf_client: Callable[..., Any]) -> None:
    user = UserFactory.create()
    EventStaff.objects.create(event=event, user=user, role="organiser")
    api_client.force_login(user)
    path = f"/api/events/{event.slug}/pause"
    error(api_client.post(path, {"paused": True}, content_type="application/json"), 403, "csrf_failed")
    assert csrf_client("post", path, {"paused": True}).json()["paused"] is True


def test_pause_and_resume(event: Event, organiser: Caller) -> None:
    assert organiser.send("post", f"/events/{event.slug}/pause", {"paused": True}).json()["paused"] is True
    event.refresh_from_db()
    assert event.paused
    assert organiser.send("post", f"/events/{event.slug}/pause", {"paused": False}).json()["paused"] is False


def test_staff_are_added_changed_and_removed(event: Event, organiser: Caller) -> None:
    colleague = UserFactory.create()
    path = f"/events/{event.slug}/staff/{colleague.pk}"
    assert organiser.send("put", path, {"role": "judge"}).json() == {
        "user_id": colleague.pk,
        "username": colleague.username,
        "role": "judge",
    }
    assert organiser.send("put", path, {"role": "organiser"}).json()["role"] == "organiser"
    assert organiser.send("delete", path).status_code == 204
    assert not EventStaff.objects.filter(event=event, user=colleague).exists()
    error(organiser.send("put", f"/events/{event.slug}/staff/999999", {"role": "judge"}), 404, "not_found")
    assert "role" in error(organiser.send("put", path, {"role": "boss"}), 422, "validation_error")


def test_the_last_organiser_cannot_step_down(event: Event, organiser: Caller) -> None:
    path = f"/events/{event.slug}/staff/{organiser.user.pk}"
    assert error(organiser.send("put", path, {"role": "judge"}), 422, "validation_error") == {
        "role": ["last_organiser"]
    }
    assert error(organiser.send("delete", path), 422, "validation_error") == {"user": ["last_organiser"]}
    assert EventStaff.objects.get(event=event, user=organiser.user).role == "organiser"


def test_brackets_are_created_once_per_short_name(event: Event, organiser: Caller) -> None:
    bracket = {"slug": "students", "names": {"en": "Students", "ja": "学生"}}
    created = organiser.send("post", f"/events/{event.slug}/brackets", bracket)
    assert created.status_code == 201, created.content
    assert created.json()["names"] == {"en": "Students", "ja": "学生"}
    again = organiser.send("post", f"/events/{event.slug}/brackets", bracket)
    assert "slug" in error(again, 422, "validation_error")
    assert Bracket.objects.filter(event=event).count() == 1


# --- challenges --------------------------------------------------------------------------


def test_organiser_authors_in_both_languages_then_publishes(event: Event, organiser: Caller) -> None:
    english = {"title": "Bridge", "description": "Cross it."}
    created = organiser.send(
        "post",
        f"/events/{event.slug}/manage/challenges",
        {"category": "web", "value": 100, "translations": {"en": english}, "tags": ["easy"]},
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["state"] == "hidden"
    assert body["completeness"] == {
        "en": {"complete": True, "missing_fields": []},
        "ja": {"complete": False, "missing_fields": ["title", "description"]},
    }
    path = f"/manage/challenges/{body['id']}"

    refused = organiser.send("post", path + "/publish", {"state": "visible"})
    assert error(refused, 422, "validation_error") == {"state": ["translations_incomplete"]}
    assert Challenge.objects.get(pk=body["id"]).state == "hidden"

    overridden = organiser.send("post", path + "/publish", {"override_reason": "Japanese follows tomorrow."})
    assert overridden.status_code == 200, overridden.content
    assert (overridden.json()["state"], overridden.json()["publish_override_reason"]) == (
        "visible",
        "Japanese follows tomorrow.",
    )

    assert organiser.send("post", path + "/hide").json()["state"] == "hidden"
    translated = organiser.send("put", path + "/translations/ja", {"title": "橋", "description": "渡ってください。"})
    assert translated.json()["completeness"]["ja"] == {"complete": True, "missing_fields": []}
    published = organiser.send("post", path + "/publish", {"state": "locked"})
    assert (published.json()["state"], published.json()["publish_override_reason"]) == ("locked", "")
    assert published.json()["texts"]["ja"]["title"] == "橋"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"difficulty": 9}, "difficulty"),
        ({"function": "linear"}, "minimum"),
        ({"translations": {"fr": {"title": "Pont"}}}, "translations"),
        ({"value": "lots"}, "value"),
    ],
)
def test_invalid_challenge_is_refused_and_not_stored(
    event: Event, organiser: Caller, changes: dict[str, Any], field: str
) -> None:
    data = {"category": "web", "value": 100, "translations": {"en": {"title": "Bridge"}}, **changes}
    fields = error(organiser.send("post", f"/events/{event.slug}/manage/challenges", data), 422, "validation_error")
    assert field in fields
    assert not Challenge.objects.filter(event=event).exists()


def test_challenge_list_shows_hidden_ones_with_completeness(
    event: Event, organiser: Caller, django_assert_max_num_queries: Any
) -> None:
    for _number in range(3):
        shown = ChallengeFactory.create(event=event)
        FlagFactory.create(challenge=shown)
        HintFactory.create(challenge=shown)
    hidden = ChallengeFactory.create(event=event, state="hidden", japanese=None)
    with django_assert_max_num_queries(15):
        response = organiser.get(f"/events/{event.slug}/manage/challenges")
    listed = {item["id"]: item for item in response.json()}
    assert len(listed) == 4
    assert listed[hidden.pk]["state"] == "hidden"
    assert listed[hidden.pk]["completeness"]["ja"]["complete"] is False
    assert listed[hidden.pk]["flags_count"] == 0
    assert listed[shown.pk]["flags_count"] == 1
    assert listed[shown.pk]["hints"][0]["completeness"]["ja"] == {"complete": False, "missing_fields": ["content"]}
    assert listed[shown.pk]["texts"]["ja"]["title"] == "橋"


def test_challenge_detail_has_flags_hints_files_tags_and_prerequisites(
    event: Event, organiser: Caller, challenge: Challenge
) -> None:
    first = ChallengeFactory.create(event=event)
    flag = FlagFactory.create(challenge=challenge, content="flag{detail}")
    hint = HintFactory.create(challenge=challenge)
    HintTranslationFactory.create(hint=hint, language_code="ja", content="よく見てください。")
    challenge.prerequisites.add(first)
    challenge.tags.create(value="bridges")
    upload = SimpleUploadedFile("notes.txt", b"notes")
    organiser.client.post(
        f"/api/manage/challenges/{challenge.pk}/attachments", {"file": upload}, headers=organiser.headers
    )
    body = organiser.get(f"/manage/challenges/{challenge.pk}").json()
    assert body["flags"] == [{"id": flag.pk, "kind": "static", "content": "flag{detail}", "case_insensitive": False}]
    assert body["hints"][0]["texts"]["ja"]["content"] == "よく見てください。"
    assert [a["name"] for a in body["attachments"]] == ["notes.txt"]
    assert (body["tags"], body["prerequisite_ids"]) == (["bridges"], [first.pk])


def test_challenge_changes_and_refused_changes(organiser: Caller, challenge: Challenge) -> None:
    path = f"/manage/challenges/{challenge.pk}"
    changed = organiser.send(
        "patch",
        path,
        {"value": 300, "author": "Aiko", "translations": {"en": {"title": "Arch", "description": "Cross it."}}},
    )
    assert changed.status_code == 200, changed.content
    assert (changed.json()["value"], changed.json()["texts"]["en"]["title"]) == (300, "Arch")
    refused = organiser.send("patch", path, {"minimum": 500, "category": "pwn"})
    assert "minimum" in error(refused, 422, "validation_error")
    assert "category" in error(organiser.send("patch", path, {"category": None}), 422, "validation_error")
    challenge.refresh_from_db()
    assert (challenge.value, challenge.category, challenge.minimum) == (300, "web", None)


def test_prerequisites_and_tags_are_replaced(event: Event, organiser: Caller, challenge: Challenge) -> None:
    first = ChallengeFactory.create(event=event)
    path = f"/manage/challenges/{challenge.pk}"
    assert organiser.send("put", path + "/prerequisites", {"challenge_ids": [first.pk]}).json()["prerequisite_ids"] == [
        first.pk
    ]
    elsewhere = ChallengeFactory.create()
    refused = organiser.send("put", path + "/prerequisites", {"challenge_ids": [elsewhere.pk]})
    assert error(refused, 422, "validation_error") == {"challenge_ids": ["other_event"]}
    cycle = organiser.send("put", f"/manage/challenges/{first.pk}/prerequisites", {"challenge_ids": [challenge.pk]})
    assert error(cycle, 422, "validation_error") == {"prerequisites": ["prerequisite_cycle"]}
    assert list(challenge.prerequisites.all()) == [first]
    tagged = organiser.send("put", path + "/tags", {"values": [" web ", "easy", "web", ""]})
    assert tagged.json()["tags"] == ["web", "easy"]
    assert "tags" in error(organiser.send("put", path + "/tags", {"values": ["x" * 65]}), 422, "validation_error")


def test_challenge_is_deleted(organiser: Caller, challenge: Challenge) -> None:
    assert organiser.send("delete", f"/manage/challenges/{challenge.pk}").status_code == 204
    assert not Challenge.objects.filter(pk=challenge.pk).exists()
    error(organiser.send("delete", f"/manage/challenges/{challenge.pk}"), 404, "not_found")


@pytest.mark.parametrize("who", ["playing", "judge", "outsider"])
def test_challenges_by_id_are_not_found_for_others(
    request: pytest.FixtureRequest, who: str, challenge: Challenge
) -> None:
    caller = refused_callers(request, who)
    path = f"/manage/challenges/{challenge.pk}"
    error(caller.get(path), 404, "not_found")
    error(caller.send("patch", path, {"value": 1}), 404, "not_found")
    error(caller.send("post", path + "/publish", {}), 404, "not_found")
    error(caller.send("post", path + "/flags", {"kind": "static", "content": "flag{x}"}), 404, "not_found")
    error(caller.send("delete", path), 404, "not_found")
    challenge.refresh_from_db()
    assert challenge.value == 100
    assert not Flag.objects.filter(challenge=challenge).exists()


def test_event_challenge_list_is_refused_to_others(event: Event, playing: Caller, outsider: Caller) -> None:
    for caller in (playing, outsider):
        error(caller.get(f"/events/{event.slug}/manage/challenges"), 403, "permission_denied")
    error(outsider.get("/manage/challenges/99999999999999999999"), 404, "not_found")


def test_flags_are_added_changed_and_deleted(organiser: Caller, challenge: Challenge) -> None:
    created = organiser.send("post", f"/manage/challenges/{challenge.pk}/flags", {"kind": "regex", "content": "^f.*$"})
    assert created.status_code == 201, created.content
    flag_id = created.json()["id"]
    changed = organiser.send("patch", f"/manage/flags/{flag_id}", {"case_insensitive": True})
    assert changed.json() == {"id": flag_id, "kind": "regex", "content": "^f.*$", "case_insensitive": True}
    assert organiser.send("delete", f"/manage/flags/{flag_id}").status_code == 204
    assert not Flag.objects.filter(pk=flag_id).exists()


@pytest.mark.parametrize(
    ("data", "code"),
    [({"kind": "regex", "content": "("}, "invalid_regex"), ({"kind": "generated", "content": "x"}, "not_empty")],
)
def test_invalid_flag_is_refused_and_not_stored(
    organiser: Caller, challenge: Challenge, data: dict[str, str], code: str
) -> None:
    response = organiser.send("post", f"/manage/challenges/{challenge.pk}/flags", data)
    assert error(response, 422, "validation_error") == {"content": [code]}
    assert not Flag.objects.filter(challenge=challenge).exists()


def test_hints_are_added_translated_changed_and_deleted(organiser: Caller, challenge: Challenge) -> None:
    english_only = {"cost": 5, "translations": {"en": {"content": "Look."}}}
    shown = organiser.send("post", f"/manage/challenges/{challenge.pk}/hints", english_only)
    assert error(shown, 422, "validation_error") == {"state": ["translations_incomplete"]}  # the challenge is visible
    assert not Hint.objects.exists()
    organiser.send("post", f"/manage/challenges/{challenge.pk}/hide")
    created = organiser.send("post", f"/manage/challenges/{challenge.pk}/hints", english_only)
    assert created.status_code == 201, created.content
    hint_id = created.json()["id"]
    assert created.json()["completeness"]["ja"]["complete"] is False
    translated = organiser.send("put", f"/manage/hints/{hint_id}/translations/ja", {"content": "見て。"})
    assert translated.json()["texts"]["ja"] == {"title": "", "content": "見て。"}
    assert organiser.send("patch", f"/manage/hints/{hint_id}", {"cost": 20}).json()["cost"] == 20
    wrong_language = organiser.send("put", f"/manage/hints/{hint_id}/translations/fr", {"content": "Voir."})
    assert error(wrong_language, 422, "validation_error") == {"language_code": ["language_not_in_event"]}
    assert organiser.send("delete", f"/manage/hints/{hint_id}").status_code == 204
    assert not Hint.objects.filter(pk=hint_id).exists()


def test_an_unlocked_hint_is_kept(organiser: Caller, challenge: Challenge, player: Participant) -> None:
    hint = HintFactory.create(challenge=challenge)
    HintUnlock.objects.create(hint=hint, team=team_of(player), user=player.user, cost=10, created_at=timezone.now())
    assert error(organiser.send("delete", f"/manage/hints/{hint.pk}"), 422, "validation_error") == {
        "__all__": ["hint_unlocked"]
    }
    assert Hint.objects.filter(pk=hint.pk).exists()


def test_flags_hints_and_files_of_another_event_are_not_found(outsider: Caller, challenge: Challenge) -> None:
    flag = FlagFactory.create(challenge=challenge)
    hint = HintFactory.create(challenge=challenge)
    attachment = Attachment.objects.create(challenge=challenge, file="x/y.txt", name="y.txt", sha256="0" * 64, size=1)
    error(outsider.send("patch", f"/manage/flags/{flag.pk}", {"content": "flag{stolen}"}), 404, "not_found")
    error(outsider.send("delete", f"/manage/flags/{flag.pk}"), 404, "not_found")
    error(outsider.send("patch", f"/manage/hints/{hint.pk}", {"cost": 0}), 404, "not_found")
    error(outsider.send("put", f"/manage/hints/{hint.pk}/translations/en", {"content": "x"}), 404, "not_found")
    error(outsider.send("delete", f"/manage/hints/{hint.pk}"), 404, "not_found")
    error(outsider.send("delete", f"/manage/attachments/{attachment.pk}"), 404, "not_found")
    flag.refresh_from_db()
    assert flag.content == "flag{kakehashi}"
    assert Hint.objects.get(pk=hint.pk).cost == 10
    assert Attachment.objects.filter(pk=attachment.pk).exists()


def test_attachment_is_uploaded_with_its_sha256_and_deleted(organiser: Caller, challenge: Challenge) -> None:
    content = "架け橋 bridge\n".encode() * 1000
    upload = SimpleUploadedFile("bridge.txt", content, content_type="text/plain")
    response = organiser.client.post(
        f"/api/manage/challenges/{challenge.pk}/attachments", {"file": upload}, headers=organiser.headers
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["name"], body["size"], body["sha256"]) == (
        "bridge.txt",
        len(content),
        hashlib.sha256(content).hexdigest(),
    )
    stored = Attachment.objects.get(pk=body["id"])
    with default_storage.open(str(stored.file.name)) as handle:
        assert handle.read() == content
    assert organiser.send("delete", f"/manage/attachments/{stored.pk}").status_code == 204
    assert not Attachment.objects.filter(pk=stored.pk).exists()


def test_attachment_without_a_file_is_refused(organiser: Caller, challenge: Challenge) -> None:
    response = organiser.client.post(
        f"/api/manage/challenges/{challenge.pk}/attachments", {}, headers=organiser.headers
    )
    fields = error(response, 422, "validation_error")
    assert [field.rsplit(".", 1)[-1] for field in fields] == ["file"]
    assert not Attachment.objects.exists()


# --- participants and teams --------------------------------------------------------------


def test_organiser_lists_participants(event: Event, organiser: Caller, player: Participant) -> None:
    player.user.country = "JP"
    player.user.save()
    [row] = organiser.get(f"/events/{event.slug}/participants").json()
    assert row["user_id"] == player.user_id
    assert (row["status"], row["team_id"], row["team_name"], row["country"]) == (
        "approved",
        player.team_id,
        team_of(player).name,
        "JP",
    )


@pytest.mark.parametrize("who", ["playing", "judge", "outsider"])
def test_participant_list_is_refused_to_others(request: pytest.FixtureRequest, who: str, event: Event) -> None:
    error(refused_callers(request, who).get(f"/events/{event.slug}/participants"), 403, "permission_denied")


def test_registrations_are_approved_and_banned(event: Event, organiser: Caller) -> None:
    waiting = ParticipantFactory.create(event=event, team=None, status="pending")
    path = f"/manage/participants/{waiting.pk}/status"
    assert organiser.send("post", path, {"status": "approved"}).json()["status"] == "approved"
    assert "status" in error(organiser.send("post", path, {"status": "pending"}), 422, "validation_error")
    assert "status" in error(organiser.send("post", path, {"status": "maybe"}), 422, "validation_error")
    assert organiser.send("post", path, {"status": "banned"}).json()["status"] == "banned"
    waiting.refresh_from_db()
    assert waiting.status == "banned"


def test_participant_is_moved_to_another_team(event: Event, organiser: Caller, player: Participant) -> None:
    other = TeamFactory.create(event=event)
    moved = organiser.send("post", f"/manage/participants/{player.pk}/move", {"team_id": other.pk})
    assert moved.status_code == 200, moved.content
    assert moved.json()["team_id"] == other.pk
    elsewhere = TeamFactory.create()
    refused = organiser.send("post", f"/manage/participants/{player.pk}/move", {"team_id": elsewhere.pk})
    error(refused, 404, "not_found")
    player.refresh_from_db()
    assert player.team_id == other.pk


def test_participants_and_teams_of_another_event_are_not_found(outsider: Caller, player: Participant) -> None:
    team_id = player.team_id
    error(outsider.send("post", f"/manage/participants/{player.pk}/status", {"status": "banned"}), 404, "not_found")
    error(outsider.send("post", f"/manage/teams/{team_id}/visibility", {"banned": True}), 404, "not_found")
    error(outsider.send("put", f"/manage/teams/{team_id}/bracket", {"bracket_id": None}), 404, "not_found")
    player.refresh_from_db()
    assert (player.status, Team.objects.get(pk=team_of(player).pk).banned) == ("approved", False)


def test_teams_are_hidden_banned_and_placed_in_brackets(event: Event, organiser: Caller, player: Participant) -> None:
    team_id = player.team_id
    hidden = organiser.send("post", f"/manage/teams/{team_id}/visibility", {"hidden": True})
    assert (hidden.json()["hidden"], hidden.json()["banned"]) == (True, False)
    assert organiser.send("post", f"/manage/teams/{team_id}/visibility", {"banned": True}).json()["hidden"] is True
    bracket = events.bracket_create(event=event, slug="students", names={"en": "Students"})
    placed = organiser.send("put", f"/manage/teams/{team_id}/bracket", {"bracket_id": bracket.pk})
    assert placed.json()["bracket_id"] == bracket.pk
    foreign = events.bracket_create(event=EventFactory.create(), slug="pros", names={"en": "Pros"})
    error(organiser.send("put", f"/manage/teams/{team_id}/bracket", {"bracket_id": foreign.pk}), 404, "not_found")
    assert organiser.send("put", f"/manage/teams/{team_id}/bracket", {"bracket_id": None}).json()["bracket_id"] is None


# --- judging -----------------------------------------------------------------------------


def submit(player: Participant, challenge: Challenge, provided: str, result: str, **extra: Any) -> Submission:
    return Submission.objects.create(
        event=challenge.event,
        challenge=challenge,
        team=team_of(player),
        user=player.user,
        provided=provided,
        result=result,
        source_address="192.0.2.7",
        created_at=timezone.now(),
        **extra,
    )


def test_judge_reads_the_submission_log(event: Event, judge: Caller, player: Participant, challenge: Challenge) -> None:
    submission = submit(player, challenge, "flag{guess}", "incorrect")
    [row] = judge.get(f"/events/{event.slug}/submissions").json()
    assert row == {
        "id": submission.pk,
        "challenge_id": challenge.pk,
        "team_id": player.team_id,
        "team_name": team_of(player).name,
        "user_id": player.user_id,
        "username": player.user.username,
        "provided": "flag{guess}",
        "result": "incorrect",
        "source_address": "192.0.2.7",
        "shared_from_team_id": None,
        "shared_from_team_name": None,
        "created_at": row["created_at"],
    }


def test_submission_log_filters(event: Event, judge: Caller, player: Participant, challenge: Challenge) -> None:
    rival = ParticipantFactory.create(event=event)
    other_challenge = ChallengeFactory.create(event=event)
    first = submit(player, challenge, "a", "incorrect")
    submit(player, challenge, "b", "correct")
    submit(rival, other_challenge, "c", "incorrect")
    cases: list[tuple[dict[str, Any], list[str]]] = [
        ({}, ["c", "b", "a"]),
        ({"result": "correct"}, ["b"]),
        ({"team_id": rival.team_id}, ["c"]),
        ({"challenge_id": challenge.pk}, ["b", "a"]),
        ({"user_id": player.user_id, "result": "incorrect"}, ["a"]),
        ({"before_id": first.pk + 1}, ["a"]),
        ({"limit": 2}, ["c", "b"]),
    ]
    for params, expected in cases:
        response = judge.get(f"/events/{event.slug}/submissions", **params)
        assert [row["provided"] for row in response.json()] == expected, params


def test_invalid_submission_filters_are_refused(event: Event, judge: Caller) -> None:
    fields = error(judge.get(f"/events/{event.slug}/submissions", result="maybe", limit=0), 422, "validation_error")
    assert set(fields) == {"result", "limit"}


def test_judges_see_flag_sharing(event: Event, judge: Caller, player: Participant, challenge: Challenge) -> None:
    owner = ParticipantFactory.create(event=event)
    submit(player, challenge, "flag{theirs}", "incorrect", shared_from=owner.team)
    submit(player, challenge, "flag{mine}", "incorrect")
    [row] = judge.get(f"/events/{event.slug}/flag-sharing").json()
    assert (row["provided"], row["shared_from_team_id"], row["shared_from_team_name"]) == (
        "flag{theirs}",
        owner.team_id,
        team_of(owner).name,
    )


def test_judges_read_but_do_not_write(event: Event, judge: Caller, player: Participant, challenge: Challenge) -> None:
    slug = event.slug
    award = {"team_id": player.team_id, "value": 50, "reason": "Helpful"}
    error(judge.send("post", f"/events/{slug}/awards", award), 403, "permission_denied")
    announcement = {"translations": {"en": {"title": "T", "body": "B"}, "ja": {"title": "T", "body": "B"}}}
    error(judge.send("post", f"/events/{slug}/announcements", announcement), 403, "permission_denied")
    new_challenge = {"category": "web", "value": 10, "translations": {"en": {"title": "T"}}}
    error(judge.send("post", f"/events/{slug}/manage/challenges", new_challenge), 403, "permission_denied")
    error(judge.send("patch", f"/manage/challenges/{challenge.pk}", {"value": 1}), 404, "not_found")
    assert not Award.objects.exists()
    assert not Announcement.objects.exists()


@pytest.mark.parametrize("who", ["playing", "outsider"])
def test_submissions_are_hidden_from_everyone_but_staff(request: pytest.FixtureRequest, who: str, event: Event) -> None:
    caller = refused_callers(request, who)
    error(caller.get(f"/events/{event.slug}/submissions"), 403, "permission_denied")
    error(caller.get(f"/events/{event.slug}/flag-sharing"), 403, "permission_denied")


# --- awards and announcements ------------------------------------------------------------


def test_awards_are_given_and_withdrawn(event: Event, organiser: Caller, player: Participant) -> None:
    given = organiser.send(
        "post", f"/events/{event.slug}/awards", {"team_id": player.team_id, "value": -25, "reason": "Flag sharing"}
    )
    assert given.status_code == 201, given.content
    assert (given.json()["value"], given.json()["created_by_id"]) == (-25, organiser.user.pk)
    assert organiser.send("delete", f"/manage/awards/{given.json()['id']}").status_code == 204
    assert not Award.objects.exists()


def test_invalid_award_is_refused_and_not_stored(event: Event, organiser: Caller, player: Participant) -> None:
    response = organiser.send(
        "post", f"/events/{event.slug}/awards", {"team_id": player.team_id, "value": 0, "reason": " "}
    )
    assert set(error(response, 422, "validation_error")) == {"value", "reason"}
    elsewhere = TeamFactory.create()
    foreign = {"team_id": elsewhere.pk, "value": 5, "reason": "Nice"}
    error(organiser.send("post", f"/events/{event.slug}/awards", foreign), 404, "not_found")
    assert not Award.objects.exists()


def test_awards_of_another_event_are_not_found(outsider: Caller, organiser: Caller, player: Participant) -> None:
    award = Award.objects.create(
        event=player.event,
        team=team_of(player),
        value=5,
        reason="Nice",
        created_by=organiser.user,
        created_at=timezone.now(),
    )
    error(outsider.send("delete", f"/manage/awards/{award.pk}"), 404, "not_found")
    assert Award.objects.filter(pk=award.pk).exists()


def test_announcements_need_every_language_of_the_event(event: Event, organiser: Caller) -> None:
    path = f"/events/{event.slug}/announcements"
    english_only = {"translations": {"en": {"title": "Pause", "body": "Ten minutes."}}}
    assert "translations" in error(organiser.send("post", path, english_only), 422, "validation_error")
    assert not Announcement.objects.exists()
    both = {"translations": {**english_only["translations"], "ja": {"title": "休止", "body": "10分間です。"}}}
    created = organiser.send("post", path, both)
    assert created.status_code == 201, created.content
    assert created.json()["texts"]["ja"] == {"title": "休止", "body": "10分間です。"}
