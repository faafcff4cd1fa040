import sys
from collections.abc import Callable
from datetime import datetime, timedelta
from types import ModuleType
from typing import Any, cast

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from kakehashi.accounts.models import User
from kakehashi.accounts.tests.factories import UserFactory
from kakehashi.ctf.models import Bracket, BracketTranslation, Event, EventStaff, EventTranslation
from kakehashi.ctf.services import events
from kakehashi.ctf.tests.factories import EventFactory, ParticipantFactory

pytestmark = pytest.mark.django_db


def start() -> datetime:
    return timezone.now().replace(microsecond=0) + timedelta(days=30)


def naive(moment: datetime) -> datetime:
    return timezone.make_naive(moment)


def codes(error: ValidationError) -> dict[str, list[str | None]]:
    return {field: [item.code for item in items] for field, items in error.error_dict.items()}


def create(**overrides: Any) -> Event:
    begins = start()
    fields: dict[str, Any] = {
        "creator": overrides.pop("creator", None) or UserFactory.create(role="organiser"),
        "slug": "bridge-2030",
        "names": {"en": "Bridge CTF", "ja": "架け橋CTF"},
        "starts_at": begins,
        "ends_at": begins + timedelta(days=2),
    }
    return events.event_create(**(fields | overrides))


def stored() -> tuple[list[Any], list[Any], list[Any]]:
    """Everything the event services write, to compare before and after a refused change."""
    return (
        list(Event.objects.order_by("pk").values()),
        list(EventTranslation.objects.order_by("pk").values()),
        list(EventStaff.objects.order_by("pk").values()),
    )


@pytest.fixture
def standings_calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Stands in for the standings service and records the events it is told about."""
    calls: list[int] = []
    fake = ModuleType(events.STANDINGS_MODULE)

    def standings_changed(event_id: int, *, kind: str = "full") -> None:
        calls.append(event_id)

    fake.__dict__["standings_changed"] = standings_changed
    monkeypatch.setitem(sys.modules, events.STANDINGS_MODULE, fake)
    return calls


# --- event_create -------------------------------------------------------------------------


def test_create_stores_the_event_its_texts_and_its_organiser() -> None:
    creator = UserFactory.create(role="organiser")
    event = create(creator=creator, descriptions={"en": " A bridge. ", "ja": "橋です。"}, blood_bonuses=(30, 20, 10))
    event = Event.objects.prefetch_related("translations").get(pk=event.pk)
    assert event.slug == "bridge-2030"
    assert event.languages == ["en", "ja"]
    assert event.blood_bonuses == [30, 20, 10]
    assert event.text("name", "ja") == "架け橋CTF"
    assert event.text("description", "en") == "A bridge."
    assert event.completeness().is_complete
    assert len(event.flag_secret) == 64
    assert not event.paused
    assert not event.is_default
    staff = EventStaff.objects.get(event=event)
    assert (staff.user, staff.role) == (creator, "organiser")


def test_create_with_one_name_and_one_language() -> None:
    event = create(names={"en": "Training", "ja": "  "}, languages=("en",))
    assert event.languages == ["en"]
    assert sorted(event.translation_map()) == ["en"]
    assert event.completeness().is_complete


def test_create_normalises_domains_and_codes() -> None:
    event = create(
        slug="  campus ",
        registration="domain",
        allowed_email_domains=(" @Example.AC.jp ", "ox.ac.uk"),
        invite_code="  ",
    )
    event.refresh_from_db()
    assert event.slug == "campus"
    assert event.allowed_email_domains == ["example.ac.jp", "ox.ac.uk"]
    assert event.invite_code == ""


@pytest.mark.parametrize("freeze_offset", [timedelta(0), timedelta(days=1), timedelta(days=2)])
def test_freeze_may_fall_on_the_start_or_the_end(freeze_offset: timedelta) -> None:
    begins = start()
    event = create(starts_at=begins, ends_at=begins + timedelta(days=2), freeze_at=begins + freeze_offset)
    assert event.freeze_at == begins + freeze_offset


@pytest.mark.parametrize("flag_format", ["flag{%s}", "KAKEHASHI{%s}", "%s", "ctf{team-%s}"])
def test_generated_flag_format_with_one_placeholder_is_accepted(flag_format: str) -> None:
    assert create(generated_flag_format=flag_format).generated_flag_format == flag_format


def _naive_start() -> dict[str, Any]:
    return {"starts_at": naive(start())}


def _naive_end() -> dict[str, Any]:
    return {"ends_at": naive(start() + timedelta(days=1))}


def _naive_freeze() -> dict[str, Any]:
    return {"freeze_at": naive(start() + timedelta(hours=1))}


def _end_at_start() -> dict[str, Any]:
    begins = start()
    return {"starts_at": begins, "ends_at": begins}


def _end_before_start() -> dict[str, Any]:
    begins = start()
    return {"starts_at": begins, "ends_at": begins - timedelta(minutes=1)}


def _freeze_before_start() -> dict[str, Any]:
    return {"freeze_at": start() - timedelta(seconds=1)}


def _freeze_after_end() -> dict[str, Any]:
    return {"freeze_at": start() + timedelta(days=2, seconds=1)}


@pytest.mark.parametrize(
    ("make_fields", "field", "code"),
    [
        (_naive_start, "starts_at", "naive_datetime"),
        (_naive_end, "ends_at", "naive_datetime"),
        (_naive_freeze, "freeze_at", "naive_datetime"),
        (_end_at_start, "ends_at", "ends_before_start"),
        (_end_before_start, "ends_at", "ends_before_start"),
        (_freeze_before_start, "freeze_at", "freeze_outside"),
        (_freeze_after_end, "freeze_at", "freeze_outside"),
        (lambda: {"registration": "invite"}, "invite_code", "required"),
        (lambda: {"registration": "invite", "invite_code": "   "}, "invite_code", "required"),
        (lambda: {"registration": "domain"}, "allowed_email_domains", "required"),
        (lambda: {"registration": "domain", "allowed_email_domains": ["localhost"]}, "allowed_email_domains", None),
        (lambda: {"languages": ("en", "fr")}, "languages", "unsupported_language"),
        (lambda: {"languages": ()}, "languages", "blank"),
        (lambda: {"languages": ("en", "en")}, "languages", "duplicate_languages"),
        (lambda: {"names": {"en": "  "}}, "names", "required"),
        (lambda: {"names": {}}, "names", "required"),
        (lambda: {"names": {"en": "Bridge", "fr": "Pont"}}, "names", "unsupported_language"),
        (lambda: {"names": {"en": "x" * 201}}, "names", "max_length"),
        (lambda: {"names": {"en": "Bridge"}, "descriptions": {"ja": "説明"}}, "descriptions", "name_missing"),
        (lambda: {"generated_flag_format": "flag"}, "generated_flag_format", "invalid_format"),
        (lambda: {"generated_flag_format": "flag{%s}{%s}"}, "generated_flag_format", "invalid_format"),
        (lambda: {"mode": "pirates"}, "mode", "invalid_choice"),
        (lambda: {"registration": "lottery"}, "registration", "invalid_choice"),
        (lambda: {"scoreboard_visibility": "secret"}, "scoreboard_visibility", "invalid_choice"),
        (lambda: {"team_size_limit": 0}, "team_size_limit", "invalid"),
        (lambda: {"blood_bonuses": (3, 2, 1, 0)}, "blood_bonuses", "invalid_bonuses"),
        (lambda: {"slug": "  "}, "slug", "blank"),
        (lambda: {"slug": "no spaces please"}, "slug", "invalid"),
    ],
)
def test_invalid_events_are_not_stored(make_fields: Callable[[], dict[str, Any]], field: str, code: str | None) -> None:
    with pytest.raises(ValidationError) as caught:
        create(**make_fields())
    found = codes(caught.value)
    assert field in found
    if code is not None:
        assert code in found[field]
    assert stored() == ([], [], [])


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(ValidationError) as caught:
        create(
            starts_at=naive(start()),
            registration="invite",
            generated_flag_format="flag",
            names={"fr": "Pont"},
            descriptions={"ja": "説明"},
        )
    assert set(caught.value.message_dict) == {
        "starts_at",
        "invite_code",
        "generated_flag_format",
        "names",
        "descriptions",
    }


def test_messages_are_translated() -> None:
    with translation.override("ja"), pytest.raises(ValidationError) as caught:
        create(ends_at=start() - timedelta(hours=1))
    assert caught.value.message_dict["ends_at"] != ["The event must end after it starts."]


def test_short_names_are_unique() -> None:
    create()
    before = stored()
    with pytest.raises(ValidationError) as caught:
        create(names={"en": "Another"})
    assert codes(caught.value) == {"slug": ["unique"]}
    assert stored() == before


# --- event_update -------------------------------------------------------------------------


def test_update_changes_settings_and_replaces_texts_per_language() -> None:
    event = create(descriptions={"ja": "古い説明"})
    moved = event.starts_at + timedelta(days=1)
    updated = events.event_update(
        event=event,
        names={"en": "Bridge CTF 2030"},
        descriptions={"en": "Now with a description."},
        starts_at=moved,
        ends_at=moved + timedelta(days=1),
        team_size_limit=4,
    )
    assert updated.pk == event.pk
    assert event.starts_at == moved  # the caller's object follows the change
    stored_event = Event.objects.prefetch_related("translations").get(pk=event.pk)
    assert (stored_event.starts_at, stored_event.team_size_limit) == (moved, 4)
    assert stored_event.text("name", "en") == "Bridge CTF 2030"
    assert stored_event.text("description", "en") == "Now with a description."
    assert stored_event.text("name", "ja") == "架け橋CTF"
    assert stored_event.text("description", "ja") == "古い説明"


def test_a_blank_name_removes_its_language() -> None:
    event = create()
    events.event_update(event=event, names={"ja": " "})
    assert sorted(EventTranslation.objects.filter(event=event).values_list("language_code", flat=True)) == ["en"]


def test_a_blank_description_clears_it() -> None:
    event = create(descriptions={"en": "Text"})
    events.event_update(event=event, descriptions={"en": ""})
    assert EventTranslation.objects.get(event=event, language_code="en").description == ""


def test_freeze_can_be_cleared() -> None:
    begins = start()
    event = create(freeze_at=begins + timedelta(days=1))
    events.event_update(event=event, freeze_at=None)
    event.refresh_from_db()
    assert event.freeze_at is None


def _remove_every_name() -> dict[str, Any]:
    return {"names": {"en": "", "ja": ""}}


def _description_without_name() -> dict[str, Any]:
    return {"names": {"ja": ""}, "descriptions": {"ja": "説明"}}


def _end_before_start_and_new_name() -> dict[str, Any]:
    return {"ends_at": start() - timedelta(days=1), "names": {"en": "Renamed"}}


def _naive_freeze_and_new_slug() -> dict[str, Any]:
    return {"freeze_at": naive(start() + timedelta(hours=1)), "slug": "renamed"}


@pytest.mark.parametrize(
    ("make_changes", "field"),
    [
        (_remove_every_name, "names"),
        (_description_without_name, "descriptions"),
        (_end_before_start_and_new_name, "ends_at"),
        (_naive_freeze_and_new_slug, "freeze_at"),
        (lambda: {"registration": "invite"}, "invite_code"),
        (lambda: {"registration": "domain", "allowed_email_domains": ()}, "allowed_email_domains"),
        (lambda: {"languages": ["ja", "de"]}, "languages"),
        (lambda: {"generated_flag_format": "{}{}"}, "generated_flag_format"),
        (lambda: {"names": {"xx": "?"}}, "names"),
    ],
)
def test_refused_updates_change_nothing(make_changes: Callable[[], dict[str, Any]], field: str) -> None:
    event = create()
    before = stored()
    with pytest.raises(ValidationError) as caught:
        events.event_update(event=event, **make_changes())
    assert field in caught.value.message_dict
    assert stored() == before


def test_update_refuses_a_taken_short_name() -> None:
    create(slug="first")
    second = create(slug="second")
    before = stored()
    with pytest.raises(ValidationError) as caught:
        events.event_update(event=second, slug="first")
    assert codes(caught.value) == {"slug": ["unique"]}
    assert stored() == before


def test_mode_is_fixed_once_people_have_registered() -> None:
    event = create()
    events.event_update(event=event, mode="individual")  # nobody yet: allowed
    ParticipantFactory.create(event=event, team=None)
    before = stored()
    with pytest.raises(ValidationError) as caught:
        events.event_update(event=event, mode="team")
    assert codes(caught.value) == {"mode": ["mode_locked"]}
    assert stored() == before


def test_unknown_settings_are_a_programming_error() -> None:
    event = create()
    changes: dict[str, Any] = {"colour": "red"}
    with pytest.raises(TypeError, match="colour"):
        events.event_update(event=event, **changes)


def test_schedule_changes_ask_for_new_standings(
    standings_calls: list[int], django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    event = create()
    with django_capture_on_commit_callbacks(execute=True):
        events.event_update(event=event, names={"en": "Only the name"}, slug="renamed")
    assert standings_calls == []
    with django_capture_on_commit_callbacks(execute=True):
        events.event_update(event=event, freeze_at=event.starts_at + timedelta(hours=1))
    assert standings_calls == [event.pk]


def test_without_a_standings_service_nothing_is_asked(
    monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    monkeypatch.setitem(cast(dict[str, Any], sys.modules), events.STANDINGS_MODULE, None)  # import fails
    event = create()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        events.event_update(event=event, blood_bonuses=[10])
    # Only the versions of kept copies change (see known_events); nothing asks for standings.
    assert {callback.__module__ for callback in callbacks} <= {"kakehashi.core.versions"}
    event.refresh_from_db()
    assert event.blood_bonuses == [10]


# --- pause and default --------------------------------------------------------------------


def test_pause_and_resume() -> None:
    event = create()
    events.event_set_paused(event=event, paused=True)
    assert Event.objects.get(pk=event.pk).paused
    assert event.paused
    events.event_set_paused(event=event, paused=False)
    assert not Event.objects.get(pk=event.pk).paused


def test_exactly_one_event_is_the_default() -> None:
    first, second, third = (EventFactory.create() for _ in range(3))
    events.event_set_default(event=first)
    assert list(Event.objects.filter(is_default=True)) == [first]
    events.event_set_default(event=second)
    assert list(Event.objects.filter(is_default=True)) == [second]
    events.event_set_default(event=second)  # again: still the one
    assert list(Event.objects.filter(is_default=True)) == [second]
    assert second.is_default
    assert not Event.objects.get(pk=third.pk).is_default


# --- staff --------------------------------------------------------------------------------


@pytest.fixture
def organiser() -> User:
    return UserFactory.create(role="organiser")


def test_staff_are_added_and_their_role_changed(organiser: User) -> None:
    event = create(creator=organiser)
    judge = UserFactory.create()
    events.staff_set(event=event, user=judge, role="judge")
    assert EventStaff.objects.get(event=event, user=judge).role == "judge"
    events.staff_set(event=event, user=judge, role="organiser")
    assert EventStaff.objects.get(event=event, user=judge).role == "organiser"
    events.staff_set(event=event, user=organiser, role="judge")  # another organiser remains
    assert EventStaff.objects.get(event=event, user=organiser).role == "judge"
    assert EventStaff.objects.filter(event=event).count() == 2


def test_staff_role_must_be_known(organiser: User) -> None:
    event = create(creator=organiser)
    before = stored()
    with pytest.raises(ValidationError) as caught:
        events.staff_set(event=event, user=UserFactory.create(), role="king")
    assert codes(caught.value) == {"role": ["invalid_choice"]}
    assert stored() == before


def test_staff_are_removed(organiser: User) -> None:
    event = create(creator=organiser)
    judge = UserFactory.create()
    events.staff_set(event=event, user=judge, role="judge")
    events.staff_remove(event=event, user=judge)
    events.staff_remove(event=event, user=judge)  # not on the staff any more: nothing to do
    assert list(EventStaff.objects.filter(event=event).values_list("user", flat=True)) == [organiser.pk]


def test_the_last_organiser_stays(organiser: User) -> None:
    event = create(creator=organiser)
    events.staff_set(event=event, user=UserFactory.create(), role="judge")
    before = stored()
    with pytest.raises(ValidationError) as caught:
        events.staff_remove(event=event, user=organiser)
    assert codes(caught.value) == {"user": ["last_organiser"]}
    with pytest.raises(ValidationError) as caught:
        events.staff_set(event=event, user=organiser, role="judge")
    assert codes(caught.value) == {"role": ["last_organiser"]}
    assert stored() == before


# --- brackets -----------------------------------------------------------------------------


def test_bracket_with_names_in_both_languages() -> None:
    event = create()
    bracket = events.bracket_create(
        event=event,
        slug=" students ",
        names={"en": "Students", "ja": "学生"},
        descriptions={"en": "Full-time students."},
    )
    assert (bracket.event, bracket.slug) == (event, "students")
    assert bracket.text("name", "ja") == "学生"
    assert bracket.text("description", "en") == "Full-time students."


def test_bracket_short_names_are_unique_per_event() -> None:
    event = create()
    events.bracket_create(event=event, slug="students", names={"en": "Students"})
    with pytest.raises(ValidationError) as caught:
        events.bracket_create(event=event, slug="students", names={"en": "Students again"})
    assert codes(caught.value) == {"slug": ["unique"]}
    other = create(slug="other-event")
    events.bracket_create(event=other, slug="students", names={"en": "Students"})
    assert Bracket.objects.filter(slug="students").count() == 2


@pytest.mark.parametrize(
    ("slug", "names", "field"),
    [
        ("pros", {"en": " "}, "names"),
        ("pros", {"de": "Profis"}, "names"),
        ("", {"en": "Professionals"}, "slug"),
        ("not a slug", {"en": "Professionals"}, "slug"),
    ],
)
def test_invalid_brackets_are_not_stored(slug: str, names: dict[str, str], field: str) -> None:
    event = create()
    with pytest.raises(ValidationError) as caught:
        events.bracket_create(event=event, slug=slug, names=names)
    assert field in caught.value.message_dict
    assert not Bracket.objects.exists()
    assert not BracketTranslation.objects.exists()


def test_reserved_short_name_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        events.event_create(
            creator=UserFactory.create(role="organiser"),
            slug="new",
            names={"en": "New"},
            starts_at=timezone.now(),
            ends_at=timezone.now() + timedelta(hours=1),
        )
    assert "slug" in caught.value.message_dict
    assert not Event.objects.filter(slug="new").exists()
