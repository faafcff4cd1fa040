"""Writes on events: the event itself, its texts, its staff, its brackets, and the default event."""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, TypedDict, Unpack

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kakehashi.accounts.models import User
from kakehashi.audit.choices import Action
from kakehashi.core.models import Translatable, TranslationRow, validate_language_code
from kakehashi.ctf import flags
from kakehashi.ctf.choices import EventMode, EventRole, RegistrationMode, ScoreboardVisibility
from kakehashi.ctf.models import Bracket, BracketTranslation, Event, EventStaff, EventTranslation
from kakehashi.ctf.services import recording
from kakehashi.ctf.services.recording import Actor

STANDINGS_MODULE = "kakehashi.ctf.services.standings"

Errors = dict[str, list[ValidationError]]

# Fields of Event that event_create and event_update accept, in the order they are checked.
EVENT_FIELDS = (
    "slug",
    "languages",
    "starts_at",
    "ends_at",
    "freeze_at",
    "mode",
    "team_size_limit",
    "registration",
    "invite_code",
    "allowed_email_domains",
    "scoreboard_visibility",
    "wrong_attempts_per_minute",
    "blood_bonuses",
    "generated_flag_format",
)
# A change of one of these can change the standings (who is ranked, what counts, bonuses).
STANDINGS_FIELDS = frozenset({"starts_at", "ends_at", "freeze_at", "blood_bonuses"})


class EventChanges(TypedDict, total=False):
    """What ``event_update`` accepts; a key that is absent is left as it is."""

    slug: str
    names: Mapping[str, str]
    descriptions: Mapping[str, str]
    languages: Sequence[str]
    starts_at: datetime
    ends_at: datetime
    freeze_at: datetime | None
    mode: str
    team_size_limit: int | None
    registration: str
    invite_code: str
    allowed_email_domains: Sequence[str]
    scoreboard_visibility: str
    wrong_attempts_per_minute: int
    blood_bonuses: Sequence[int]
    generated_flag_format: str


def standings_changed_on_commit(event_id: int, *, kind: Literal["append", "teams", "full"] = "full") -> None:
    """Once the current transaction commits, tell the standings service that the event's standings
    must be computed again. Does nothing in a build without that service."""
    try:
        from kakehashi.ctf.services.standings import standings_changed
    except ModuleNotFoundError as error:
        if error.name != STANDINGS_MODULE:
            raise  # the service exists but is broken: say so
        return
    transaction.on_commit(lambda: standings_changed(event_id, kind=kind), robust=True)


def _add(errors: Errors, field: str, message: str, code: str) -> None:
    errors.setdefault(field, []).append(ValidationError(message, code=code))


def _merge(errors: Errors, error: ValidationError, *, field: str | None = None) -> None:
    """Adds a ValidationError to ``errors``, under its own fields or all under ``field``."""
    if hasattr(error, "error_dict"):
        for name, items in error.error_dict.items():
            errors.setdefault(field or name, []).extend(items)
    else:
        errors.setdefault(field or "__all__", []).extend(error.error_list)


# --- authored texts ----------------------------------------------------------------------


def _language_errors(names: Mapping[str, str], descriptions: Mapping[str, str], errors: Errors) -> None:
    for field, texts in (("names", names), ("descriptions", descriptions)):
        for code in texts:
            try:
                validate_language_code(code)
            except ValidationError as error:
                _merge(errors, error, field=field)


@dataclass(frozen=True)
class TextPlan:
    """Translation rows to store and rows to delete, decided before anything is written."""

    save: list[Any]
    delete: list[Any]

    def apply(self) -> None:
        for row in self.delete:
            row.delete()
        for row in self.save:
            row.save()


def _plan_texts(
    parent: Translatable,
    new_row: Callable[[str], TranslationRow],
    *,
    parent_field: str,
    names: Mapping[str, str],
    descriptions: Mapping[str, str],
    errors: Errors,
) -> TextPlan:
    """Replaces the name and description of each language given; other languages are kept. A blank
    name removes its language, a description needs a name in the same language, and at least one
    name must remain. Problems are added to ``errors``."""
    existing: dict[str, Any] = parent.translation_map() if parent.pk else {}
    rows = dict(existing)
    for code, name in names.items():
        if name.strip():
            rows[code] = rows.get(code) or new_row(code)
            rows[code].name = name.strip()
        else:
            rows.pop(code, None)
    for code, description in descriptions.items():
        if code in rows:
            rows[code].description = description.strip()
        elif description.strip():
            _add(errors, "descriptions", _("Give the name in the same language as each description."), "name_missing")
    if not rows:
        _add(errors, "names", _("Give the name in at least one language."), "required")
    _language_errors(names, descriptions, errors)
    for row in rows.values():
        try:
            row.full_clean(exclude=[parent_field, "language_code"], validate_constraints=False)
        except ValidationError as error:
            for field, items in error.error_dict.items():
                errors.setdefault("descriptions" if field == "description" else "names", []).extend(items)
    return TextPlan(save=list(rows.values()), delete=[row for code, row in existing.items() if code not in rows])


# --- events ------------------------------------------------------------------------------


def _normalise(event: Event) -> None:
    event.slug = event.slug.strip()
    event.invite_code = event.invite_code.strip()
    event.generated_flag_format = event.generated_flag_format.strip()
    if isinstance(event.languages, list | tuple):
        event.languages = list(event.languages)
    if isinstance(event.allowed_email_domains, list | tuple):
        event.allowed_email_domains = [
            domain.strip().lower().removeprefix("@") if isinstance(domain, str) else domain
            for domain in event.allowed_email_domains
        ]
    if isinstance(event.blood_bonuses, list | tuple):
        event.blood_bonuses = list(event.blood_bonuses)


RESERVED_SLUGS = frozenset({"new"})  # /events/new/ is the page that creates an event


def _event_errors(event: Event) -> Errors:
    """The rules that need more than one field, then every field's own rules."""
    errors: Errors = {}
    if event.slug in RESERVED_SLUGS:
        _add(errors, "slug", _("This short name is reserved: choose another."), "reserved")
    for field in ("starts_at", "ends_at", "freeze_at"):
        value = getattr(event, field)
        if value is not None and timezone.is_naive(value):
            _add(errors, field, _("Give the time with its time zone."), "naive_datetime")
    times_known = not errors and event.starts_at is not None and event.ends_at is not None
    if times_known and event.ends_at <= event.starts_at:
        _add(errors, "ends_at", _("The event must end after it starts."), "ends_before_start")
    elif times_known and event.freeze_at is not None and not event.starts_at <= event.freeze_at <= event.ends_at:
        _add(errors, "freeze_at", _("The freeze must fall between the start and the end."), "freeze_outside")
    if event.registration == RegistrationMode.INVITE and not event.invite_code:
        _add(errors, "invite_code", _("Give the invitation code that people must enter to register."), "required")
    if event.registration == RegistrationMode.DOMAIN and not event.allowed_email_domains:
        _add(errors, "allowed_email_domains", _("Give at least one e-mail domain."), "required")
    try:
        flags.validate_format(event.generated_flag_format)
    except flags.FlagError:
        _add(
            errors,
            "generated_flag_format",
            _("The format must contain %s exactly once: it marks where the generated part goes, as in flag{%s}."),
            "invalid_format",
        )
    if event.team_size_limit is not None and event.team_size_limit < 1:
        _add(errors, "team_size_limit", _("A team must have room for at least one member."), "invalid")
    try:
        # Fields already found wrong are left out, and so are the constraints that mention them.
        event.full_clean(exclude=sorted(errors))
    except ValidationError as error:
        _merge(errors, error)
    return errors


def _save_event(event: Event) -> None:
    """Stores the event; a race on the unique short name is reported like any other conflict."""
    try:
        with transaction.atomic():
            event.save()
    except IntegrityError:
        raise ValidationError({"slug": [event.unique_error_message(Event, ("slug",))]}) from None


@transaction.atomic
def event_create(
    *,
    creator: User,
    slug: str,
    names: Mapping[str, str],
    descriptions: Mapping[str, str] | None = None,
    languages: Sequence[str] = ("en", "ja"),
    starts_at: datetime,
    ends_at: datetime,
    freeze_at: datetime | None = None,
    mode: str = EventMode.TEAM,
    team_size_limit: int | None = None,
    registration: str = RegistrationMode.OPEN,
    invite_code: str = "",
    allowed_email_domains: Sequence[str] = (),
    scoreboard_visibility: str = ScoreboardVisibility.PUBLIC,
    wrong_attempts_per_minute: int = 10,
    blood_bonuses: Sequence[int] = (),
    generated_flag_format: str = flags.DEFAULT_FORMAT,
) -> Event:
    """A new event with its name (and description) in one or more languages; ``creator`` organises it."""
    event = Event(
        slug=slug,
        languages=languages,
        starts_at=starts_at,
        ends_at=ends_at,
        freeze_at=freeze_at,
        mode=mode,
        team_size_limit=team_size_limit,
        registration=registration,
        invite_code=invite_code,
        allowed_email_domains=allowed_email_domains,
        scoreboard_visibility=scoreboard_visibility,
        wrong_attempts_per_minute=wrong_attempts_per_minute,
        blood_bonuses=blood_bonuses,
        generated_flag_format=generated_flag_format,
    )
    _normalise(event)
    errors = _event_errors(event)
    texts = _plan_texts(
        event,
        lambda code: EventTranslation(event=event, language_code=code),
        parent_field="event",
        names=names,
        descriptions=descriptions or {},
        errors=errors,
    )
    if errors:
        raise ValidationError(errors)
    _save_event(event)
    texts.apply()
    EventStaff.objects.create(event=event, user=creator, role=EventRole.ORGANISER)
    after = recording.event_snapshot(event)
    recording.record(action=Action.EVENT_CREATE, actor=creator, target=event, event_id=event.pk, after=after)
    return event


@transaction.atomic
def event_update(*, event: Event, actor: Actor = None, **changes: Unpack[EventChanges]) -> Event:
    """Changes the given settings. ``names`` and ``descriptions`` replace the texts of the languages
    they mention (a blank name removes that language); other languages are kept."""
    values: dict[str, object] = dict(changes)
    unknown = set(values) - {*EVENT_FIELDS, "names", "descriptions"}
    if unknown:
        raise TypeError("event_update() got unexpected settings: " + ", ".join(sorted(unknown)))
    locked = Event.objects.select_for_update().get(pk=event.pk)
    snapshot = recording.event_snapshot(locked)
    before = {field: getattr(locked, field) for field in EVENT_FIELDS}
    for field in EVENT_FIELDS:
        if field in values:
            setattr(locked, field, values[field])
    _normalise(locked)
    changed = [field for field in EVENT_FIELDS if getattr(locked, field) != before[field]]
    errors = _event_errors(locked)
    if locked.mode != before["mode"] and locked.participants.exists():
        _add(errors, "mode", _("The mode cannot change once people have registered."), "mode_locked")
    texts = TextPlan(save=[], delete=[])
    if "names" in changes or "descriptions" in changes:
        texts = _plan_texts(
            locked,
            lambda code: EventTranslation(event=locked, language_code=code),
            parent_field="event",
            names=changes.get("names", {}),
            descriptions=changes.get("descriptions", {}),
            errors=errors,
        )
    if errors:
        raise ValidationError(errors)
    if changed:
        _save_event(locked)
    texts.apply()
    recording.record(
        action=Action.EVENT_UPDATE,
        actor=actor,
        target=locked,
        event_id=locked.pk,
        before=snapshot,
        after=recording.event_snapshot(locked),
    )
    for field in changed:
        setattr(event, field, getattr(locked, field))
    if STANDINGS_FIELDS.intersection(changed):
        standings_changed_on_commit(locked.pk)
    return locked


@transaction.atomic
def event_set_paused(*, event: Event, paused: bool, actor: Actor = None) -> Event:
    """While paused, the event accepts no submissions; the clock keeps running."""
    if Event.objects.filter(pk=event.pk).exclude(paused=paused).update(paused=paused):
        action = Action.EVENT_PAUSE if paused else Action.EVENT_RESUME
        recording.record(
            action=action, actor=actor, target=event, event_id=event.pk, before={"paused": not paused},
            after={"paused": paused},
        )  # fmt: skip
    event.paused = paused
    return event


@transaction.atomic
def event_set_default(*, event: Event, actor: Actor = None) -> Event:
    """Makes this the one default event (shown first); the previous default stops being it."""
    for attempt in range(2):
        Event.objects.filter(is_default=True).exclude(pk=event.pk).update(is_default=False)
        try:
            with transaction.atomic():
                Event.objects.filter(pk=event.pk).update(is_default=True)
            break
        except IntegrityError:
            # Another request made its event the default at the same moment and committed first;
            # clearing once more, now that its change is visible, resolves the race.
            if attempt:
                raise
    if not event.is_default:
        recording.record(
            action=Action.EVENT_SET_DEFAULT, actor=actor, target=event, event_id=event.pk,
            before={"is_default": False}, after={"is_default": True},
        )  # fmt: skip
    event.is_default = True
    return event


# --- staff -------------------------------------------------------------------------------


def _is_last_organiser(event: Event, user: User) -> bool:
    """Locks the event's organisers, so that two simultaneous demotions cannot leave none."""
    organisers = EventStaff.objects.select_for_update().filter(event=event, role=EventRole.ORGANISER)
    return list(organisers.values_list("user_id", flat=True)) == [user.pk]


def _last_organiser_error(field: str) -> ValidationError:
    return ValidationError(
        {field: [ValidationError(_("An event needs at least one organiser."), code="last_organiser")]}
    )


@transaction.atomic
def staff_set(*, event: Event, user: User, role: str, actor: Actor = None) -> EventStaff:
    """Makes ``user`` an organiser or judge of the event, or changes their role."""
    staff = EventStaff.objects.select_for_update().filter(event=event, user=user).first()
    staff = staff or EventStaff(event=event, user=user)
    previous = staff.role if staff.pk else None
    staff.role = role
    staff.full_clean()
    if role != EventRole.ORGANISER and _is_last_organiser(event, user):
        raise _last_organiser_error("role")
    staff.save()
    if previous != role:
        recording.record(
            action=Action.STAFF_SET, actor=actor, target=user, event_id=event.pk, label=user.username,
            before={"role": previous} if previous else {}, after={"role": role},
        )  # fmt: skip
    return staff


@transaction.atomic
def staff_remove(*, event: Event, user: User, actor: Actor = None) -> None:
    """Takes ``user`` off the event's staff; does nothing when they are not on it."""
    if _is_last_organiser(event, user):
        raise _last_organiser_error("user")
    role = EventStaff.objects.filter(event=event, user=user).values_list("role", flat=True).first()
    if role is None:
        return
    EventStaff.objects.filter(event=event, user=user).delete()
    recording.record(
        action=Action.STAFF_REMOVE, actor=actor, target=user, event_id=event.pk, label=user.username,
        before={"role": role}, after={},
    )  # fmt: skip


# --- brackets ----------------------------------------------------------------------------


def _bracket_taken_error() -> ValidationError:
    return ValidationError(_("This event already has a bracket with this short name."), code="unique")


@transaction.atomic
def bracket_create(
    *,
    event: Event,
    slug: str,
    names: Mapping[str, str],
    descriptions: Mapping[str, str] | None = None,
    actor: Actor = None,
) -> Bracket:
    """A custom bracket (students, professionals, ...) with its name in one or more languages."""
    bracket = Bracket(event=event, slug=slug.strip())
    errors: Errors = {}
    if Bracket.objects.filter(event=event, slug=bracket.slug).exists():
        errors["slug"] = [_bracket_taken_error()]
    try:
        bracket.full_clean(exclude=sorted(errors), validate_constraints=False)
    except ValidationError as error:
        _merge(errors, error)
    texts = _plan_texts(
        bracket,
        lambda code: BracketTranslation(bracket=bracket, language_code=code),
        parent_field="bracket",
        names=names,
        descriptions=descriptions or {},
        errors=errors,
    )
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            bracket.save()
    except IntegrityError:
        raise ValidationError({"slug": [_bracket_taken_error()]}) from None
    texts.apply()
    after = {"slug": bracket.slug, "names": {code: name for code, name in names.items() if name.strip()}}
    recording.record(action=Action.BRACKET_CREATE, actor=actor, target=bracket, event_id=event.pk, after=after)
    return bracket
