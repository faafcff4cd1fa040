"""Abstract building blocks shared by the apps. ``core`` owns no concrete domain model."""

from collections.abc import Sequence
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from kakehashi.core import translations
from kakehashi.core.languages import SOURCE_LANGUAGE


def validate_language_code(value: str) -> None:
    codes = {code for code, _name in settings.LANGUAGES}
    if value not in codes:
        raise ValidationError(
            _("%(code)s is not a supported language."), code="unsupported_language", params={"code": value}
        )


class TranslationRow(models.Model):
    """One language of an object's authored text. Concrete rows add a foreign key to the parent
    (with ``related_name="translations"``), their text fields, and a unique constraint on
    (parent, language_code)."""

    language_code = models.CharField(_("language"), max_length=15, validators=[validate_language_code])

    class Meta:
        abstract = True


class Translatable(models.Model):
    """A parent whose authored text lives in ``translations`` rows."""

    translated_fields: ClassVar[Sequence[str]] = ()
    required_translated_fields: ClassVar[Sequence[str]] = ()

    class Meta:
        abstract = True

    def translation_map(self) -> dict[str, Any]:
        """Rows by language; uses prefetched rows when the caller prefetched ``translations``."""
        manager = self.translations  # type: ignore[attr-defined]
        return {row.language_code: row for row in manager.all()}

    def required_languages(self) -> Sequence[str]:
        return [code for code, _name in settings.LANGUAGES]

    def rendition(self, language: str) -> translations.Rendition[Any]:
        return translations.choose(self.translation_map(), language, (SOURCE_LANGUAGE,))

    def text(self, field_name: str, language: str) -> str:
        row = self.rendition(language).row
        return str(getattr(row, field_name, "")) if row is not None else ""

    def completeness(self) -> translations.Completeness:
        return translations.completeness(
            self.translation_map(),
            languages=self.required_languages(),
            fields=self.required_translated_fields,
        )
