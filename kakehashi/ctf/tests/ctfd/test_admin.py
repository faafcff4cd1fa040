"""The organisers' endpoints ctfcli uses, through the CTFd-compatible API."""

import hashlib
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kakehashi.ctf.ctfd.challenges import OVERRIDE_REASON
from kakehashi.ctf.models import Challenge, Event
from kakehashi.ctf.tests.ctfd.conftest import Call
from kakehashi.ctf.tests.factories import ChallengeFactory, EventFactory, FlagFactory

pytestmark = pytest.mark.django_db

CREATE = {
    "name": "Bridge",
    "category": "web",
    "description": "Cross it.",
    "attribution": "Alice",
    "type": "standard",
    "state": "hidden",
    "value": 100,
    "max_attempts": 0,
    "connection_info": None,
    "logic": "any",
}


def _data(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["success"] is True
    return body.get("data")


def test_create_standard_hidden_and_read_back(as_organiser: Call, event: Event) -> None:
    data = _data(as_organiser("POST", "/api/v1/challenges", CREATE))
    challenge = Challenge.objects.get(pk=data["id"])
    assert challenge.event == event
    assert challenge.state == "hidden"
    assert challenge.function == "static"
    assert challenge.author == "Alice"
    assert challenge.text("title", "en") == "Bridge"
    detail = _data(as_organiser("GET", f"/api/v1/challenges/{challenge.pk}?view=admin"))
    assert detail["name"] == "Bridge"
    assert detail["logic"] == "any"
    assert detail["connection_info"] is None
    assert not {"initial", "decay", "minimum"} & set(detail)
    listed = _data(as_organiser("GET", "/api/v1/challenges?view=admin"))
    assert [item["name"] for item in listed] == ["Bridge"]


def test_create_dynamic_with_translation_and_publish(as_organiser: Call) -> None:
    payload = {
        **CREATE,
        "type": "dynamic",
        "value": 500,
        "initial": 500,
        "decay": 10,
        "minimum": 100,
        "translations": {"ja": {"name": "橋", "description": "渡って。", "hints": ["ヒント"]}},
    }
    data = _data(as_organiser("POST", "/api/v1/challenges", payload))
    assert (data["initial"], data["decay"], data["minimum"], data["function"]) == (500, 10, 100, "logarithmic")
    challenge = Challenge.objects.get(pk=data["id"])
    assert challenge.text("title", "ja") == "橋"
    hint = _data(as_organiser("POST", "/api/v1/hints", {"challenge_id": challenge.pk, "content": "Hint", "cost": 5}))
    assert hint["cost"] == 5
    assert challenge.hints.get().text("content", "ja") == "ヒント"
    _data(as_organiser("PATCH", f"/api/v1/challenges/{challenge.pk}", {"next_id": None}))
    _data(as_organiser("PATCH", f"/api/v1/challenges/{challenge.pk}", {"state": "visible"}))
    challenge.refresh_from_db()
    assert challenge.state == "visible"
    assert challenge.publish_override_reason == ""
    ja = _data(as_organiser("GET", f"/api/v1/challenges/{challenge.pk}?view=admin&lang=ja"))
    assert ja["name"] == "橋"


def test_publish_with_missing_language_records_the_reason(as_organiser: Call) -> None:
    challenge_id = _data(as_organiser("POST", "/api/v1/challenges", CREATE))["id"]
    _data(as_organiser("PATCH", f"/api/v1/challenges/{challenge_id}", {"state": "visible"}))
    challenge = Challenge.objects.get(pk=challenge_id)
    assert challenge.state == "visible"
    assert challenge.publish_override_reason == OVERRIDE_REASON


def test_sync_style_patch_changes_texts_value_and_prerequisites(as_organiser: Call, event: Event) -> None:
    first = ChallengeFactory.create(event=event)
    challenge_id = _data(as_organiser("POST", "/api/v1/challenges", CREATE))["id"]
    change = {**CREATE, "name": "Bridge 2", "value": 200, "requirements": {"prerequisites": [first.pk]}}
    _data(as_organiser("PATCH", f"/api/v1/challenges/{challenge_id}", change))
    challenge = Challenge.objects.get(pk=challenge_id)
    assert (challenge.text("title", "en"), challenge.value) == ("Bridge 2", 200)
    assert _data(as_organiser("GET", f"/api/v1/challenges/{challenge_id}/requirements")) == {
        "prerequisites": [first.pk],
        "anonymize": False,
    }
    assert _data(as_organiser("GET", f"/api/v1/challenges/{first.pk}/requirements")) is None


def test_flags_tags_and_hints_are_listed_and_deleted_by_id(as_organiser: Call, event: Event) -> None:
    challenge = ChallengeFactory.create(event=event)
    flag = _data(
        as_organiser("POST", "/api/v1/flags", {"challenge_id": challenge.pk, "content": "f", "type": "static"})
    )
    ci = {"challenge_id": challenge.pk, "content": "F{x}", "type": "static", "data": "case_insensitive"}
    assert _data(as_organiser("POST", "/api/v1/flags", ci))["data"] == "case_insensitive"
    tags = [_data(as_organiser("POST", "/api/v1/tags", {"challenge_id": challenge.pk, "value": v})) for v in "ab"]
    assert [t["challenge_id"] for t in _data(as_organiser("GET", "/api/v1/flags"))] == [challenge.pk] * 2
    for tag in _data(as_organiser("GET", "/api/v1/tags")):
        _data(as_organiser("DELETE", f"/api/v1/tags/{tag['id']}"))
    assert {t["id"] for t in tags}.isdisjoint(t["id"] for t in _data(as_organiser("GET", "/api/v1/tags")))
    _data(as_organiser("DELETE", f"/api/v1/flags/{flag['id']}"))
    assert [f["content"] for f in _data(as_organiser("GET", f"/api/v1/challenges/{challenge.pk}/flags"))] == ["F{x}"]
    assert _data(as_organiser("GET", f"/api/v1/challenges/{challenge.pk}/topics")) == []
    assert _data(as_organiser("GET", "/api/v1/solutions")) == []
    topic = {"challenge_id": challenge.pk, "value": "SQL injection", "type": "challenge"}
    added = _data(as_organiser("POST", "/api/v1/topics", topic))
    listed = _data(as_organiser("GET", f"/api/v1/challenges/{challenge.pk}/topics"))
    assert [t["value"] for t in listed] == ["SQL injection"]
    _data(as_organiser("DELETE", f"/api/v1/topics?type=challenge&target_id={added['id']}"))
    assert _data(as_organiser("GET", f"/api/v1/challenges/{challenge.pk}/topics")) == []


def test_files_upload_list_sha1_and_delete(as_organiser: Call, event: Event) -> None:
    challenge = ChallengeFactory.create(event=event)
    upload = {
        "challenge_id": str(challenge.pk),
        "type": "challenge",
        "file": [SimpleUploadedFile("a.txt", b"hello"), SimpleUploadedFile("b.bin", b"\x00\x01")],
    }
    added = _data(as_organiser("POST", "/api/v1/files", upload, multipart=True))
    assert [item["location"].rsplit("/", 1)[1] for item in added] == ["a.txt", "b.bin"]
    listed = {item["location"]: item["sha1sum"] for item in _data(as_organiser("GET", "/api/v1/files?type=challenge"))}
    assert listed[added[0]["location"]] == hashlib.sha1(b"hello", usedforsecurity=False).hexdigest()
    detail = _data(as_organiser("GET", f"/api/v1/challenges/{challenge.pk}?view=admin"))
    assert sorted("/".join(url.split("/")[-2:]) for url in detail["files"]) == sorted(listed)
    _data(as_organiser("DELETE", f"/api/v1/files/{added[0]['id']}"))
    assert [a.name for a in challenge.attachments.all()] == ["b.bin"]


def test_refuses_other_users_and_answers_in_ctfd_shape(as_player: Call) -> None:
    response = as_player("GET", "/api/v1/challenges?view=admin")
    assert response.status_code == 403
    assert response.json()["success"] is False
    assert "errors" in response.json()


def test_challenges_of_other_events_are_not_found(as_organiser: Call) -> None:
    other = ChallengeFactory.create(event=EventFactory.create())
    FlagFactory.create(challenge=other)
    response = as_organiser("GET", f"/api/v1/challenges/{other.pk}?view=admin")
    assert response.status_code == 404
    assert response.json() == {"success": False, "errors": {"message": ["Not found."]}}


def test_invalid_input_is_400_with_field_errors(as_organiser: Call) -> None:
    response = as_organiser("POST", "/api/v1/challenges", {**CREATE, "value": None})
    assert response.status_code == 400
    assert "value" in response.json()["errors"]


def test_tag_changes_are_recorded_as_challenge_changes(as_organiser: Call, organiser: Any, event: Event) -> None:
    from kakehashi.audit.models import Entry

    challenge = ChallengeFactory.create(event=event)
    tag = _data(as_organiser("POST", "/api/v1/tags", {"challenge_id": challenge.pk, "value": "osint"}))
    _data(as_organiser("DELETE", f"/api/v1/tags/{tag['id']}"))
    entries = list(Entry.objects.filter(action="challenge.update").order_by("id"))
    assert [(entry.before, entry.after) for entry in entries] == [
        ({"tags": []}, {"tags": ["osint"]}),
        ({"tags": ["osint"]}, {"tags": []}),
    ]
    assert {(entry.channel, entry.actor_id) for entry in entries} == {("ctfd", organiser.pk)}
