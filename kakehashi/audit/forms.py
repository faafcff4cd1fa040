"""The filters of the audit log page and its exports."""

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from kakehashi.audit.choices import Action
from kakehashi.audit.selectors import EntryFilter


def _start_of(day: date) -> datetime:
    """Midnight at the start of ``day`` in the viewer's time zone."""
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


class EntryFilterForm(forms.Form):
    event = forms.TypedChoiceField(label=gettext_lazy("Event"), coerce=int, required=False, empty_value=None)
    actor = forms.TypedChoiceField(label=gettext_lazy("Who"), coerce=int, required=False, empty_value=None)
    action = forms.ChoiceField(label=gettext_lazy("Action"), required=False)
    since = forms.DateField(label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=gettext_lazy("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(
        self,
        *args: Any,
        events: Sequence[tuple[int, str]],
        actors: Sequence[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        anything = ("", pgettext_lazy("filter choice", "Any"))
        for name, choices in (("event", events), ("actor", actors), ("action", Action.choices)):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [anything, *choices]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", _("The end date cannot be before the start date."))
        return data

    def filters(self) -> EntryFilter:
        """The conditions chosen (nothing chosen: every entry); ``until`` includes its whole day."""
        data = self.cleaned_data if self.is_bound else {}
        since, until = data.get("since"), data.get("until")
        return EntryFilter(
            event_id=data.get("event"),
            actor_id=data.get("actor"),
            action=data.get("action") or None,
            since=_start_of(since) if since else None,
            until=_start_of(until + timedelta(days=1)) if until else None,
        )
