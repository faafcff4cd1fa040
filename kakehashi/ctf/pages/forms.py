"""Forms of the organiser pages. They collect input and convert times; the rules live in the services.

Labels come from the models' verbose names where one fits, so that a field reads the same on every
page. Times are typed in a time zone the organiser chooses on the form and leave as aware UTC.
The challenge editor's forms are in :mod:`kakehashi.ctf.pages.organiser_challenge_forms`.
"""

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar
from zoneinfo import ZoneInfo, available_timezones

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import QuerySet
from django.utils.text import capfirst
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from kakehashi.core.templatetags.kakehashi import LANGUAGE_NAMES
from kakehashi.core.timezones import is_valid_zone
from kakehashi.ctf import flags
from kakehashi.ctf.choices import (
    EventMode,
    EventRole,
    RegistrationMode,
    ScoreboardVisibility,
    SubmissionResult,
)
from kakehashi.ctf.models import (
    AnnouncementTranslation,
    Award,
    Bracket,
    BracketTranslation,
    Challenge,
    Event,
    EventTranslation,
    Participant,
    Submission,
    Team,
)

COMMON_ZONES = ("Europe/London", "Asia/Tokyo", "UTC")
DEFAULT_ZONE = "Europe/London"
LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


def label(model: type[models.Model], name: str) -> StrOrPromise:
    """The model field's verbose name, capitalised, still lazy."""
    verbose: StrOrPromise = getattr(model._meta.get_field(name), "verbose_name", name)
    return capfirst(verbose)


def help_of(model: type[models.Model], name: str) -> StrOrPromise:
    text: StrOrPromise = getattr(model._meta.get_field(name), "help_text", "")
    return text


class NamedChoiceField(forms.ModelChoiceField[Any]):
    """A choice of objects, each shown as ``namer`` says (set by the form, e.g. in the reader's language)."""

    namer: Callable[[Any], str] = str

    def label_from_instance(self, obj: Any) -> str:
        return self.namer(obj)


class NamedMultipleChoiceField(forms.ModelMultipleChoiceField[Any]):
    namer: Callable[[Any], str] = str

    def label_from_instance(self, obj: Any) -> str:
        return self.namer(obj)


def show_service_errors(form: forms.Form, error: ValidationError, aliases: Mapping[str, str] | None = None) -> None:
    """A service's ValidationError on the form: under the matching field, else above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, messages in error.message_dict.items():
        name = (aliases or {}).get(field, field)
        form.add_error(name if name in form.fields else None, messages)


# --- times in a chosen zone ----------------------------------------------------------------


@functools.cache
def zone_choices() -> list[tuple[Any, list[tuple[str, str]]]]:
    others = sorted(available_timezones() - set(COMMON_ZONES))
    return [
        (_("Common"), [(zone, zone) for zone in COMMON_ZONES]),
        (_("All time zones"), [(zone, zone) for zone in others]),
    ]


def default_zone(preferred: str) -> str:
    return preferred if preferred and is_valid_zone(preferred) else DEFAULT_ZONE


def to_utc(local: datetime, zone: str) -> datetime | None:
    """The wall-clock time ``local`` in ``zone`` as aware UTC, or None when the clocks skip it.
    A time that happens twice (clocks going back) is taken the first time."""
    tz = ZoneInfo(zone)
    moment = local.replace(tzinfo=tz, fold=0)
    if moment.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != local:
        return None
    return moment.astimezone(UTC)


def to_local(moment: datetime | None, zone: str) -> datetime | None:
    """A stored moment as the wall-clock time of ``zone``, for a form's initial value."""
    return None if moment is None else moment.astimezone(ZoneInfo(zone)).replace(tzinfo=None)


class LocalDateTimeField(forms.Field):
    """A date and time without a zone (the form's time zone field gives it)."""

    default_error_messages = {"invalid": forms.DateTimeField.default_error_messages["invalid"]}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_FORMAT))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> datetime | None:
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            return value
        try:
            parsed = datetime.fromisoformat(str(value).strip())
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        if parsed.tzinfo is not None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return parsed


class ZonedForm(forms.Form):
    """A form whose ``zoned_fields`` are wall-clock times in the zone chosen in ``time_zone``;
    after cleaning they are aware UTC."""

    zoned_fields: ClassVar[tuple[str, ...]] = ()

    time_zone = forms.ChoiceField(label=_("Time zone"), help_text=_("The times on this form are in this zone."))

    def __init__(self, *args: Any, zone: str = DEFAULT_ZONE, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["time_zone"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = zone_choices()
        field.initial = default_zone(zone)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        zone = data.get("time_zone")
        for name in self.zoned_fields:
            local = data.get(name)
            if not zone or not isinstance(local, datetime):
                continue
            moment = to_utc(local, zone)
            if moment is None:
                self.add_error(name, _("This time does not exist in the chosen time zone: the clocks change then."))
            else:
                data[name] = moment
        return data


# --- texts in each language, side by side ---------------------------------------------------


@dataclass(frozen=True)
class LanguageColumn:
    code: str
    name: str
    by_name: dict[str, forms.BoundField]  # the column's fields by their name without the language


TextField = Callable[[], forms.Field]


class BilingualForm(forms.Form):
    """Adds ``<name>_<code>`` fields for each language; templates lay them out in columns."""

    text_fields: ClassVar[Sequence[tuple[str, TextField]]] = ()

    def __init__(self, *args: Any, languages: Sequence[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.text_languages = [code for code in languages if code in dict(settings.LANGUAGES)]
        for code in self.text_languages:
            for name, make in self.text_fields:
                field = make()
                field.widget.attrs["lang"] = code
                self.fields[f"{name}_{code}"] = field

    def language_columns(self) -> list[LanguageColumn]:
        return [
            LanguageColumn(
                code=code,
                name=str(LANGUAGE_NAMES.get(code, dict(settings.LANGUAGES)[code])),
                by_name={name: self[f"{name}_{code}"] for name, _make in self.text_fields},
            )
            for code in self.text_languages
        ]

    def common_fields(self) -> list[forms.BoundField]:
        """The visible fields that are not per language."""
        names = {f"{name}_{code}" for code in self.text_languages for name, _make in self.text_fields}
        return [field for field in self.visible_fields() if field.name not in names]

    def texts(self, code: str) -> dict[str, str]:
        return {name: str(self.cleaned_data.get(f"{name}_{code}") or "") for name, _make in self.text_fields}

    def initial_texts(self, rows: Mapping[str, Any]) -> None:
        for code, row in rows.items():
            for name, _make in self.text_fields:
                self.initial[f"{name}_{code}"] = getattr(row, name, "")


def text_field(model: type[models.Model], name: str, *, required: bool = False, rows: int = 0) -> TextField:
    max_length = getattr(model._meta.get_field(name), "max_length", None)

    def make() -> forms.Field:
        widget = forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput()
        return forms.CharField(label=label(model, name), max_length=max_length, required=required, widget=widget)

    return make


# --- events ---------------------------------------------------------------------------------


class EventForm(ZonedForm, BilingualForm):
    """Creating an event and changing its settings."""

    zoned_fields = ("starts_at", "ends_at", "freeze_at")
    text_fields = (
        ("name", text_field(EventTranslation, "name")),
        ("description", text_field(EventTranslation, "description", rows=5)),
    )

    slug = forms.SlugField(
        label=label(Event, "slug"), max_length=64, help_text=_("Used in the event's addresses, e.g. bridge-ctf.")
    )
    languages = forms.MultipleChoiceField(label=label(Event, "languages"), widget=forms.CheckboxSelectMultiple)
    starts_at = LocalDateTimeField(label=label(Event, "starts_at"))
    ends_at = LocalDateTimeField(label=label(Event, "ends_at"))
    freeze_at = LocalDateTimeField(label=label(Event, "freeze_at"), required=False)
    mode = forms.ChoiceField(label=label(Event, "mode"), choices=EventMode.choices)
    team_size_limit = forms.IntegerField(label=label(Event, "team_size_limit"), min_value=1, required=False)
    registration = forms.ChoiceField(label=label(Event, "registration"), choices=RegistrationMode.choices)
    invite_code = forms.CharField(label=label(Event, "invite_code"), max_length=64, required=False)
    allowed_email_domains = forms.CharField(
        label=label(Event, "allowed_email_domains"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line, for example example.ac.jp."),
    )
    scoreboard_visibility = forms.ChoiceField(
        label=label(Event, "scoreboard_visibility"), choices=ScoreboardVisibility.choices
    )
    wrong_attempts_per_minute = forms.IntegerField(
        label=label(Event, "wrong_attempts_per_minute"), min_value=0, max_value=1000, help_text=_("0 means unlimited.")
    )
    first_blood = forms.IntegerField(label=_("First solver"), min_value=0, required=False)
    second_blood = forms.IntegerField(label=_("Second solver"), min_value=0, required=False)
    third_blood = forms.IntegerField(label=_("Third solver"), min_value=0, required=False)
    generated_flag_format = forms.CharField(label=label(Event, "generated_flag_format"), max_length=64)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, languages=[code for code, _name in settings.LANGUAGES], **kwargs)
        field = self.fields["languages"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(code, LANGUAGE_NAMES.get(code, name)) for code, name in settings.LANGUAGES]
        self.fields["generated_flag_format"].help_text = gettext(
            "%(placeholder)s marks where the part generated for each team goes, as in %(example)s."
        ) % {"placeholder": flags.PLACEHOLDER, "example": flags.DEFAULT_FORMAT}

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        bonuses = [data.get(name) for name in ("first_blood", "second_blood", "third_blood")]
        given = [value for value in bonuses if value is not None]
        if bonuses[: len(given)] != given:
            self.add_error("first_blood", _("Fill in the bonuses in order: first, then second, then third."))
        data["blood_bonuses"] = given
        text = str(data.get("allowed_email_domains") or "")
        data["email_domains"] = [part.strip() for part in text.replace(",", "\n").splitlines() if part.strip()]
        return data

    def settings(self) -> dict[str, Any]:
        """The keyword arguments of ``event_create`` and ``event_update``."""
        data = self.cleaned_data
        names = {code: self.texts(code)["name"] for code in self.text_languages}
        descriptions = {code: self.texts(code)["description"] for code in self.text_languages}
        return {
            "slug": data["slug"],
            "names": names,
            "descriptions": descriptions,
            "languages": list(data["languages"]),
            "starts_at": data["starts_at"],
            "ends_at": data["ends_at"],
            "freeze_at": data.get("freeze_at"),
            "mode": data["mode"],
            "team_size_limit": data.get("team_size_limit"),
            "registration": data["registration"],
            "invite_code": data.get("invite_code") or "",
            "allowed_email_domains": data["email_domains"],
            "scoreboard_visibility": data["scoreboard_visibility"],
            "wrong_attempts_per_minute": data["wrong_attempts_per_minute"],
            "blood_bonuses": data["blood_bonuses"],
            "generated_flag_format": data["generated_flag_format"],
        }

    @staticmethod
    def initial_for(event: Event, zone: str) -> dict[str, Any]:
        bonuses = [*(event.blood_bonuses or []), None, None, None]
        initial: dict[str, Any] = {
            name: getattr(event, name)
            for name in ("slug", "mode", "team_size_limit", "registration", "invite_code", "scoreboard_visibility")
        }
        initial |= {
            "languages": list(event.languages),
            "starts_at": to_local(event.starts_at, zone),
            "ends_at": to_local(event.ends_at, zone),
            "freeze_at": to_local(event.freeze_at, zone),
            "allowed_email_domains": "\n".join(event.allowed_email_domains or []),
            "wrong_attempts_per_minute": event.wrong_attempts_per_minute,
            "first_blood": bonuses[0],
            "second_blood": bonuses[1],
            "third_blood": bonuses[2],
            "generated_flag_format": event.generated_flag_format,
        }
        for code, row in event.translation_map().items():
            initial[f"name_{code}"] = row.name
            initial[f"description_{code}"] = row.description
        return initial


EVENT_ALIASES = {"names": "name_en", "descriptions": "description_en", "blood_bonuses": "first_blood"}


class StaffForm(forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=EventRole.choices)


class BracketForm(BilingualForm):
    text_fields = (("name", text_field(BracketTranslation, "name")),)

    slug = forms.SlugField(label=label(Bracket, "slug"), max_length=64)


# --- people, points and news ----------------------------------------------------------------


class MoveForm(forms.Form):
    participant = NamedChoiceField(label=label(Participant, "user"), queryset=Participant.objects.none())
    team = forms.ModelChoiceField(label=_("New team"), queryset=Team.objects.none())

    def __init__(self, *args: Any, participants: QuerySet[Participant], teams: QuerySet[Team], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["participant"]
        assert isinstance(field, NamedChoiceField)
        field.queryset = participants
        field.namer = lambda p: f"{p.user.public_name} ({p.user.username})"
        team_field = self.fields["team"]
        assert isinstance(team_field, forms.ModelChoiceField)
        team_field.queryset = teams


class TeamBracketForm(forms.Form):
    bracket = NamedChoiceField(
        label=label(Team, "bracket"),
        queryset=Bracket.objects.none(),
        required=False,
        empty_label=_("No custom bracket"),
    )

    def __init__(self, *args: Any, brackets: QuerySet[Bracket], language: str = "en", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["bracket"]
        assert isinstance(field, NamedChoiceField)
        field.queryset = brackets
        field.namer = lambda bracket: bracket.text("name", language) or bracket.slug


class LogFilterForm(forms.Form):
    result = forms.ChoiceField(label=label(Submission, "result"), required=False)
    team = forms.ModelChoiceField(label=label(Submission, "team"), queryset=Team.objects.none(), required=False)
    challenge = NamedChoiceField(
        label=label(Submission, "challenge"), queryset=Challenge.objects.none(), required=False
    )
    user = forms.TypedChoiceField(label=label(Submission, "user"), coerce=int, required=False, empty_value=None)

    def __init__(
        self,
        *args: Any,
        teams: QuerySet[Team],
        challenges: QuerySet[Challenge],
        users: Sequence[tuple[int, str]],
        language: str = "en",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        anything = ("", pgettext_lazy("filter choice", "Any"))
        result = self.fields["result"]
        assert isinstance(result, forms.ChoiceField)
        result.choices = [anything, *SubmissionResult.choices]
        for name, queryset in (("team", teams), ("challenge", challenges)):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = queryset
            field.empty_label = str(anything[1])
        challenge = self.fields["challenge"]
        assert isinstance(challenge, NamedChoiceField)
        challenge.namer = lambda c: c.text("title", language) or str(c.pk)
        user = self.fields["user"]
        assert isinstance(user, forms.TypedChoiceField)
        user.choices = [anything, *users]


class AwardForm(forms.Form):
    team = forms.ModelChoiceField(label=label(Award, "team"), queryset=Team.objects.none())
    value = forms.IntegerField(
        label=label(Award, "value"), help_text=_("A negative number takes points away, e.g. -50.")
    )
    reason = forms.CharField(label=label(Award, "reason"), max_length=300)

    def __init__(self, *args: Any, teams: QuerySet[Team], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["team"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = teams


class AnnouncementForm(BilingualForm):
    text_fields = (
        ("title", text_field(AnnouncementTranslation, "title", required=True)),
        ("body", text_field(AnnouncementTranslation, "body", required=True, rows=6)),
    )

    def translations(self) -> dict[str, dict[str, str]]:
        return {code: self.texts(code) for code in self.text_languages}
