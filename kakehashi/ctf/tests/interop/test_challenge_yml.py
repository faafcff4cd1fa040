"""``import_challenges``: a ctfcli repository written here, imported through the command, then checked."""

import hashlib
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kakehashi.ctf.models import Attachment, Challenge, ChallengeTranslation, Event, Flag, Hint
from kakehashi.ctf.tests.factories import EventFactory

SettingsWrapper = Any  # pytest-django does not export the type of its settings fixture

INTRO = """\
name: Intro
category: web
description: Find the flag in the page source.
connection_info: http://intro.example
attribution: Alice
value: 100
state: visible
flags:
  - flag{Intro}
  - {type: static, content: "FLAG{intro-ci}", data: case_insensitive}
  - {type: regex, content: "flag\\\\{in[0-9]+\\\\}"}
tags: [web, beginner]
hints:
  - Look at the HTML.
  - {content: View the source., cost: 0, title: Source}
translations:
  ja:
    name: イントロ
    description: ページのソースからフラグを探してください。
    connection_info: http://intro.example/ja
    hints:
      - HTML を見てください。
      - {content: ソースを表示してください。, title: ソース}
"""

RSA = """\
name: Small RSA
category: crypto
author: Bob
description: The modulus is small.
value: 200
attempts: 5
state: visible
flags: ["flag{rsa}"]
hints: [Factor it., Use a tool.]
extra:
  translations:
    ja:
      name: 小さな RSA
      description: 法が小さいです。
      hints: [因数分解してください。]
"""

HEAP = """\
name: Heap
category: pwn
description: A heap challenge.
type: dynamic
value: 500
extra: {initial: 500, decay: 10, minimum: 100, function: linear}
flags: ["flag{heap}"]
files: [dist/heap.bin, ../shared/libc.so]
hints:
  - {content: Tcache., cost: 50, title: First}
  - {content: Double free., cost: 100}
requirements: [Intro]
"""

HEAP_BYTES = b"\x7fELF heap binary"
LIBC_BYTES = b"libc " * 100


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def repository(root: Path) -> Path:
    write(root / "web/intro/challenge.yml", INTRO)
    write(root / "crypto/rsa/challenge.yml", RSA)
    write(root / "pwn/heap/challenge.yml", HEAP)
    write(root / "pwn/heap/dist/heap.bin", HEAP_BYTES)
    write(root / "pwn/shared/libc.so", LIBC_BYTES)
    return root


def run(directory: Path, *args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_challenges", str(directory), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def texts(challenge: Challenge, language: str) -> tuple[str, str, str]:
    row = ChallengeTranslation.objects.get(challenge=challenge, language_code=language)
    return row.title, row.description, row.connection_info


def by_name(event: Event, name: str) -> Challenge:
    return Challenge.objects.get(event=event, translations__language_code="en", translations__title=name)


def hint_texts(challenge: Challenge) -> list[tuple[int, dict[str, tuple[str, str]]]]:
    hints = Hint.objects.filter(challenge=challenge).prefetch_related("translations").order_by("position")
    return [
        (hint.cost, {row.language_code: (row.title, row.content) for row in hint.translations.all()}) for hint in hints
    ]


@pytest.fixture
def media(settings: SettingsWrapper, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def event() -> Event:
    return EventFactory.create(languages=["en", "ja"], is_default=True)


@pytest.mark.django_db
def test_repository_is_imported_in_both_languages(media: Path, event: Event, tmp_path: Path) -> None:
    root = repository(tmp_path / "repo")
    other = EventFactory.create(languages=["en", "ja"])

    out, err = run(root)

    assert "Imported 3 challenges" in out
    assert "3/3" in err
    assert "[" in err
    assert "Heap" in err
    assert not Challenge.objects.filter(event=other).exists()
    intro, rsa, heap = by_name(event, "Intro"), by_name(event, "Small RSA"), by_name(event, "Heap")

    assert texts(intro, "en") == ("Intro", "Find the flag in the page source.", "http://intro.example")
    assert texts(intro, "ja") == ("イントロ", "ページのソースからフラグを探してください。", "http://intro.example/ja")
    assert (intro.category, intro.author, intro.value, intro.function) == ("web", "Alice", 100, "static")
    assert list(intro.tags.values_list("value", flat=True)) == ["web", "beginner"]
    assert [(f.kind, f.content, f.case_insensitive) for f in Flag.objects.filter(challenge=intro)] == [
        ("static", "flag{Intro}", False),
        ("static", "FLAG{intro-ci}", True),
        ("regex", "flag\\{in[0-9]+\\}", False),
    ]
    assert hint_texts(intro) == [
        (0, {"en": ("", "Look at the HTML."), "ja": ("", "HTML を見てください。")}),
        (0, {"en": ("Source", "View the source."), "ja": ("ソース", "ソースを表示してください。")}),
    ]
    assert (intro.state, intro.publish_override_reason) == ("visible", "")

    assert texts(rsa, "ja") == ("小さな RSA", "法が小さいです。", "")
    assert (rsa.author, rsa.max_attempts) == ("Bob", 5)
    assert hint_texts(rsa) == [
        (0, {"en": ("", "Factor it."), "ja": ("", "因数分解してください。")}),
        (0, {"en": ("", "Use a tool.")}),
    ]
    # The second hint has no Japanese text, so it is shown with the import's reason.
    assert (rsa.state, rsa.publish_override_reason) == ("visible", "Imported from challenge.yml")

    assert (heap.function, heap.value, heap.minimum, heap.decay) == ("linear", 500, 100, 10)
    assert heap.state == "hidden"
    assert not ChallengeTranslation.objects.filter(challenge=heap, language_code="ja").exists()
    assert hint_texts(heap) == [(50, {"en": ("First", "Tcache.")}), (100, {"en": ("", "Double free.")})]
    files = {a.name: a for a in Attachment.objects.filter(challenge=heap)}
    assert set(files) == {"heap.bin", "libc.so"}
    assert files["heap.bin"].sha256 == hashlib.sha256(HEAP_BYTES).hexdigest()
    assert files["libc.so"].sha256 == hashlib.sha256(LIBC_BYTES).hexdigest()
    assert files["libc.so"].size == len(LIBC_BYTES)
    with files["heap.bin"].file.open("rb") as stored:
        assert stored.read() == HEAP_BYTES
    assert list(heap.prerequisites.all()) == [intro]


@pytest.mark.django_db
def test_rerun_skips_every_challenge(media: Path, event: Event, tmp_path: Path) -> None:
    root = repository(tmp_path / "repo")
    run(root)
    count = Challenge.objects.count(), Attachment.objects.count(), Hint.objects.count()

    out, _err = run(root, "--event", event.slug)

    assert "Imported 0 challenges" in out
    assert "3 already there" in out
    for name in ("Intro", "Small RSA", "Heap"):
        assert f"skipped (already in the event): {name}" in out
    assert (Challenge.objects.count(), Attachment.objects.count(), Hint.objects.count()) == count


@pytest.mark.django_db
def test_requirement_on_a_challenge_already_in_the_event(media: Path, event: Event, tmp_path: Path) -> None:
    run(write(tmp_path / "first/intro/challenge.yml", INTRO).parent.parent)
    later = tmp_path / "second"
    write(later / "heap/challenge.yml", HEAP.replace("files: [dist/heap.bin, ../shared/libc.so]\n", ""))

    run(later)

    assert list(by_name(event, "Heap").prerequisites.all()) == [by_name(event, "Intro")]


def stored_files(media: Path) -> list[Path]:
    return [path for path in media.rglob("*") if path.is_file()] if media.exists() else []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("broken", "message"),
    [
        (RSA.replace("name: Small RSA\n", ""), "Give the challenge a name."),
        (RSA + "files: [../../../x]\n", "The file ../../../x is outside"),
        (RSA.replace("value: 200", "value: lots"), "value must be a whole number"),
        (RSA + "requirements: [Nothing]\n", "no challenge named Nothing"),
        (RSA.replace("    ja:", "    fr:"), "fr is not one of this event's languages"),
        (RSA + "translations: {ja: {hints: [a, b, c]}}\n", "translations.ja has 3 hints"),
        ("name: [unclosed\n", "This is not valid YAML"),
    ],
)
def test_a_bad_file_stops_the_import(media: Path, event: Event, tmp_path: Path, broken: str, message: str) -> None:
    root = repository(tmp_path / "repo")
    write(tmp_path / "x", b"outside")  # exists, but outside the repository
    write(root / "crypto/rsa/challenge.yml", broken)

    with pytest.raises(CommandError) as error:
        run(root)

    assert "Nothing was imported." in str(error.value)
    assert "crypto/rsa/challenge.yml" in str(error.value)
    assert message in str(error.value)
    assert not Challenge.objects.filter(event=event).exists()
    assert not Attachment.objects.exists()
    assert stored_files(media) == []


@pytest.mark.django_db
def test_two_files_with_one_name_are_refused(media: Path, event: Event, tmp_path: Path) -> None:
    root = repository(tmp_path / "repo")
    write(root / "web/again/challenge.yml", INTRO)

    with pytest.raises(CommandError, match="already has the name Intro"):
        run(root)

    assert not Challenge.objects.exists()


@pytest.mark.django_db
def test_without_a_default_event_the_event_must_be_named(media: Path, tmp_path: Path) -> None:
    root = repository(tmp_path / "repo")
    EventFactory.create(slug="spring", languages=["en", "ja"])

    with pytest.raises(CommandError, match="no default event"):
        run(root)
    with pytest.raises(CommandError, match="no event with the short name autumn"):
        run(root, "--event", "autumn")

    run(root, "--event", "spring")
    assert Challenge.objects.filter(event__slug="spring").count() == 3


@pytest.mark.django_db
def test_topics_are_kept_for_organisers(media: Path, event: Event, tmp_path: Path) -> None:
    yml = "name: Topics\ncategory: misc\nvalue: 10\ndescription: d\nflags: [x]\ntopics: [Encoding, OSINT]\n"
    write(tmp_path / "repo/topics/challenge.yml", yml)
    run(tmp_path / "repo")
    assert list(by_name(event, "Topics").topics.values_list("value", flat=True)) == ["Encoding", "OSINT"]


@pytest.mark.django_db
def test_the_import_is_recorded_with_what_it_created(media: Path, event: Event, tmp_path: Path) -> None:
    from kakehashi.audit.models import Entry

    run(repository(tmp_path / "repo"))
    entry = Entry.objects.get(action="import.challenges")
    assert (entry.event_id, entry.channel, entry.actor_id) == (event.pk, "cli", None)
    assert entry.after["directory"] == "repo"
    assert len(entry.after["created"]) == 3
    assert entry.after["skipped"] == []
    created = Entry.objects.filter(action="challenge.create", event_id=event.pk)
    assert created.count() == 3
    assert {item.channel for item in created} == {"cli"}
