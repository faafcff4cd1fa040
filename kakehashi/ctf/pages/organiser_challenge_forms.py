"""Forms of the challenge editor: the challenge with its texts, publishing, flags, hints and files."""

from collections.abc import Sequence
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from kakehashi.ctf.choices import ChallengeState, FlagKind, ValueFunction
from kakehashi.ctf.models import Attachment, Challenge, ChallengeTranslation, Flag, Hint, HintTranslation
from kakehashi.ctf.pages.forms import (
    BilingualForm,
    LocalDateTimeField,
    NamedMultipleChoiceField,
    ZonedForm,
    help_of,
    label,
    text_field,
    to_local,
)


class ChallengeForm(ZonedForm, BilingualForm):
    zoned_fields = ("release_at",)
    text_fields = (
        ("title", text_field(ChallengeTranslation, "title")),
        ("description", text_field(ChallengeTranslation, "description", rows=10)),
        ("connection_info", text_field(ChallengeTranslation, "connection_info", rows=2)),
    )

    category = forms.CharField(label=label(Challenge, "category"), max_length=64)
    tags = forms.CharField(label=_("Tags"), required=False, help_text=_("Separate tags with commas."))
    difficulty = forms.TypedChoiceField(
        label=label(Challenge, "difficulty"), coerce=int, choices=[(n, str(n)) for n in range(1, 6)],
        help_text=help_of(Challenge, "difficulty"),
    )  # fmt: skip
    author = forms.CharField(label=label(Challenge, "author"), max_length=120, required=False)
    function = forms.ChoiceField(label=label(Challenge, "function"), choices=ValueFunction.choices)
    value = forms.IntegerField(label=label(Challenge, "value"), min_value=0, help_text=help_of(Challenge, "value"))
    minimum = forms.IntegerField(label=label(Challenge, "minimum"), min_value=0, required=False)
    decay = forms.IntegerField(
        label=label(Challenge, "decay"), min_value=1, required=False,
        help_text=_(
            "Linear: points lost per solve. Logarithmic: the number of solves at which the minimum is reached."
        ),
    )  # fmt: skip
    max_attempts = forms.IntegerField(
        label=label(Challenge, "max_attempts"), min_value=0, initial=0, help_text=help_of(Challenge, "max_attempts")
    )
    release_at = LocalDateTimeField(
        label=label(Challenge, "release_at"), required=False, help_text=_("Leave empty to release it when it is shown.")
    )
    prerequisites = NamedMultipleChoiceField(
        label=label(Challenge, "prerequisites"),
        queryset=Challenge.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self, *args: Any, others: QuerySet[Challenge], existing: Sequence[str] = (), language: str = "en", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.existing = set(existing)
        field = self.fields["prerequisites"]
        assert isinstance(field, NamedMultipleChoiceField)
        field.queryset = others
        field.namer = lambda challenge: challenge.text("title", language) or str(challenge.pk)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        given = []
        for code in self.text_languages:
            texts = self.texts(code)
            if any(value.strip() for value in texts.values()) or code in self.existing:
                given.append(code)
                if not texts["title"].strip():
                    self.add_error(f"title_{code}", _("Give the title in this language too."))
        if not given:
            self.add_error(f"title_{self.text_languages[0]}", _("Give the challenge's title in at least one language."))
        data["translations"] = {code: self.texts(code) for code in given}
        data["tag_list"] = [tag.strip() for tag in str(data.get("tags") or "").split(",") if tag.strip()]
        return data

    def changes(self) -> dict[str, Any]:
        data = self.cleaned_data
        fields = ("category", "difficulty", "author", "function", "value", "minimum", "decay", "max_attempts")
        return {
            **{name: data.get(name) for name in fields},
            "author": data.get("author") or "",
            "release_at": data.get("release_at"),
            "translations": data["translations"],
            "tags": data["tag_list"],
        }

    @staticmethod
    def initial_for(challenge: Challenge, zone: str) -> dict[str, Any]:
        fields = ("category", "difficulty", "author", "function", "value", "minimum", "decay", "max_attempts")
        initial: dict[str, Any] = {name: getattr(challenge, name) for name in fields}
        initial["release_at"] = to_local(challenge.release_at, zone)
        initial["tags"] = ", ".join(tag.value for tag in challenge.tags.all())
        initial["prerequisites"] = [other.pk for other in challenge.prerequisites.all()]
        return initial


CHALLENGE_ALIASES = {"tags": "tags", "translations": "__all__"}


class PublishForm(forms.Form):
    state = forms.ChoiceField(
        label=_("Show as"),
        choices=[
            (ChallengeState.VISIBLE, ChallengeState.VISIBLE.label),
            (ChallengeState.LOCKED, ChallengeState.LOCKED.label),
        ],
        initial=ChallengeState.VISIBLE,
        widget=forms.RadioSelect,
    )
    override_reason = forms.CharField(
        label=_("Reason for publishing without every language"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only needed while a language is incomplete. It is stored with the challenge."),
    )


class FlagForm(forms.Form):
    kind = forms.ChoiceField(label=label(Flag, "kind"), choices=FlagKind.choices)
    content = forms.CharField(label=label(Flag, "content"), required=False, help_text=help_of(Flag, "content"))
    case_insensitive = forms.BooleanField(label=label(Flag, "case_insensitive"), required=False)


class HintForm(BilingualForm):
    text_fields = (
        ("title", text_field(HintTranslation, "title")),
        ("content", text_field(HintTranslation, "content", rows=3)),
    )

    cost = forms.IntegerField(label=label(Hint, "cost"), min_value=0, initial=0)

    def __init__(self, *args: Any, existing: Sequence[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.existing = set(existing)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        given = {}
        for code in self.text_languages:
            texts = self.texts(code)
            if (texts["title"].strip() or code in self.existing) and not texts["content"].strip():
                self.add_error(f"content_{code}", _("Give the hint's content in this language too."))
            if texts["content"].strip():
                given[code] = texts
        if not given:
            self.add_error(f"content_{self.text_languages[0]}", _("Give the hint's content in at least one language."))
        data["translations"] = given
        return data


class AttachmentForm(forms.Form):
    file = forms.FileField(label=label(Attachment, "file"))
