from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from kakehashi.accounts.models import Membership, Organisation, OrganisationTranslation, User
from kakehashi.core import names as name_rule


def _clean_names(given: Mapping[str, str]) -> dict[str, str]:
    """The names worth storing by language (blank ones dropped), each checked by the name rule."""
    cleaned: dict[str, str] = {}
    for code, name in given.items():
        try:
            value = name_rule.clean(name or "", required=False)  # too long: the model says so
        except name_rule.NameProblem as problem:
            raise name_rule.name_error("names", problem) from None
        if value:
            cleaned[code] = value
    return cleaned


@transaction.atomic
def organisation_create(
    *,
    kind: str,
    country: str,
    names: Mapping[str, str],
    slug: str = "",
    website: str = "",
    descriptions: Mapping[str, str] | None = None,
) -> Organisation:
    """An organisation with its name in one or more languages (English is the source language)."""
    names = _clean_names(names)
    if not names:
        raise ValidationError({"names": [_("Give the organisation's name in at least one language.")]}, code="required")
    organisation = Organisation(
        kind=kind,
        country=country,
        slug=slug.strip() or slugify(names.get("en") or next(iter(names.values())), allow_unicode=False)[:64],
        website=website.strip(),
    )
    if not organisation.slug:
        raise ValidationError({"slug": [_("Give a short name in Latin letters.")]}, code="required")
    organisation.full_clean()
    organisation.save()
    for code, name in names.items():
        row = OrganisationTranslation(
            organisation=organisation,
            language_code=code,
            name=name,
            description=(descriptions or {}).get(code, "").strip(),
        )
        row.full_clean(exclude=["organisation"])
        row.save()
    return organisation


@transaction.atomic
def membership_set(*, organisation: Organisation, user: User, role: str) -> Membership:
    membership, _created = Membership.objects.select_for_update().get_or_create(
        organisation=organisation, user=user, defaults={"role": role}
    )
    membership.role = role
    membership.full_clean()
    membership.save()
    return membership
