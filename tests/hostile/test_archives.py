"""Hostile zip archives for both importers: the Kakehashi event archive and the CTFd export.

Each is refused with a clear error, and nothing is stored: no event, no account, no file.
The basic cases (traversal, absolute paths, symlinks, oversized members) are in
``kakehashi/ctf/tests/interop``; these are the ones around them.
"""

import io
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage

from kakehashi.accounts.models import User
from kakehashi.ctf.interop.archive import MANIFEST, export_event, import_event
from kakehashi.ctf.interop.ctfd_import import CTFdImportError, ZipLimits, ctfd_import
from kakehashi.ctf.models import Attachment, Challenge, Event
from kakehashi.ctf.services.challenges import attachment_add
from kakehashi.ctf.tests.factories import ChallengeFactory, EventFactory
from kakehashi.ctf.tests.interop.test_ctfd_import import teams_mode_tables, write_export

pytestmark = pytest.mark.django_db

SettingsWrapper = Any  # pytest-django does not export the type of its settings fixture

Rebuild = Callable[[bytes], bytes]


def _members(data: bytes) -> list[tuple[zipfile.ZipInfo, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [(info, archive.read(info)) for info in archive.infolist()]


def _zip(members: list[tuple[zipfile.ZipInfo | str, bytes]], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for info, content in members:
            archive.writestr(info, content)
    return buffer.getvalue()


def _with(extra: list[tuple[zipfile.ZipInfo | str, bytes]]) -> Rebuild:
    def rebuild(data: bytes) -> bytes:
        return _zip([*[(info.filename, content) for info, content in _members(data)], *extra])

    return rebuild


def _duplicate(name: str, content: bytes) -> Rebuild:
    def rebuild(data: bytes) -> bytes:
        with pytest.warns(UserWarning, match="Duplicate name"):
            return _with([(name, content)])(data)

    return rebuild


def _flag_bits(name: str, *, flag: int = 0, method: int | None = None) -> Rebuild:
    """Rewrite the local and central headers of member ``name``: set a general-purpose flag or the method."""

    def rebuild(data: bytes) -> bytes:
        raw = bytearray(data)
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            info = archive.getinfo(name)
        local = info.header_offset
        central = raw.find(b"PK\x01\x02")
        while central >= 0:
            size = struct.unpack_from("<H", raw, central + 28)[0]
            if bytes(raw[central + 46 : central + 46 + size]) == name.encode():
                break
            central = raw.find(b"PK\x01\x02", central + 4)
        for flags_at, method_at in ((local + 6, local + 8), (central + 8, central + 10)):
            struct.pack_into("<H", raw, flags_at, struct.unpack_from("<H", raw, flags_at)[0] | flag)
            if method is not None:
                struct.pack_into("<H", raw, method_at, method)
        return bytes(raw)

    return rebuild


def _corrupt_deflate(name: str) -> Rebuild:
    """Garble the compressed bytes of ``name`` so that inflating them fails (not only the CRC)."""

    def rebuild(data: bytes) -> bytes:
        raw = bytearray(data)
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            info = archive.getinfo(name)
        start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
        raw[start : start + 8] = b"\xff" * 8
        return bytes(raw)

    return rebuild


def _truncated(data: bytes) -> bytes:
    return data[: len(data) // 2]


def _nested_zip(data: bytes) -> bytes:
    inner = _zip([("../../escape.txt", b"x"), (MANIFEST, b"{}")])
    return _with([("files/" + "0" * 64, inner)])(data)


def _many_tiny(data: bytes) -> bytes:
    return _with([(f"files/{index:064x}", b"") for index in range(10_001)])(data)


# --- the Kakehashi event archive ------------------------------------------------------------


@pytest.fixture
def archive_bytes(db: Any) -> bytes:
    event = EventFactory.create(slug="source")
    challenge = ChallengeFactory.create(event=event)
    attachment_add(challenge=challenge, name="notes.txt", content=io.BytesIO(b"notes"))
    return export_event(event)


def _stored() -> tuple[int, int, int, list[str]]:
    _folders, files = default_storage.listdir("attachments") if default_storage.exists("attachments") else ([], [])
    return Event.objects.count(), Challenge.objects.count(), Attachment.objects.count(), sorted(files)


KAKEHASHI_ATTACKS: dict[str, Rebuild] = {
    "duplicate_manifest": _duplicate(MANIFEST, b'{"format": "other"}'),
    "nested_zip_with_traversal": _nested_zip,
    "many_tiny_members": _many_tiny,
    "not_a_zip": lambda data: b"\x7fELF" + bytes(range(256)) * 8,
    "truncated": _truncated,
    "empty": lambda data: b"",
    "encrypted_member": _flag_bits(MANIFEST, flag=0x1),
    "unknown_compression": _flag_bits(MANIFEST, method=99),
    "corrupt_deflate": _corrupt_deflate(MANIFEST),
    "nul_in_name": _with([("files/a\x00b", b"x")]),  # zipfile cuts the name at NUL: "files/a" is unexpected
    "backslash_traversal": _with([("..\\..\\escape.txt", b"x")]),
}


@pytest.mark.parametrize("attack", sorted(KAKEHASHI_ATTACKS))
def test_hostile_event_archive_is_refused(archive_bytes: bytes, attack: str) -> None:
    before = _stored()
    hostile = KAKEHASHI_ATTACKS[attack](archive_bytes)
    with pytest.raises(ValidationError) as raised:
        import_event(hostile, slug="hostile")
    assert raised.value.messages
    assert all(raised.value.messages)
    assert _stored() == before
    assert not Event.objects.filter(slug="hostile").exists()


def test_untouched_archive_imports(archive_bytes: bytes) -> None:
    """The attacks above start from an archive that imports: they fail for what they add."""
    assert import_event(archive_bytes, slug="copy").challenges.count() == 1


# --- the CTFd export -----------------------------------------------------------------------


@pytest.fixture
def ctfd_settings(settings: SettingsWrapper, tmp_path: Path) -> SettingsWrapper:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings


@pytest.fixture
def export_bytes(tmp_path: Path) -> bytes:
    path = write_export(tmp_path / "export.zip", teams_mode_tables(), {"0" * 32 + "/notes.txt": b"notes"})
    return path.read_bytes()


CTFD_ATTACKS: dict[str, Rebuild] = {
    "duplicate_table": _duplicate("db/users.json", b'{"results": []}'),
    "encrypted_member": _flag_bits("db/users.json", flag=0x1),
    "unknown_compression": _flag_bits("db/users.json", method=99),
    "corrupt_deflate": _corrupt_deflate("db/challenges.json"),
    "truncated": _truncated,
    "not_a_zip": lambda data: b"\x7fELF" + bytes(range(256)) * 8,
    "empty": lambda data: b"",
    "backslash_traversal": _with([("uploads\\..\\..\\x", b"x")]),
}


def _deflated(data: bytes) -> bytes:
    return _zip([(info.filename, content) for info, content in _members(data)])


@pytest.mark.parametrize("attack", sorted(CTFD_ATTACKS))
def test_hostile_ctfd_export_is_refused(
    ctfd_settings: SettingsWrapper, tmp_path: Path, admin_user: User, export_bytes: bytes, attack: str
) -> None:
    path = tmp_path / "hostile.zip"
    path.write_bytes(CTFD_ATTACKS[attack](_deflated(export_bytes)))
    users = User.objects.count()
    with pytest.raises(CTFdImportError) as raised:
        ctfd_import(path=path, organiser=admin_user)
    assert str(raised.value)
    assert Event.objects.count() == 0
    assert User.objects.count() == users
    media = Path(ctfd_settings.MEDIA_ROOT)
    assert not [item for item in media.rglob("*") if item.is_file()]


def test_many_tiny_members_are_refused_before_reading(
    ctfd_settings: SettingsWrapper, tmp_path: Path, admin_user: User, export_bytes: bytes
) -> None:
    path = tmp_path / "many.zip"
    path.write_bytes(_with([(f"uploads/{index:032x}/x", b"") for index in range(60)])(export_bytes))
    with pytest.raises(CTFdImportError, match="too many files"):
        ctfd_import(path=path, organiser=admin_user, limits=ZipLimits(members=50))
    assert Event.objects.count() == 0


def test_untouched_export_imports(
    ctfd_settings: SettingsWrapper, tmp_path: Path, admin_user: User, export_bytes: bytes
) -> None:
    path = tmp_path / "export.zip"
    path.write_bytes(_deflated(export_bytes))
    assert ctfd_import(path=path, organiser=admin_user).event is not None
