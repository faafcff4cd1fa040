"""Hostile uploads of challenge files, through the native organiser API and CTFd's ``/api/v1/files``.

Each is refused with a clear error in the caller's language and leaves nothing stored (no row, no
file on disk), or is accepted under a safe name.
"""

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from kakehashi.accounts import services as accounts
from kakehashi.accounts.tests.factories import UserFactory
from kakehashi.ctf.models import Attachment, Challenge, EventStaff
from kakehashi.ctf.tests.factories import ChallengeFactory, EventFactory

pytestmark = pytest.mark.django_db

LIMIT = 1024


@dataclass
class Uploader:
    challenge: int
    headers: dict[str, str]
    media: Path

    def native(self, data: Any, language: str = "en", **extra: Any) -> Any:
        path = f"/api/manage/challenges/{self.challenge}/attachments"
        return Client().post(path, data, headers={**self.headers, "Accept-Language": language}, **extra)

    def ctfd(self, data: Any, language: str = "en", **extra: Any) -> Any:
        body = {"challenge_id": str(self.challenge), "type": "challenge", **data}
        return Client().post("/api/v1/files", body, headers={**self.headers, "Accept-Language": language}, **extra)

    def stored_files(self) -> list[Path]:
        return [item for item in self.media.rglob("*") if item.is_file()]


@pytest.fixture
def uploader(settings: Any, tmp_path: Path) -> Uploader:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.KAKEHASHI_MAX_ATTACHMENT_BYTES = LIMIT
    event = EventFactory.create(is_default=True)
    organiser = UserFactory.create()
    EventStaff.objects.create(event=event, user=organiser, role="organiser")
    challenge = ChallengeFactory.create(event=event)
    _row, raw = accounts.api_token_create(user=organiser)
    return Uploader(challenge=challenge.pk, headers={"Authorization": f"Token {raw}"}, media=tmp_path / "media")


def _file(name: str, content: bytes = b"hello") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def _native_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body: dict[str, Any] = response.json()
    assert set(body) == {"code", "message", "details"}
    assert body["code"] == code
    return body


def _ctfd_error(response: Any) -> dict[str, list[str]]:
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["success"] is False
    errors: dict[str, list[str]] = body["errors"]
    assert all(all(messages) for messages in errors.values())
    return errors


# --- too large, empty, missing ------------------------------------------------------------


def test_oversized_file_is_refused_in_both_languages(uploader: Uploader) -> None:
    for language, fragment in (("en", "larger than the limit of 1.0\xa0KB"), ("ja", "上限")):
        body = _native_error(
            uploader.native({"file": _file("big.bin", b"x" * (LIMIT + 1))}, language), 422, "validation_error"
        )
        assert [detail["code"] for detail in body["details"]] == ["file_too_large"]
        assert fragment in body["details"][0]["message"]
    errors = _ctfd_error(uploader.ctfd({"file": _file("big.bin", b"x" * (LIMIT + 1))}))
    assert list(errors) == ["content"]
    assert not Attachment.objects.exists()
    assert uploader.stored_files() == []


def test_a_file_of_exactly_the_limit_is_accepted(uploader: Uploader) -> None:
    response = uploader.native({"file": _file("edge.bin", b"x" * LIMIT)})
    assert response.status_code == 201, response.content
    assert response.json()["size"] == LIMIT


def test_one_oversized_file_among_several_stores_none_of_them(uploader: Uploader) -> None:
    """CTFd's endpoint takes several files: all of them or none, rows and files on disk alike."""
    files = [_file("first.txt"), _file("second.bin", b"x" * (LIMIT + 1))]
    _ctfd_error(uploader.ctfd({"file": files}))
    assert not Attachment.objects.exists()
    assert uploader.stored_files() == []


def test_empty_file_is_accepted_with_size_zero(uploader: Uploader) -> None:
    """An empty file is a file (a placeholder, an empty log); it is stored, not refused."""
    response = uploader.native({"file": _file("empty.txt", b"")})
    assert response.status_code == 201, response.content
    assert (response.json()["size"], response.json()["sha256"]) == (0, hashlib.sha256(b"").hexdigest())


def test_multipart_without_a_file_or_with_json_is_refused(uploader: Uploader) -> None:
    body = _native_error(uploader.native({"note": "no file"}), 422, "validation_error")
    assert [detail["field"].rsplit(".", 1)[-1] for detail in body["details"]] == ["file"]
    _native_error(uploader.native('{"file": "x"}', content_type="application/json"), 422, "validation_error")
    _native_error(uploader.native(b"garbage", content_type="multipart/form-data"), 400, "malformed_body")
    _native_error(
        uploader.native(b"garbage", content_type="multipart/form-data; boundary=zzz"), 422, "validation_error"
    )
    assert "file" in _ctfd_error(uploader.ctfd({}))
    as_json = Client().post(
        "/api/v1/files",
        {"challenge_id": uploader.challenge, "file": "x"},
        content_type="application/json",
        headers=uploader.headers,
    )
    assert "challenge_id" in _ctfd_error(as_json)  # a JSON body carries no form fields and no files
    assert not Attachment.objects.exists()
    assert uploader.stored_files() == []


@pytest.mark.parametrize("challenge_id", ["²", "١٢", "9" * 40, "-1", "1e3", ""])
def test_ctfd_challenge_id_that_is_not_a_plain_number_is_refused(uploader: Uploader, challenge_id: str) -> None:
    response = uploader.ctfd({"challenge_id": challenge_id, "file": _file("a.txt")})
    assert response.status_code in (400, 404), response.content
    assert response.json()["success"] is False
    assert not Attachment.objects.exists()


# --- names ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\windows\\win.ini", "win.ini"),
        ("/absolute/notes.txt", "notes.txt"),
        ("a\x01b\x1fc\x7f.txt", "abc.txt"),
        ("\u202etxt.exe", "txt.exe"),  # a right-to-left override would show it as "exe.txt"
        ("zero\u200bwidth.txt", "zerowidth.txt"),
        ("ｆｉｌｅ名.txt", "ｆｉｌｅ名.txt"),  # full-width and Japanese names are kept as written
        ("ملف.txt", "ملف.txt"),
        ("..hidden", "hidden"),
    ],
)
def test_file_names_are_reduced_to_a_safe_base_name(uploader: Uploader, given: str, stored: str) -> None:
    response = uploader.native({"file": _file(given)})
    assert response.status_code == 201, response.content
    assert response.json()["name"] == stored
    attachment = Attachment.objects.get()
    on_disk = uploader.media / str(attachment.file.name)
    assert on_disk.resolve().is_relative_to(uploader.media.resolve())
    assert on_disk.read_bytes() == b"hello"


def test_very_long_name_is_shortened_keeping_its_extension(uploader: Uploader) -> None:
    response = uploader.native({"file": _file("橋" * 400 + ".tar.gz")})
    assert response.status_code == 201, response.content
    name = response.json()["name"]
    assert len(name) <= 200
    assert name.endswith(".gz")
    attachment = Attachment.objects.get()
    assert len(Path(str(attachment.file.name)).name.encode()) <= 255


@pytest.mark.parametrize("given", ["...", " . ", "\x00\x01", "\u202e\u200b"])
def test_name_with_nothing_left_is_refused(uploader: Uploader, given: str) -> None:
    """Django drops a file part whose name it cleans to nothing ("required"); the service refuses the rest."""
    messages = {}
    for language in ("en", "ja"):
        body = _native_error(uploader.native({"file": _file(given)}, language), 422, "validation_error")
        messages[language] = " ".join(detail["message"] for detail in body["details"])
        assert messages[language]
    assert messages["en"] != messages["ja"]
    _ctfd_error(uploader.ctfd({"file": _file(given)}))
    assert not Attachment.objects.exists()
    assert uploader.stored_files() == []


def test_name_of_dots_is_refused_by_the_service_rule(uploader: Uploader) -> None:
    body = _native_error(uploader.native({"file": _file("...")}, "ja"), 422, "validation_error")
    assert [detail["code"] for detail in body["details"]] == ["invalid_name"]


# --- the organisers' page --------------------------------------------------------------------


def test_oversized_upload_on_the_page_is_refused_in_japanese(uploader: Uploader) -> None:
    challenge = Challenge.objects.select_related("event").get(pk=uploader.challenge)
    organiser = EventStaff.objects.get(event=challenge.event).user
    client = Client()
    client.force_login(organiser)
    url = reverse("ctf:manage_attachment_add", args=[challenge.event.slug, challenge.pk])
    response = client.post(url, {"file": _file("big.bin", b"x" * (LIMIT + 1))}, HTTP_ACCEPT_LANGUAGE="ja")
    assert response.status_code == 400
    assert "上限" in response.content.decode()
    assert not Attachment.objects.exists()
    assert uploader.stored_files() == []


def test_a_file_claiming_to_be_html_is_only_ever_downloaded(uploader: Uploader) -> None:
    """The content type the uploader claims is not kept: every file is served as a download."""
    page = SimpleUploadedFile("index.html", b"<script>alert(1)</script>", content_type="text/html")
    response = uploader.native({"file": page})
    assert response.status_code == 201, response.content
    challenge = Challenge.objects.select_related("event").get(pk=uploader.challenge)
    organiser = EventStaff.objects.get(event=challenge.event).user
    client = Client()
    client.force_login(organiser)
    served = client.get(response.json()["url"])
    assert served.status_code == 200
    assert served["Content-Disposition"].startswith("attachment")
    assert served["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in served["Content-Security-Policy"]
    assert b"".join(served.streaming_content) == b"<script>alert(1)</script>"  # type: ignore[attr-defined]
