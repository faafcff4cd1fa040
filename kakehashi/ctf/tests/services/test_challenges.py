import hashlib
import io
import itertools
import sys
import types
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.models import Model
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pytest_django.fixtures import DjangoAssertNumQueries, DjangoCaptureOnCommitCallbacks, Settings

from kakehashi.accounts.tests.factories import UserFactory
from kakehashi.ctf.models import (
    Attachment,
    Challenge,
    ChallengeTag,
    ChallengeTranslation,
    Event,
    Flag,
    Hint,
    HintTranslation,
    HintUnlock,
)
from kakehashi.ctf.services import challenges as services
from kakehashi.ctf.tests.factories import ChallengeFactory, EventFactory, TeamFactory

pytestmark = pytest.mark.django_db

BOTH = {
    "en": {"title": "Bridge", "description": "Cross it.", "connection_info": "nc bridge 1337"},
    "ja": {"title": "橋", "description": "渡ってください。"},
}
ENGLISH = {"en": BOTH["en"]}


def codes(error: ValidationError) -> dict[str, list[str | None]]:
    return {field: [item.code for item in items] for field, items in error.error_dict.items()}


def rows() -> dict[str, int]:
    """How many rows each challenge table holds: compared before and after a refused change."""
    tables: list[Any] = [Challenge, ChallengeTranslation, ChallengeTag, Flag, Hint, HintTranslation, Attachment]
    return {table.__name__: table.objects.count() for table in tables}


def snapshot(instance: Model) -> dict[str, Any]:
    fresh = type(instance)._default_manager.get(pk=instance.pk)
    return {field.attname: getattr(fresh, field.attname) for field in fresh._meta.concrete_fields}


def make(event: Event | None = None, **fields: Any) -> Challenge:
    arguments: dict[str, Any] = {"category": "web", "value": 100, "translations": BOTH, **fields}
    return services.challenge_create(event=event or EventFactory.create(), **arguments)


@pytest.fixture
def notices(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """Stand in for the standings service and record what it is told."""
    calls: list[tuple[str, int]] = []
    fake = types.ModuleType("kakehashi.ctf.services.standings")
    fake.standings_changed = lambda event_id: calls.append(("standings", event_id))  # type: ignore[attr-defined]
    fake.board_changed = lambda event_id: calls.append(("board", event_id))  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "kakehashi.ctf.services.standings", fake)
    return calls


# --- Creating ---------------------------------------------------------------------------------


def test_create_is_hidden_by_default_with_texts_tags_and_positions() -> None:
    event = EventFactory.create()
    first = make(event, category=" crypto ", tags=["web", " web ", "", "rsa"], author=" Aiko ")
    second = make(event)
    assert first.state == "hidden"
    assert first.publish_override_reason == ""
    assert (first.category, first.author) == ("crypto", "Aiko")
    assert (first.position, second.position) == (0, 1)
    assert first.text("title", "ja") == "橋"
    assert first.text("connection_info", "en") == "nc bridge 1337"
    assert list(first.tags.values_list("value", flat=True)) == ["web", "rsa"]


def test_create_with_an_explicit_position_and_decay() -> None:
    challenge = make(function="linear", value=500, minimum=100, decay=20, difficulty=5, position=7)
    challenge.refresh_from_db()
    assert (challenge.function, challenge.minimum, challenge.decay, challenge.position) == ("linear", 100, 20, 7)


def test_create_shows_a_complete_challenge_when_asked() -> None:
    assert make(state="visible").state == "visible"
    assert make(state="locked").state == "locked"


def test_create_never_shows_an_incomplete_challenge() -> None:
    with pytest.raises(ValidationError) as caught:
        make(translations=ENGLISH, state="visible")
    assert codes(caught.value) == {"state": ["translations_incomplete"]}
    assert caught.value.error_dict["state"][0].params == {"languages": "ja"}
    assert rows()["Challenge"] == 0
    assert rows()["ChallengeTranslation"] == 0


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"difficulty": 0}, {"difficulty": ["invalid_difficulty"]}),
        ({"difficulty": 6}, {"difficulty": ["invalid_difficulty"]}),
        ({"function": "linear", "decay": 5}, {"minimum": ["required"]}),
        ({"function": "logarithmic", "minimum": 10}, {"decay": ["required"]}),
        ({"minimum": 150, "decay": 5, "function": "linear"}, {"minimum": ["minimum_above_value"]}),
        ({"minimum": 150}, {"minimum": ["minimum_above_value"]}),
        ({"function": "exponential", "minimum": 1, "decay": 1}, {"function": ["invalid_choice"]}),
        ({"category": "   "}, {"category": ["blank"]}),
        ({"category": "c" * 65}, {"category": ["max_length"]}),
        ({"state": "gone"}, {"state": ["invalid_choice"]}),
        ({"value": -1}, {"value": ["min_value"]}),
        ({"translations": {}}, {"translations": ["required"]}),
        ({"translations": {"fr": {"title": "Pont"}}}, {"translations": ["language_not_in_event"]}),
        ({"translations": {"en": {"title": "  "}}}, {"title": ["blank"]}),
        ({"tags": ["t" * 65]}, {"tags": ["tag_too_long"]}),
    ],
)
def test_invalid_challenges_are_not_stored(fields: dict[str, Any], expected: dict[str, list[str]]) -> None:
    arguments: dict[str, Any] = {"category": "web", "value": 100, "translations": BOTH, **fields}
    with pytest.raises(ValidationError) as caught:
        services.challenge_create(event=EventFactory.create(), **arguments)
    assert codes(caught.value) == expected
    assert set(rows().values()) == {0}


def test_a_language_outside_the_event_is_refused() -> None:
    event = EventFactory.create(languages=["en"])
    with pytest.raises(ValidationError) as caught:
        make(event)
    assert codes(caught.value) == {"translations": ["language_not_in_event"]}
    assert caught.value.error_dict["translations"][0].params == {"code": "ja"}
    assert rows()["Challenge"] == 0


def test_tags_may_not_be_one_string() -> None:
    challenge = make()
    with pytest.raises(TypeError):
        services.tags_set(challenge=challenge, values="web")


# --- Publishing ------------------------------------------------------------------------------


def test_publishing_needs_every_language() -> None:
    challenge = make(translations=ENGLISH)
    before = snapshot(challenge)
    for reason in ("", "   "):
        with pytest.raises(ValidationError) as caught:
            services.challenge_publish(challenge=challenge, override_reason=reason)
        assert codes(caught.value) == {"state": ["translations_incomplete"]}
        assert "ja" in caught.value.messages[0]
    assert snapshot(challenge) == before


def test_publishing_with_a_reason_stores_it() -> None:
    challenge = make(translations=ENGLISH)
    services.challenge_publish(challenge=challenge, state="locked", override_reason="  Japanese tomorrow.  ")
    challenge.refresh_from_db()
    assert (challenge.state, challenge.publish_override_reason) == ("locked", "Japanese tomorrow.")


def test_a_complete_challenge_needs_no_reason() -> None:
    challenge = make()
    services.challenge_publish(challenge=challenge, override_reason="not needed")
    challenge.refresh_from_db()
    assert (challenge.state, challenge.publish_override_reason) == ("visible", "")


def test_publish_only_shows() -> None:
    challenge = make()
    with pytest.raises(ValidationError) as caught:
        services.challenge_publish(challenge=challenge, state="hidden")
    assert codes(caught.value) == {"state": ["invalid_state"]}


def test_a_blank_description_counts_as_missing() -> None:
    challenge = make(translations={**BOTH, "ja": {"title": "橋", "description": "  "}})
    with pytest.raises(ValidationError):
        services.challenge_publish(challenge=challenge)
    services.challenge_set_translation(challenge=challenge, language_code="ja", title="橋", description="渡って。")
    assert services.challenge_publish(challenge=challenge).state == "visible"


def test_hint_texts_count_towards_completeness() -> None:
    challenge = make()
    hint = services.hint_create(challenge=challenge, translations={"en": {"content": "Look closer."}})
    with pytest.raises(ValidationError) as caught:
        services.challenge_publish(challenge=challenge)
    assert caught.value.error_dict["state"][0].params == {"languages": "ja"}
    services.hint_set_translation(hint=hint, language_code="ja", content="よく見て。")
    assert services.challenge_publish(challenge=challenge).state == "visible"


def test_hiding_clears_the_reason() -> None:
    challenge = make(translations=ENGLISH)
    services.challenge_publish(challenge=challenge, override_reason="Trial run.")
    services.challenge_hide(challenge=challenge)
    challenge.refresh_from_db()
    assert (challenge.state, challenge.publish_override_reason) == ("hidden", "")
    with pytest.raises(ValidationError):
        services.challenge_update(challenge=challenge, state="visible")


def test_update_cannot_go_around_the_rule() -> None:
    challenge = make(translations=ENGLISH)
    before = snapshot(challenge)
    with pytest.raises(ValidationError) as caught:
        services.challenge_update(challenge=challenge, state="visible", value=300)
    assert codes(caught.value) == {"state": ["translations_incomplete"]}
    assert snapshot(challenge) == before
    assert (challenge.state, challenge.value) == ("hidden", 100)  # the caller's object is left as it was


def test_update_can_show_a_challenge_it_completes() -> None:
    challenge = make(translations=ENGLISH)
    services.challenge_update(challenge=challenge, state="visible", translations={"ja": BOTH["ja"]})
    challenge.refresh_from_db()
    assert challenge.state == "visible"
    assert challenge.text("title", "ja") == "橋"


def test_update_between_shown_states_keeps_the_reason() -> None:
    challenge = make(translations=ENGLISH)
    services.challenge_publish(challenge=challenge, override_reason="Trial run.")
    services.challenge_update(challenge=challenge, state="locked")
    challenge.refresh_from_db()
    assert (challenge.state, challenge.publish_override_reason) == ("locked", "Trial run.")
    services.challenge_update(challenge=challenge, state="hidden")
    challenge.refresh_from_db()
    assert (challenge.state, challenge.publish_override_reason) == ("hidden", "")


def test_a_shown_challenge_cannot_lose_a_language() -> None:
    challenge = make(state="visible")
    before = rows()
    with pytest.raises(ValidationError) as caught:
        services.challenge_set_translation(challenge=challenge, language_code="ja", title="橋", description="")
    assert codes(caught.value) == {"state": ["translations_incomplete"]}
    with pytest.raises(ValidationError):
        services.hint_create(challenge=challenge, translations={"en": {"content": "Look closer."}})
    assert rows() == before
    assert challenge.text("description", "ja") == "渡ってください。"


def test_a_challenge_shown_with_a_reason_may_stay_incomplete() -> None:
    challenge = make(translations=ENGLISH)
    services.challenge_publish(challenge=challenge, override_reason="Trial run.")
    services.hint_create(challenge=challenge, translations={"en": {"content": "Look closer."}})
    services.challenge_update(challenge=challenge, value=200)
    assert Hint.objects.filter(challenge=challenge).count() == 1


# --- Updating texts and fields ----------------------------------------------------------------


def test_set_translation_adds_then_replaces_one_language() -> None:
    challenge = make(translations=ENGLISH)
    services.challenge_set_translation(challenge=challenge, language_code="ja", title=" 橋 ", description="渡る。")
    row = services.challenge_set_translation(challenge=challenge, language_code="ja", title="新しい橋")
    assert ChallengeTranslation.objects.filter(challenge=challenge).count() == 2
    assert (row.title, row.description, row.connection_info) == ("新しい橋", "", "")


@pytest.mark.parametrize(
    ("language_code", "title", "expected"),
    [("fr", "Pont", {"language_code": ["language_not_in_event"]}), ("ja", "", {"title": ["blank"]})],
)
def test_set_translation_refusals(language_code: str, title: str, expected: dict[str, list[str]]) -> None:
    challenge = make(translations=ENGLISH)
    with pytest.raises(ValidationError) as caught:
        services.challenge_set_translation(challenge=challenge, language_code=language_code, title=title)
    assert codes(caught.value) == expected
    assert ChallengeTranslation.objects.filter(challenge=challenge).count() == 1


def test_update_changes_scoring_fields_and_tags() -> None:
    challenge = make(state="visible")
    services.challenge_update(
        challenge=challenge, function="logarithmic", value=500, minimum=100, decay=10, tags=["pwn"], category=" pwn "
    )
    challenge.refresh_from_db()
    assert (challenge.function, challenge.value, challenge.minimum, challenge.decay) == ("logarithmic", 500, 100, 10)
    assert challenge.category == "pwn"
    assert list(challenge.tags.values_list("value", flat=True)) == ["pwn"]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"function": "linear"}, {"minimum": ["required"], "decay": ["required"]}),
        ({"minimum": 101}, {"minimum": ["minimum_above_value"]}),
        ({"difficulty": 9, "tags": ["x"]}, {"difficulty": ["invalid_difficulty"]}),
        ({"category": ""}, {"category": ["blank"]}),
        ({"tags": ["ok", "t" * 65]}, {"tags": ["tag_too_long"]}),
        ({"translations": {"en": {"title": ""}}}, {"title": ["blank"]}),
    ],
)
def test_invalid_updates_change_nothing(changes: dict[str, Any], expected: dict[str, list[str]]) -> None:
    challenge = make(tags=["web"])
    before, counts = snapshot(challenge), rows()
    with pytest.raises(ValidationError) as caught:
        services.challenge_update(challenge=challenge, **changes)
    assert codes(caught.value) == expected
    assert snapshot(challenge) == before
    assert rows() == counts
    assert list(challenge.tags.values_list("value", flat=True)) == ["web"]
    assert challenge.text("title", "en") == "Bridge"


def test_update_refuses_unknown_fields() -> None:
    challenge = make()
    with pytest.raises(TypeError):
        services.challenge_update(challenge=challenge, event=EventFactory.create())  # type: ignore[call-arg]


def test_tags_are_trimmed_and_deduplicated() -> None:
    challenge = make(tags=["old"])
    tags = services.tags_set(challenge=challenge, values=[" crypto", "crypto ", "", "  ", "日本", "t" * 64])
    assert [tag.value for tag in tags] == ["crypto", "日本", "t" * 64]
    assert ChallengeTag.objects.filter(challenge=challenge).count() == 3


def test_delete_removes_the_challenge_and_its_files(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    challenge = make()
    services.hint_create(challenge=challenge, translations={"en": {"content": "a"}, "ja": {"content": "あ"}})
    services.flag_create(challenge=challenge, kind="static", content="flag{x}")
    attachment = services.attachment_add(challenge=challenge, name="a.txt", content=io.BytesIO(b"abc"))
    path = Path(attachment.file.path)
    with django_capture_on_commit_callbacks(execute=True):
        services.challenge_delete(challenge=challenge)
    assert set(rows().values()) == {0}
    assert not path.exists()


# --- Prerequisites ---------------------------------------------------------------------------


def test_prerequisites_are_set_and_replaced() -> None:
    event = EventFactory.create()
    first, second, third = make(event), make(event), make(event)
    services.prerequisites_set(challenge=third, prerequisites=[first, second, first])
    assert set(third.prerequisites.all()) == {first, second}
    services.prerequisites_set(challenge=third, prerequisites=[second])
    assert list(third.prerequisites.all()) == [second]
    services.prerequisites_set(challenge=third, prerequisites=[])
    assert not third.prerequisites.exists()


def test_prerequisites_come_from_the_same_event() -> None:
    challenge, elsewhere = make(), make()
    with pytest.raises(ValidationError) as caught:
        services.prerequisites_set(challenge=challenge, prerequisites=[elsewhere])
    assert codes(caught.value) == {"prerequisites": ["other_event"]}
    assert not challenge.prerequisites.exists()


def test_a_challenge_cannot_require_itself() -> None:
    challenge = make()
    with pytest.raises(ValidationError) as caught:
        services.prerequisites_set(challenge=challenge, prerequisites=[challenge])
    assert codes(caught.value) == {"prerequisites": ["prerequisite_cycle"]}
    assert not challenge.prerequisites.exists()


def test_a_three_challenge_cycle_is_refused() -> None:
    event = EventFactory.create()
    first, second, third = make(event), make(event), make(event)
    services.prerequisites_set(challenge=first, prerequisites=[second])
    services.prerequisites_set(challenge=second, prerequisites=[third])
    with pytest.raises(ValidationError) as caught:
        services.prerequisites_set(challenge=third, prerequisites=[first])
    assert codes(caught.value) == {"prerequisites": ["prerequisite_cycle"]}
    assert not third.prerequisites.exists()
    assert list(first.prerequisites.all()) == [second]
    assert list(second.prerequisites.all()) == [third]


def test_the_graph_is_read_in_one_query(django_assert_num_queries: DjangoAssertNumQueries) -> None:
    event = EventFactory.create()
    chain = [make(event) for _index in range(6)]
    services.prerequisites_set(challenge=chain[1], prerequisites=[chain[0]])
    first_target = make(event)
    with CaptureQueriesContext(connection) as short:
        services.prerequisites_set(challenge=first_target, prerequisites=[chain[1]])
    for earlier, later in itertools.pairwise(chain[1:]):
        services.prerequisites_set(challenge=later, prerequisites=[earlier])
    target = make(event)
    with django_assert_num_queries(len(short.captured_queries)):
        services.prerequisites_set(challenge=target, prerequisites=[chain[-1]])


# --- Flags -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "content", "case_insensitive"),
    [
        ("static", "flag{kakehashi}", False),
        ("static", "フラグ{橋}", True),
        ("regex", r"flag\{[0-9a-f]{8}\}", True),
        ("generated", "", False),
    ],
)
def test_flags_are_created(kind: str, content: str, case_insensitive: bool) -> None:
    challenge = make()
    flag = services.flag_create(challenge=challenge, kind=kind, content=content, case_insensitive=case_insensitive)
    flag.refresh_from_db()
    assert (flag.kind, flag.content, flag.case_insensitive) == (kind, content, case_insensitive)


@pytest.mark.parametrize(
    ("kind", "content", "expected"),
    [
        ("static", "", {"content": ["required"]}),
        ("static", "   ", {"content": ["required"]}),
        ("static", "x" * 1001, {"content": ["flag_too_long"]}),
        ("regex", "", {"content": ["required"]}),
        ("regex", "flag{(", {"content": ["invalid_regex"]}),
        ("regex", r"(a)\1", {"content": ["unsupported_regex"]}),
        ("regex", r"flag(?=x)", {"content": ["unsupported_regex"]}),
        ("regex", "a" * 1001, {"content": ["regex_too_long"]}),
        ("generated", "flag{x}", {"content": ["not_empty"]}),
        ("magic", "flag{x}", {"kind": ["invalid_choice"]}),
    ],
)
def test_invalid_flags_are_not_stored(kind: str, content: str, expected: dict[str, list[str]]) -> None:
    challenge = make()
    with pytest.raises(ValidationError) as caught:
        services.flag_create(challenge=challenge, kind=kind, content=content)
    assert codes(caught.value) == expected
    assert not Flag.objects.exists()


def test_flag_update_and_delete() -> None:
    flag = services.flag_create(challenge=make(), kind="static", content="flag{a}")
    before = snapshot(flag)
    with pytest.raises(ValidationError):
        services.flag_update(flag=flag, kind="regex", content="(")
    assert snapshot(flag) == before
    assert (flag.kind, flag.content) == ("static", "flag{a}")
    services.flag_update(flag=flag, kind="regex", content="flag{[a-z]}", case_insensitive=True)
    flag.refresh_from_db()
    assert (flag.kind, flag.content, flag.case_insensitive) == ("regex", "flag{[a-z]}", True)
    services.flag_delete(flag=flag)
    assert not Flag.objects.exists()


# --- Hints -----------------------------------------------------------------------------------


def test_hints_are_created_in_order() -> None:
    challenge = make()
    first = services.hint_create(
        challenge=challenge,
        cost=25,
        translations={"en": {"title": "One", "content": " Look. "}, "ja": {"content": "見て"}},
    )
    second = services.hint_create(challenge=challenge, translations={"en": {"content": "a"}, "ja": {"content": "あ"}})
    placed = services.hint_create(
        challenge=challenge, position=9, translations={"en": {"content": "b"}, "ja": {"content": "い"}}
    )
    assert (first.position, second.position, placed.position) == (0, 1, 9)
    assert (first.cost, second.cost) == (25, 0)
    assert first.text("content", "en") == "Look."
    assert first.text("title", "en") == "One"
    assert first.completeness().is_complete


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"translations": {}}, {"translations": ["required"]}),
        ({"translations": {"fr": {"content": "x"}}}, {"translations": ["language_not_in_event"]}),
        ({"translations": {"en": {"content": "  "}}}, {"content": ["blank"]}),
        ({"translations": {"en": {"content": "x"}}, "cost": -5}, {"cost": ["min_value"]}),
    ],
)
def test_invalid_hints_are_not_stored(fields: dict[str, Any], expected: dict[str, list[str]]) -> None:
    challenge = make()
    with pytest.raises(ValidationError) as caught:
        services.hint_create(challenge=challenge, **fields)
    assert codes(caught.value) == expected
    assert rows()["Hint"] == rows()["HintTranslation"] == 0


def test_hint_update_and_translation() -> None:
    challenge = make()
    hint = services.hint_create(challenge=challenge, translations={"en": {"content": "a"}})
    services.hint_update(hint=hint, cost=50, position=3, translations={"ja": {"title": "ヒント", "content": "あ"}})
    services.hint_set_translation(hint=hint, language_code="en", content="b", title="Hint")
    hint.refresh_from_db()
    assert (hint.cost, hint.position) == (50, 3)
    assert (hint.text("content", "en"), hint.text("title", "en"), hint.text("title", "ja")) == ("b", "Hint", "ヒント")
    before = snapshot(hint)
    with pytest.raises(ValidationError):
        services.hint_update(hint=hint, cost=-1)
    with pytest.raises(ValidationError):
        services.hint_set_translation(hint=hint, language_code="fr", content="c")
    assert snapshot(hint) == before
    assert hint.cost == 50
    assert HintTranslation.objects.filter(hint=hint).count() == 2


def test_an_unlocked_hint_is_kept() -> None:
    challenge = make()
    hint = services.hint_create(challenge=challenge, cost=10, translations={"en": {"content": "a"}})
    spare = services.hint_create(challenge=challenge, translations={"en": {"content": "b"}})
    team = TeamFactory.create(event=challenge.event)
    HintUnlock.objects.create(hint=hint, team=team, user=UserFactory.create(), cost=10, created_at=timezone.now())
    with pytest.raises(ValidationError) as caught:
        services.hint_delete(hint=hint)
    assert caught.value.code == "hint_unlocked"
    assert Hint.objects.filter(pk=hint.pk).exists()
    assert HintUnlock.objects.filter(hint=hint).exists()
    services.hint_delete(hint=spare)
    assert not Hint.objects.filter(pk=spare.pk).exists()


# --- Attachments -----------------------------------------------------------------------------


def test_attachment_is_stored_with_hash_and_size(settings: Settings) -> None:
    challenge = make()
    data = b"kakehashi\x00" * 20_000  # more than one chunk
    attachment = services.attachment_add(challenge=challenge, name="dump.bin", content=io.BytesIO(data))
    attachment.refresh_from_db()
    assert attachment.sha256 == hashlib.sha256(data).hexdigest()
    assert attachment.size == len(data)
    assert attachment.name == "dump.bin"
    path = Path(attachment.file.path)
    assert path.read_bytes() == data
    assert path.is_relative_to(Path(settings.MEDIA_ROOT))
    assert attachment.file.name == f"challenges/{challenge.pk}/{attachment.sha256[:16]}/dump.bin"


def test_attachment_from_an_uploaded_file() -> None:
    upload = SimpleUploadedFile("ignored.txt", "橋を渡る".encode())
    attachment = services.attachment_add(challenge=make(), name="橋.txt", content=upload)
    assert attachment.sha256 == hashlib.sha256("橋を渡る".encode()).hexdigest()
    assert attachment.name == "橋.txt"
    assert Path(attachment.file.path).read_bytes() == "橋を渡る".encode()


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\aiko\\evil.exe", "evil.exe"),
        ("..\\..\\boot.ini", "boot.ini"),
        (".htaccess", "htaccess"),
        ("  ...hidden.tar.gz ", "hidden.tar.gz"),
        ("a\x00b\n.txt", "ab.txt"),
        ("report\u202efdp.exe", "reportfdp.exe"),
    ],
)
def test_attachment_names_are_sanitised(given: str, expected: str) -> None:
    attachment = services.attachment_add(challenge=make(), name=given, content=io.BytesIO(b"x"))
    assert attachment.name == expected
    assert attachment.file.name is not None
    assert attachment.file.name.rsplit("/", 1)[-1] == expected
    assert ".." not in attachment.file.name


@pytest.mark.parametrize("given", ["", "...", "dir/", "../", "\x00", "!!!"])
def test_nameless_attachments_are_refused(given: str) -> None:
    with pytest.raises(ValidationError) as caught:
        services.attachment_add(challenge=make(), name=given, content=io.BytesIO(b"x"))
    assert codes(caught.value) == {"name": ["invalid_name"]}
    assert rows()["Attachment"] == 0


@pytest.mark.parametrize("stem", ["n" * 300, "問" * 300])
def test_long_names_are_shortened_keeping_the_extension(stem: str) -> None:
    attachment = services.attachment_add(challenge=make(), name=stem + ".pdf", content=io.BytesIO(b"x"))
    assert len(attachment.name) == 200
    assert attachment.name.endswith(".pdf")
    stored = Path(attachment.file.path)
    assert stored.suffix == ".pdf"
    assert len(stored.name.encode()) <= 255
    assert stored.read_bytes() == b"x"


def test_size_limit_from_settings(settings: Settings) -> None:
    settings.KAKEHASHI_MAX_ATTACHMENT_BYTES = 10
    challenge = make()
    with pytest.raises(ValidationError) as caught:
        services.attachment_add(challenge=challenge, name="big.bin", content=io.BytesIO(b"x" * 11))
    assert codes(caught.value) == {"content": ["file_too_large"]}
    assert rows()["Attachment"] == 0
    assert not list(Path(settings.MEDIA_ROOT).rglob("big.bin"))
    exact = services.attachment_add(challenge=challenge, name="ok.bin", content=io.BytesIO(b"x" * 10))
    assert exact.size == 10


def test_default_size_limit_applies_without_the_setting(monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    assert settings.KAKEHASHI_MAX_ATTACHMENT_BYTES == 100 * 1024 * 1024  # KAKEHASHI_MAX_ATTACHMENT_MB's default
    del settings.KAKEHASHI_MAX_ATTACHMENT_BYTES
    assert services.DEFAULT_MAX_ATTACHMENT_BYTES == 100 * 1024 * 1024
    monkeypatch.setattr(services, "DEFAULT_MAX_ATTACHMENT_BYTES", 4)
    with pytest.raises(ValidationError):
        services.attachment_add(challenge=make(), name="a.bin", content=io.BytesIO(b"12345"))
    assert rows()["Attachment"] == 0


def test_attachment_file_is_deleted_after_commit(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    attachment = services.attachment_add(challenge=make(), name="a.txt", content=io.BytesIO(b"abc"))
    path = Path(attachment.file.path)
    with django_capture_on_commit_callbacks() as callbacks:
        services.attachment_delete(attachment=attachment)
    assert not Attachment.objects.exists()
    assert path.exists()  # not before the deletion commits
    for callback in callbacks:
        callback()
    assert not path.exists()


# --- Telling readers -------------------------------------------------------------------------


def test_scoring_changes_refresh_standings_and_board(
    notices: list[tuple[str, int]], django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    challenge = make()
    event_id = challenge.event_id
    with django_capture_on_commit_callbacks(execute=True):
        services.challenge_update(challenge=challenge, value=300)
    assert notices == [("standings", event_id), ("board", event_id)]
    notices.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.flag_create(challenge=challenge, kind="static", content="flag{x}")
        services.challenge_publish(challenge=challenge)
    assert notices == [("standings", event_id), ("board", event_id)] * 2


def test_text_changes_refresh_only_the_board(
    notices: list[tuple[str, int]], django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    challenge = make()
    with django_capture_on_commit_callbacks(execute=True):
        services.challenge_set_translation(challenge=challenge, language_code="en", title="New")
        services.tags_set(challenge=challenge, values=["x"])
    assert notices == [("board", challenge.event_id)] * 2


def test_refused_changes_tell_nobody(
    notices: list[tuple[str, int]], django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    challenge = ChallengeFactory.create()
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(ValidationError):
        services.challenge_update(challenge=challenge, difficulty=0)
    assert callbacks == []
    assert notices == []


def test_a_missing_standings_service_is_tolerated(
    monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    monkeypatch.setitem(sys.modules, "kakehashi.ctf.services.standings", None)
    challenge = make()
    with django_capture_on_commit_callbacks() as callbacks:
        services.challenge_hide(challenge=challenge)
    assert callbacks  # the announcement (and the judging rules' version, see known_challenges)
    for callback in callbacks:
        callback()  # the announcement would raise ImportError without the guard
