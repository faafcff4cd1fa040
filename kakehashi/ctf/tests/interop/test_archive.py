import io
import json
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command

from kakehashi.accounts.models import User
from kakehashi.accounts.tests.factories import UserFactory
from kakehashi.ctf.interop.archive import MANIFEST, export_event, import_archive, import_event
from kakehashi.ctf.models import (
    Announcement,
    AnnouncementTranslation,
    Attachment,
    Award,
    Bracket,
    BracketTranslation,
    Challenge,
    ChallengeTag,
    Event,
    EventStaff,
    EventTranslation,
    Flag,
    HintTranslation,
    HintUnlock,
    Participant,
    Solve,
    Submission,
    Team,
)
from kakehashi.ctf.services.challenges import attachment_add
from kakehashi.ctf.tests.factories import ChallengeFactory, EventFactory, HintFactory, TeamFactory

pytestmark = pytest.mark.django_db

START = datetime(2025, 3, 1, 9, 0, 0, 123456, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return START + timedelta(minutes=minutes)


@pytest.fixture
def event() -> Event:
    """A finished bilingual event with content in both languages, files, teams and history."""
    event = EventFactory.create(
        slug="spring", starts_at=START, ends_at=at(600), freeze_at=at(500), blood_bonuses=[30, 20, 10]
    )
    EventTranslation.objects.create(event=event, language_code="ja", name="春の演習", description="説明")
    organiser = UserFactory.create(username="organiser", display_name="主催者")
    EventStaff.objects.create(event=event, user=organiser, role="organiser")
    students = Bracket.objects.create(event=event, slug="students")
    BracketTranslation.objects.create(bracket=students, language_code="en", name="Students")
    BracketTranslation.objects.create(bracket=students, language_code="ja", name="学生")
    bridge = ChallengeFactory.create(event=event, value=100, position=1, release_at=at(5))
    Flag.objects.create(challenge=bridge, kind="static", content="flag{bridge}")
    Flag.objects.create(challenge=bridge, kind="regex", content="flag{b.*}", case_insensitive=True)
    hint = HintFactory.create(challenge=bridge, cost=20, position=1)
    HintTranslation.objects.create(hint=hint, language_code="ja", title="ヒント", content="よく見て。")
    HintFactory.create(challenge=bridge, cost=0, position=2)
    for value in ("web", "初級"):
        ChallengeTag.objects.create(challenge=bridge, value=value)
    gate = ChallengeFactory.create(
        event=event, function="linear", value=500, minimum=100, decay=50, english__title="Gate", japanese__title="門"
    )
    gate.prerequisites.set([bridge])
    ChallengeFactory.create(event=event, state="hidden", english__title="Secret", japanese__title="秘密")
    attachment_add(challenge=bridge, name="map.txt", content=io.BytesIO(b"the map"))
    attachment_add(challenge=gate, name="地図.txt", content=io.BytesIO(b"the map"))
    attachment_add(challenge=gate, name="key.bin", content=io.BytesIO(bytes(range(256))))
    captain = UserFactory.create(username="hana", display_name="花", country="JP", preferred_language="ja")
    player = UserFactory.create(username="alice", display_name="Alice")
    ghost = UserFactory.create(username="ghost", display_name="Ghost", time_zone="Asia/Tokyo")
    sakura = TeamFactory.create(event=event, name="さくら", captain=captain, country_bracket="jp", bracket=students)
    alpha = TeamFactory.create(event=event, name="Alpha", captain=player, country_bracket="uk")
    Participant.objects.create(event=event, user=captain, team=sakura)
    Participant.objects.create(event=event, user=player, team=alpha)
    Participant.objects.create(event=event, user=ghost, team=alpha)
    Participant.objects.create(event=event, user=UserFactory.create(username="waiting"), status="pending")

    def submit(team: Team, user: User, challenge: Challenge, minutes: int, result: str, **extra: Any) -> Submission:
        return Submission.objects.create(
            event=event,
            challenge=challenge,
            team=team,
            user=user,
            provided=f"flag{{{minutes}}}",
            result=result,
            created_at=at(minutes),
            **extra,
        )

    submit(alpha, ghost, bridge, 6, "incorrect", source_address="192.0.2.7")
    submit(alpha, ghost, gate, 7, "incorrect", shared_from=sakura)
    for team, user, challenge, minutes in ((sakura, captain, bridge, 8), (alpha, player, bridge, 9)):
        right = submit(team, user, challenge, minutes, "correct", source_address="2001:db8::1")
        Solve.objects.create(challenge=challenge, team=team, user=user, submission=right, created_at=at(minutes))
    HintUnlock.objects.create(hint=hint, team=alpha, user=player, cost=20, created_at=at(7))
    Award.objects.create(event=event, team=sakura, value=50, reason="Write-up", created_by=organiser, created_at=at(60))
    Award.objects.create(event=event, team=alpha, value=-10, reason="Noise", created_by=None, created_at=at(61))
    notice = Announcement.objects.create(event=event, author=organiser, created_at=at(30))
    AnnouncementTranslation.objects.create(announcement=notice, language_code="en", title="Hello", body="Welcome.")
    AnnouncementTranslation.objects.create(
        announcement=notice, language_code="ja", title="こんにちは", body="ようこそ。"
    )
    return event


def unpack(data: bytes) -> tuple[dict[str, Any], dict[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    document = json.loads(members.pop(MANIFEST))
    return document, members


def repack(document: dict[str, Any], files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(MANIFEST, json.dumps(document))
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def without_slug(document: dict[str, Any]) -> dict[str, Any]:
    return {**document, "event": {k: v for k, v in document["event"].items() if k != "slug"}}


def stored_files() -> set[Path]:
    return {path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()}


def counts() -> dict[str, int]:
    models = (Event, Challenge, Attachment, Team, Participant, Submission, Solve, User)
    return {model.__name__: model._default_manager.count() for model in models}


def test_round_trip_is_lossless(event: Event) -> None:
    first = export_event(event)
    document, files = unpack(first)
    assert document["format"] == "kakehashi-event"
    assert document["version"] == 1
    assert set(files) == {f"files/{a.sha256}" for a in Attachment.objects.filter(challenge__event=event)}
    assert len(files) == 2  # the same content is stored once
    assert [u["username"] for u in document["users"]] == ["alice", "ghost", "hana", "organiser", "waiting"]
    assert all("email" not in u and "password" not in u for u in document["users"])
    assert "example.org" not in json.dumps(document)
    event.delete()
    User.objects.filter(username="ghost").delete()  # a user known only from the history

    restored = import_event(first)

    again, again_files = unpack(export_event(restored))
    assert without_slug(again) == without_slug(document)
    assert again_files == files
    ghost = User.objects.get(username="ghost")
    assert (ghost.is_active, ghost.has_usable_password(), ghost.display_name, ghost.time_zone) == (
        False,
        False,
        "Ghost",
        "Asia/Tokyo",
    )
    assert Solve.objects.filter(challenge__event=restored).count() == 2
    gate = Challenge.objects.get(event=restored, translations__title="Gate")
    assert [a.file.read() for a in gate.attachments.order_by("name")] == [bytes(range(256)), b"the map"]


def test_import_under_another_slug_keeps_the_original(event: Event) -> None:
    data = export_event(event)
    copy = import_event(data, slug="spring-copy")
    assert copy.slug == "spring-copy"
    assert Team.objects.filter(event=copy).count() == 2
    assert without_slug(unpack(export_event(copy))[0])["teams"] != []
    with pytest.raises(ValidationError) as raised:
        import_event(data)
    assert raised.value.code == "slug_taken"


def test_accounts_are_written_only_when_asked(event: Event) -> None:
    users = {u["username"]: u for u in unpack(export_event(event, include_accounts=True))[0]["users"]}
    assert users["alice"]["email"] == "alice@example.org"
    assert users["alice"]["password"] == User.objects.get(username="alice").password


def test_merge_adds_only_new_challenges(event: Event) -> None:
    data = export_event(event)
    target = EventFactory.create(slug="autumn")
    existing = ChallengeFactory.create(event=target)  # titled "Bridge" as well
    before = counts()

    result = import_archive(data, merge_into=target)

    assert result.event == target
    assert result.skipped == ["Bridge"]
    assert result.created == ["Gate", "Secret"]
    added = Challenge.objects.filter(event=target).exclude(pk=existing.pk).order_by("id")
    assert [c.text("title", "ja") for c in added] == ["門", "秘密"]
    assert {c.state for c in added} == {"hidden"}
    assert list(added[0].prerequisites.all()) == [existing]
    assert added[0].attachments.count() == 2
    after = counts()
    assert after["Challenge"] == before["Challenge"] + 2
    assert after["Attachment"] == before["Attachment"] + 2
    assert {k: v for k, v in after.items() if k not in {"Challenge", "Attachment"}} == {
        k: v for k, v in before.items() if k not in {"Challenge", "Attachment"}
    }


def test_tampered_file_is_rejected_with_nothing_stored(event: Event) -> None:
    document, files = unpack(export_event(event))
    name = sorted(files)[0]
    files[name] = files[name] + b"!"
    before = counts()
    with pytest.raises(ValidationError) as raised:
        import_event(repack(document, files), slug="tampered")
    assert raised.value.code == "checksum_mismatch"
    assert counts() == before


def test_broken_history_rolls_back_rows_and_files(event: Event) -> None:
    document, files = unpack(export_event(event))
    document["solves"][0]["team"] = "t99"
    before = counts()
    stored_before = stored_files()
    with pytest.raises(ValidationError) as raised:
        import_event(repack(document, files), slug="broken")
    assert raised.value.code == "invalid_archive"
    assert counts() == before
    assert stored_files() == stored_before


@pytest.mark.parametrize("name", ["../evil", "/etc/passwd", "files/../../x", "files\\x", "other.txt"])
def test_unsafe_or_unexpected_members_are_rejected(event: Event, name: str) -> None:
    document, files = unpack(export_event(event))
    with pytest.raises(ValidationError):
        import_event(repack(document, {**files, name: b"x"}), slug="unsafe")
    assert not Event.objects.filter(slug="unsafe").exists()


def test_unsafe_attachment_name_and_future_version_are_rejected(event: Event) -> None:
    document, files = unpack(export_event(event))
    document["challenges"][0]["attachments"][0]["name"] = "../../escape.txt"
    with pytest.raises(ValidationError) as raised:
        import_event(repack(document, files), slug="unsafe")
    assert raised.value.code == "unsafe_path"
    document["version"] = 2
    with pytest.raises(ValidationError) as raised:
        import_event(repack(document, files), slug="future")
    assert raised.value.code == "unsupported_version"
    with pytest.raises(ValidationError):
        import_event(b"not a zip")


def test_commands_export_and_import(event: Event, tmp_path: Path) -> None:
    path = tmp_path / "spring.zip"
    call_command("export", "spring", str(path))
    output = io.StringIO()
    call_command("import", str(path), slug="spring-again", stdout=output)
    assert Event.objects.filter(slug="spring-again").exists()
    target = EventFactory.create(slug="merge-target")
    ChallengeFactory.create(event=target)
    output = io.StringIO()
    call_command("import", str(path), merge_into="merge-target", stdout=output)
    assert "Skipped Bridge" in output.getvalue()
    assert Challenge.objects.filter(event=target).count() == 3


def test_export_and_import_are_recorded_once_each_from_the_command_line(event: Event) -> None:
    from kakehashi.audit.models import Entry

    data = export_event(event, include_accounts=True)
    exported = Entry.objects.get(action="export.archive")
    assert (exported.event_id, exported.channel, exported.actor_id) == (event.pk, "cli", None)
    assert exported.after == {"include_accounts": True, "size": len(data), "sha256": exported.after["sha256"]}
    assert len(exported.after["sha256"]) == 64
    copy = import_event(data, slug="audited-copy")
    imported = Entry.objects.get(action="import.archive")
    assert (imported.event_id, imported.target_label, imported.channel) == (copy.pk, "audited-copy", "cli")
    assert imported.after["merged"] is False
    assert imported.after["created"]
