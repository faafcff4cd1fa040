"""CTFd export import: exports are written here from the documented format, then imported and ranked.

Expected standings are worked out by hand from CTFd's rules (see the comments next to each literal).
"""

import base64
import hashlib
import hmac
import io
import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import bcrypt
import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import RequestFactory

from kakehashi.accounts.hashers import CTFdBcryptSHA256PasswordHasher
from kakehashi.accounts.models import User
from kakehashi.ctf.interop.ctfd_import import CTFdImportError, ZipLimits, ctfd_import
from kakehashi.ctf.models import (
    Announcement,
    Attachment,
    Award,
    Challenge,
    Event,
    Flag,
    Hint,
    HintUnlock,
    Page,
    Participant,
    Solve,
    Submission,
    Team,
)
from kakehashi.ctf.services import standings

HASHER = "kakehashi.accounts.hashers.CTFdBcryptSHA256PasswordHasher"
ALICE_PASSWORD = "Bridge-" * 12  # 84 bytes: longer than bcrypt's 72, which bcrypt-sha256 keeps meaningful
FRANK_PASSWORD = "frank's plain bcrypt"
SettingsWrapper = Any  # pytest-django does not export the type of its settings fixture
Tables = dict[str, list[dict[str, Any]] | bytes]


def passlib_v2(password: str, rounds: int = 4) -> str:
    """``$bcrypt-sha256$v=2``: bcrypt over base64(HMAC-SHA256(key=salt, msg=password)), as FORMATS.md defines it."""
    salt = bcrypt.gensalt(rounds).decode()[-22:]
    key = base64.b64encode(hmac.new(salt.encode(), password.encode(), hashlib.sha256).digest())
    checksum = bcrypt.hashpw(key, f"$2b${rounds:02d}${salt}".encode()).decode()[-31:]
    return f"$bcrypt-sha256$v=2,t=2b,r={rounds}${salt}${checksum}"


def passlib_v1(password: str, rounds: int = 4) -> str:
    """Older ``bcrypt_sha256``: bcrypt over base64(SHA-256(password))."""
    salt = bcrypt.gensalt(rounds).decode()[-22:]
    key = base64.b64encode(hashlib.sha256(password.encode()).digest())
    checksum = bcrypt.hashpw(key, f"$2b${rounds:02d}${salt}".encode()).decode()[-31:]
    return f"$bcrypt-sha256$2b,{rounds}${salt}${checksum}"


def unix(text: str) -> str:
    return str(int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()))


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def write_export(path: Path, tables: Tables, uploads: dict[str, bytes] | None = None) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("db/alembic_version.json", table([{"version_num": "67ebab6de598"}]))
        for name, rows in tables.items():
            archive.writestr(f"db/{name}.json", rows if isinstance(rows, bytes) else table(rows))
        for location, content in (uploads or {}).items():
            archive.writestr(f"uploads/{location}", content)
    return path


def table(rows: list[dict[str, Any]]) -> bytes:
    return json.dumps({"count": len(rows), "results": rows, "meta": {}}).encode()


def user(ctfd_id: int, name: str, **extra: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": ctfd_id,
        "name": name,
        "email": f"{name}@ctfd.example",
        "password": None,
        "type": "user",
        "hidden": 0,
        "banned": 0,
        "verified": 1,
        "team_id": None,
        "bracket_id": None,
        "country": None,
        "created": "2026-02-20T08:00:00",
    }
    row.update(extra)
    return row


def submission(ctfd_id: int, challenge: int, account: int, date: str, kind: str = "correct") -> dict[str, Any]:
    return {
        "id": ctfd_id,
        "challenge_id": challenge,
        "user_id": account,
        "team_id": None,
        "ip": "192.0.2.7",
        "provided": f"flag{{{ctfd_id}}}",
        "type": kind,
        "date": date,
    }


def users_mode_tables() -> Tables:
    """Users mode: a hidden admin, a banned and a hidden player, a freeze at 18:00, one dynamic challenge."""
    correct = [
        (1, 1, 2, "2026-03-01T10:00:00.500000"),  # alice Warmup
        (3, 1, 3, "2026-03-01T10:05:00"),  # bob Warmup
        (5, 2, 4, "2026-03-01T11:00:00"),  # carol Dyn
        (6, 2, 2, "2026-03-01T12:00:00.250000"),  # alice Dyn
        (7, 2, 5, "2026-03-01T12:30:00"),  # dave (banned) Dyn: must not lower its value
        (8, 1, 6, "2026-03-01T09:00:00"),  # erin (hidden) Warmup
        (9, 2, 3, "2026-03-01T12:00:00.100000"),  # bob Dyn, 150 ms before alice
        (10, 3, 7, "2026-03-01T13:00:00"),  # frank Zero (worth nothing)
        (11, 1, 7, "2026-03-01T19:00:00"),  # frank Warmup, after the freeze
        (12, 4, 4, "2026-03-01T20:00:00"),  # carol Late, after the freeze
    ]
    submissions = [submission(i, c, u, d) for i, c, u, d in correct]
    submissions += [
        submission(2, 1, 2, "2026-03-01T09:59:00", "incorrect"),
        submission(4, 2, 4, "2026-03-01T10:59:00", "incorrect"),
    ]
    return {
        "config": [
            {"id": 1, "key": "ctf_name", "value": "Spring Bridge CTF"},
            {"id": 2, "key": "user_mode", "value": "users"},
            {"id": 3, "key": "start", "value": unix("2026-03-01T00:00:00")},
            {"id": 4, "key": "end", "value": unix("2026-03-02T00:00:00")},
            {"id": 5, "key": "freeze", "value": unix("2026-03-01T18:00:00")},
            {"id": 6, "key": "paused", "value": "0"},
            {"id": 7, "key": "team_size", "value": None},
        ],
        "brackets": b"",  # an empty table is a zero-byte file
        "topics": [{"id": 1, "value": "Encoding"}],
        "challenge_topics": [{"id": 1, "challenge_id": 1, "topic_id": 1}],
        "users": [
            user(1, "admin", type="admin", hidden=1),
            user(2, "alice", password=passlib_v2(ALICE_PASSWORD), country="JP"),
            user(3, "bob", country="GB"),
            user(4, "carol"),
            user(5, "dave", banned="1"),
            user(6, "erin", hidden=True),
            user(7, "frank", password=bcrypt.hashpw(FRANK_PASSWORD.encode(), bcrypt.gensalt(4)).decode()),
        ],
        "teams": b"",
        "challenges": [
            {
                "id": 1,
                "name": "Warmup",
                "description": "Say hello.",
                "category": "intro",
                "value": 100,
                "type": "standard",
                "state": "visible",
                "requirements": None,
                "max_attempts": 0,
                "function": "static",
            },
            {
                "id": 2,
                "name": "Dyn",
                "description": "It decays.",
                "category": "crypto",
                "value": 500,
                "type": "dynamic",
                "state": "visible",
                "requirements": None,
                "max_attempts": 0,
                "function": "static",
                "initial": None,
                "minimum": None,
                "decay": None,
            },
            {
                "id": 3,
                "name": "Zero",
                "description": "Free.",
                "category": "intro",
                "value": 0,
                "type": "standard",
                "state": "visible",
                "requirements": None,
            },
            {
                "id": 4,
                "name": "Late",
                "description": "After Warmup.",
                "category": "web",
                "value": 50,
                "type": "standard",
                "state": "hidden",
                "requirements": '{"prerequisites": [1], "anonymize": false}',
            },
        ],
        # The stale 500 above is CTFd's cache; the real rule is here. Decay 3, x = 2 counted solves after
        # the first: ceil((100 - 500) / 9 * 4 + 500) = ceil(322.2) = 323.
        "dynamic_challenge": [
            {
                "id": 2,
                "dynamic_initial": 500,
                "dynamic_minimum": 100,
                "dynamic_decay": 3,
                "dynamic_function": "logarithmic",
            },
        ],
        "flags": [
            {"id": 1, "challenge_id": 1, "type": "static", "content": "flag{warm}", "data": "case_insensitive"},
            {"id": 2, "challenge_id": 2, "type": "regex", "content": "flag\\{d[0-9]+\\}", "data": ""},
        ],
        "hints": [
            {
                "id": 1,
                "challenge_id": 2,
                "type": "standard",
                "title": "Nudge",
                "content": "Mind the decay.",
                "cost": 25,
                "requirements": None,
            }
        ],
        "tags": [{"id": 1, "challenge_id": 2, "value": "math"}],
        "files": [
            {
                "id": 1,
                "type": "challenge",
                "location": "0123456789abcdef0123456789abcdef/warmup.txt",
                "challenge_id": 1,
                "page_id": None,
                "sha1sum": None,
            }
        ],
        "submissions": submissions,
        "solves": [{"id": i, "challenge_id": c, "user_id": u, "team_id": None} for i, c, u, _d in correct],
        "awards": [
            {
                "id": 1,
                "user_id": 4,
                "team_id": None,
                "type": "standard",
                "name": "Bug report",
                "value": 30,
                "date": "2026-03-01T14:00:00",
                "category": None,
                "icon": None,
                "description": "",
            },
            {
                "id": 2,
                "user_id": 3,
                "team_id": None,
                "type": "standard",
                "name": "Penalty",
                "value": -25,
                "date": "2026-03-01T11:45:00",
                "category": None,
                "icon": None,
                "description": "",
            },
            {
                "id": 3,
                "user_id": 2,
                "team_id": None,
                "type": "hint",
                "name": "Hint 1",
                "value": -25,
                "date": "2026-03-01T11:30:00.000300",
                "category": None,
                "icon": None,
                "description": "",
            },
            {
                "id": 4,
                "user_id": 7,
                "team_id": None,
                "type": "standard",
                "name": "Nothing",
                "value": 0,
                "date": "2026-03-01T13:30:00",
                "category": None,
                "icon": None,
                "description": "",
            },
            {
                "id": 5,
                "user_id": 5,
                "team_id": None,
                "type": "standard",
                "name": "Banned bonus",
                "value": 1000,
                "date": "2026-03-01T13:00:00",
                "category": None,
                "icon": None,
                "description": "",
            },
        ],
        "unlocks": [
            {"id": 1, "user_id": 2, "team_id": None, "target": 1, "date": "2026-03-01T11:30:00", "type": "hints"}
        ],
        "notifications": [
            {
                "id": 1,
                "title": "Welcome",
                "content": "Good luck!",
                "date": "2026-03-01T00:05:00",
                "user_id": None,
                "team_id": None,
            }
        ],
        "pages": [
            {
                "id": 1,
                "title": "Rules",
                "route": "rules",
                "content": "Be nice.",
                "draft": 0,
                "hidden": 0,
                "auth_required": 0,
                "format": "markdown",
            }
        ],
        "fancy_plugin": [{"id": 1}],
    }


def teams_mode_tables() -> Tables:
    """Teams mode with a bracket, a hidden and a banned team, and an older-style dynamic_challenge row."""
    users = [
        user(1, "ren", team_id=1, country="JP"),
        user(2, "sam", team_id=1, country="GB"),
        user(3, "tomo", team_id=2),
        user(4, "uma", team_id=3),
        user(5, "vic", team_id=4),
    ]
    solves = [
        (1, 1, 2, 1, "2026-04-01T10:00:00"),  # Red: Linear
        (2, 1, 4, 3, "2026-04-01T10:10:00"),  # Ghost (hidden): Linear
        (3, 1, 3, 2, "2026-04-01T10:20:00"),  # Blue: Linear
        (4, 1, 5, 4, "2026-04-01T10:30:00"),  # Banned: Linear
        (5, 2, 3, 2, "2026-04-01T11:00:00"),  # Blue: Fixed
        (6, 2, 1, 1, "2026-04-01T11:00:00.000001"),  # Red: Fixed, one microsecond later
    ]
    return {
        "config": [
            {"id": 1, "key": "ctf_name", "value": "Team Bridge"},
            {"id": 2, "key": "user_mode", "value": "teams"},
            {"id": 3, "key": "start", "value": unix("2026-04-01T09:00:00")},
            {"id": 4, "key": "end", "value": unix("2026-04-01T21:00:00")},
            {"id": 5, "key": "freeze", "value": ""},
            {"id": 6, "key": "team_size", "value": "4"},
            {"id": 7, "key": "paused", "value": "1"},
        ],
        "brackets": [{"id": 1, "name": "Students", "description": "", "type": "teams"}],
        "users": users,
        "teams": [
            {"id": 1, "name": "Red", "captain_id": 1, "hidden": False, "banned": False, "bracket_id": None},
            {"id": 2, "name": "Blue", "captain_id": 3, "hidden": 0, "banned": 0, "bracket_id": 1},
            {"id": 3, "name": "Ghost", "captain_id": 4, "hidden": 1, "banned": 0, "bracket_id": None},
            {"id": 4, "name": "Banned", "captain_id": 5, "hidden": 0, "banned": 1, "bracket_id": None},
        ],
        "challenges": [
            {
                "id": 1,
                "name": "Linear",
                "description": "d",
                "category": "c",
                "value": 999,
                "type": "dynamic",
                "state": "visible",
                "requirements": None,
            },
            {
                "id": 2,
                "name": "Fixed",
                "description": "d",
                "category": "c",
                "value": 200,
                "type": "standard",
                "state": "visible",
                "requirements": {"prerequisites": [1]},
            },
        ],
        # Counted solves of Linear: Red and Blue, so x = 1 and the value is 300 - 50 · 1 = 250.
        "dynamic_challenge": [{"id": 1, "initial": 300, "minimum": 100, "decay": 50, "function": "linear"}],
        "flags": [{"id": 1, "challenge_id": 1, "type": "static", "content": "flag{lin}", "data": ""}],
        "submissions": [
            {
                "id": i,
                "challenge_id": c,
                "user_id": u,
                "team_id": t,
                "ip": None,
                "provided": "x",
                "type": "correct",
                "date": d,
            }
            for i, c, u, t, d in solves
        ],
        "solves": [{"id": i, "challenge_id": c, "user_id": u, "team_id": t} for i, c, u, t, _d in solves],
        "awards": b"",
        "unlocks": b"",
    }


def rows(snapshot: standings.Snapshot) -> list[tuple[str, int]]:
    return [(entry.name, entry.score) for entry in snapshot.entries]


@pytest.fixture
def ctfd_settings(settings: SettingsWrapper, tmp_path: Path) -> SettingsWrapper:
    settings.PASSWORD_HASHERS = [*settings.PASSWORD_HASHERS, HASHER]
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings


@pytest.mark.django_db
def test_users_mode_export_ranks_as_ctfd_did(ctfd_settings: SettingsWrapper, tmp_path: Path, admin_user: User) -> None:
    path = write_export(
        tmp_path / "export.zip",
        users_mode_tables(),
        {"0123456789abcdef0123456789abcdef/warmup.txt": b"hello"},
    )
    progress: list[tuple[str, int, int]] = []
    summary = ctfd_import(path=path, organiser=admin_user, progress=lambda *step: progress.append(step))

    event = summary.event
    assert event is not None
    assert event.slug == "spring-bridge-ctf"
    assert event.text("name", "en") == "Spring Bridge CTF"
    assert event.mode == "individual"
    assert (event.starts_at, event.freeze_at) == (at("2026-03-01T00:00:00"), at("2026-03-01T18:00:00"))
    assert not event.paused

    # Live (CTFd's admin page). Dyn is worth 323 to everyone; the banned and hidden solves do not count.
    # carol: Dyn 323 + award 30 + Late 50 = 403. bob: Warmup 100 + Dyn 323 - penalty 25 = 398, last scored
    # 12:00:00.100. alice: Warmup 100 + Dyn 323 - hint 25 = 398, last scored 12:00:00.250, so after bob.
    # frank: Zero counts for nothing, Warmup 100 after the freeze.
    live = standings.compute(event, view="live", now=at("2026-03-01T23:00:00"))
    assert rows(live) == [("carol", 403), ("bob", 398), ("alice", 398), ("frank", 100)]
    assert live.values[Challenge.objects.get(event=event, translations__title="Dyn").pk] == 323
    # Public (frozen at 18:00): carol loses Late, frank has nothing that scores, so no row.
    public = standings.compute(event, view="public", now=at("2026-03-01T23:00:00"))
    assert rows(public) == [("bob", 398), ("alice", 398), ("carol", 353)]

    alice_team = Team.objects.get(event=event, name="alice")
    assert Award.objects.filter(event=event, team=alice_team).count() == 0  # the hint award became the unlock
    unlock = HintUnlock.objects.get(team=alice_team)
    assert (unlock.cost, unlock.created_at) == (25, at("2026-03-01T11:30:00.000300"))
    assert Team.objects.get(event=event, name="dave").banned
    assert Participant.objects.get(event=event, user__username="dave").status == "banned"
    assert Team.objects.get(event=event, name="erin").hidden
    assert Team.objects.get(event=event, name="admin").hidden
    assert alice_team.solo
    assert alice_team.country_bracket == "jp"

    solve = Solve.objects.get(team=alice_team, challenge__translations__title="Dyn")
    assert solve.created_at == at("2026-03-01T12:00:00.250000")
    assert (solve.submission.provided, solve.submission.source_address) == ("flag{6}", "192.0.2.7")
    assert Submission.objects.filter(event=event).count() == 12
    assert Submission.objects.filter(event=event, result="incorrect").count() == 2

    dyn = Challenge.objects.get(event=event, translations__title="Dyn")
    assert (dyn.function, dyn.value, dyn.minimum, dyn.decay) == ("logarithmic", 500, 100, 3)
    assert [tag.value for tag in dyn.tags.all()] == ["math"]
    hint = Hint.objects.get(challenge=dyn)
    assert hint.cost == 25
    assert hint.text("content", "en") == "Mind the decay."
    assert hint.text("content", "ja") == "Mind the decay."  # no Japanese text: English is shown
    warmup = Challenge.objects.get(event=event, translations__title="Warmup")
    assert Flag.objects.get(challenge=warmup).case_insensitive
    assert Flag.objects.get(challenge=dyn).kind == "regex"
    late = Challenge.objects.get(event=event, translations__title="Late")
    assert list(late.prerequisites.all()) == [warmup]
    assert late.state == "hidden"
    assert warmup.state == "visible"
    attachment = Attachment.objects.get(challenge=warmup)
    assert (attachment.name, attachment.size) == ("warmup.txt", 5)
    assert attachment.sha256 == hashlib.sha256(b"hello").hexdigest()
    assert Announcement.objects.get(event=event).text("body", "en") == "Good luck!"

    assert summary.tables_not_imported == {"fancy_plugin": 1}
    assert list(warmup.topics.values_list("value", flat=True)) == ["Encoding"]
    page = Page.objects.get(event=event, route="rules")
    assert (page.text("title", "en"), page.text("content", "en"), page.hidden) == ("Rules", "Be nice.", False)
    assert summary.counts["pages"] == 1
    assert any("fancy_plugin" in warning for warning in summary.warnings)
    assert summary.counts["users"] == 7
    assert summary.counts["solves"] == 10
    assert ("users", 7, 7) in progress


@pytest.mark.django_db
def test_imported_players_sign_in_with_their_ctfd_passwords(
    ctfd_settings: SettingsWrapper, tmp_path: Path, admin_user: User
) -> None:
    ctfd_import(path=write_export(tmp_path / "export.zip", users_mode_tables()), organiser=admin_user)
    assert User.objects.get(username="frank").password.startswith("ctfd_bcrypt_sha256$$2b$")
    request = RequestFactory().post("/accounts/login")
    alice = authenticate(request, username="alice", password=ALICE_PASSWORD)
    assert alice is not None
    alice.refresh_from_db()
    assert alice.password.startswith("md5$")  # moved to the preferred hasher at the first sign-in
    assert authenticate(request, username="frank", password=FRANK_PASSWORD) is not None
    assert authenticate(request, username="bob", password="") is None  # no hash in the export: unusable
    assert not User.objects.get(username="bob").has_usable_password()


def test_hasher_verifies_passlib_v1_v2_and_plain_bcrypt() -> None:
    hasher = CTFdBcryptSHA256PasswordHasher()
    long_password = "x" * 72 + "tail"
    v2 = f"ctfd_bcrypt_sha256${passlib_v2(long_password)}"
    assert hasher.verify(long_password, v2)
    assert not hasher.verify("x" * 72 + "TAIL", v2)  # bytes after the 72nd still count
    v1 = f"ctfd_bcrypt_sha256${passlib_v1('secret')}"
    assert hasher.verify("secret", v1)
    assert not hasher.verify("Secret", v1)
    plain = "ctfd_bcrypt_sha256$" + bcrypt.hashpw(b"plain", bcrypt.gensalt(4)).decode()
    assert hasher.verify("plain", plain)
    assert not hasher.verify("plain ", plain)
    assert not hasher.verify("secret", "ctfd_bcrypt_sha256$$bcrypt-sha256$v=9,t=2b,r=4$bad$bad")
    made = hasher.encode("again", hasher.salt())
    assert hasher.verify("again", made)
    assert hasher.safe_summary(made)["version"] == 2


@pytest.mark.django_db
def test_teams_mode_export_ranks_as_ctfd_did(ctfd_settings: SettingsWrapper, tmp_path: Path, admin_user: User) -> None:
    path = write_export(tmp_path / "teams.zip", teams_mode_tables())
    summary = ctfd_import(path=path, organiser=admin_user, slug="team-bridge-2026")
    event = summary.event
    assert event is not None
    assert (event.slug, event.mode, event.team_size_limit, event.paused) == ("team-bridge-2026", "team", 4, True)
    assert event.freeze_at is None

    # Linear 250 + Fixed 200 = 450 each; Blue scored last at 11:00:00, Red one microsecond later.
    live = standings.compute(event, view="live", now=at("2026-04-01T22:00:00"))
    assert rows(live) == [("Blue", 450), ("Red", 450)]
    red = Team.objects.get(event=event, name="Red")
    assert red.captain is not None
    assert red.captain.username == "ren"
    assert sorted(p.user.username for p in Participant.objects.filter(team=red)) == ["ren", "sam"]
    assert red.country_bracket == "mixed"
    blue = Team.objects.get(event=event, name="Blue")
    assert blue.bracket is not None
    assert blue.bracket.slug == "students"
    linear = Challenge.objects.get(event=event, translations__title="Linear")
    assert (linear.function, linear.value, linear.minimum, linear.decay) == ("linear", 300, 100, 50)
    fixed = Challenge.objects.get(event=event, translations__title="Fixed")
    assert list(fixed.prerequisites.all()) == [linear]


@pytest.mark.django_db
def test_command_prints_a_summary(
    ctfd_settings: SettingsWrapper, tmp_path: Path, admin_user: User, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_export(tmp_path / "teams.zip", teams_mode_tables())
    call_command("import_ctfd", str(path), "--event", "cmd-import", "--organiser", admin_user.username)
    out, err = capsys.readouterr()
    assert "cmd-import" in out
    assert "solves: 6" in out
    assert "6/6" in err
    assert Event.objects.filter(slug="cmd-import").exists()
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_ctfd", str(path), "--event", "cmd-import", "--organiser", admin_user.username)


def unsafe_zip(path: Path, name: str, content: bytes = b"x") -> Path:
    write_export(path, teams_mode_tables())
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr(zipfile.ZipInfo(name), content)
    return path


def symlink_zip(path: Path) -> Path:
    write_export(path, teams_mode_tables())
    link = zipfile.ZipInfo("uploads/abc/link")
    link.external_attr = (0o120777 << 16) | 0
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr(link, "/etc/passwd")
    return path


@pytest.mark.django_db
@pytest.mark.parametrize(
    "case",
    [
        (lambda p: unsafe_zip(p, "../x"), None, "Unsafe path"),
        (lambda p: unsafe_zip(p, "uploads/../../x"), None, "Unsafe path"),
        (lambda p: unsafe_zip(p, "/etc/cron.d/x"), None, "Unsafe path"),
        (lambda p: unsafe_zip(p, "C:/x"), None, "Unsafe path"),
        (symlink_zip, None, "symbolic link"),
        (lambda p: unsafe_zip(p, "uploads/abc/big.bin", b"\0" * 5000), ZipLimits(member_bytes=4096), "larger"),
        (lambda p: unsafe_zip(p, "uploads/abc/big.bin", b"\0" * 30_000), ZipLimits(total_bytes=20_000), "unpacks"),
        (lambda p: p.write_bytes(b"PK\x03\x04 not really a zip") and p, None, "not a readable zip"),
    ],
)
def test_unsafe_or_broken_archives_are_refused_and_nothing_is_stored(
    ctfd_settings: SettingsWrapper, tmp_path: Path, admin_user: User, case: tuple[Any, ZipLimits | None, str]
) -> None:
    build, limits, message = case
    path = build(tmp_path / "bad.zip")
    users_before = User.objects.count()
    with pytest.raises(CTFdImportError, match=message):
        ctfd_import(path=path, organiser=admin_user, limits=limits)
    assert Event.objects.count() == 0
    assert User.objects.count() == users_before


@pytest.mark.django_db
def test_an_error_half_way_leaves_nothing_behind(
    ctfd_settings: SettingsWrapper, tmp_path: Path, admin_user: User
) -> None:
    tables = users_mode_tables()
    flags = tables["flags"]
    assert isinstance(flags, list)
    flags[1]["content"] = "(?<=x)flag"  # look-behind: the regex engine refuses it, after files were stored
    path = write_export(tmp_path / "export.zip", tables, {"0123456789abcdef0123456789abcdef/warmup.txt": b"hello"})
    users_before = User.objects.count()
    with pytest.raises(CTFdImportError, match="Flag 2 of challenge 2"):
        ctfd_import(path=path, organiser=admin_user)
    assert Event.objects.count() == 0
    assert Challenge.objects.count() == 0
    assert User.objects.count() == users_before
    media = Path(ctfd_settings.MEDIA_ROOT)
    assert not [item for item in media.rglob("*") if item.is_file()]


@pytest.mark.django_db
def test_damaged_member_is_refused(ctfd_settings: SettingsWrapper, tmp_path: Path, admin_user: User) -> None:
    path = write_export(tmp_path / "export.zip", teams_mode_tables())
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo("db/users.json")
    start = info.header_offset + 30 + len(info.filename)
    data[start : start + 20] = b"#" * 20  # corrupt the stored bytes: the CRC no longer matches
    path.write_bytes(bytes(data))
    with pytest.raises(CTFdImportError, match="damaged"):
        ctfd_import(path=path, organiser=admin_user)
    assert Event.objects.count() == 0


@pytest.mark.django_db
def test_the_import_is_recorded_once_with_its_counts(
    ctfd_settings: SettingsWrapper, tmp_path: Path, admin_user: User
) -> None:
    from kakehashi.audit.models import Entry

    summary = ctfd_import(path=write_export(tmp_path / "export.zip", users_mode_tables()), organiser=admin_user)
    assert summary.event is not None
    entry = Entry.objects.get(action="import.ctfd")
    assert (entry.event_id, entry.channel, entry.actor_id) == (summary.event.pk, "cli", None)
    assert entry.after == {"file": "export.zip", "organiser": admin_user.username, "counts": dict(summary.counts)}
    serialised = json.dumps([list(row) for row in Entry.objects.values_list("before", "after")])
    assert "passlib" not in serialised
    assert "bcrypt" not in serialised
    assert "$2b$" not in serialised
