"""Pages of an event's site (rules, prizes, sponsors), stored per language."""

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kakehashi.audit.choices import Action
from kakehashi.ctf.models import Event, Page, PageTranslation
from kakehashi.ctf.services import recording
from kakehashi.ctf.services.recording import Actor


@transaction.atomic
def page_create(
    *,
    event: Event,
    route: str,
    translations: Mapping[str, Mapping[str, str]],
    format: str = "markdown",
    hidden: bool = False,
    auth_required: bool = False,
    actor: Actor = None,
) -> Page:
    """``translations`` maps a language to its ``title`` and ``content``; at least one is needed."""
    texts = {
        code: {"title": str(values.get("title", "")).strip(), "content": str(values.get("content", ""))}
        for code, values in translations.items()
        if str(values.get("title", "")).strip()
    }
    if not texts:
        raise ValidationError({"translations": [_("Give the page's title in at least one language.")]})
    if Page.objects.filter(event=event, route=route.strip()).exists():
        raise ValidationError({"route": [_("This event already has a page at this address.")]}, code="unique")
    page = Page(event=event, route=route.strip(), format=format, hidden=hidden, auth_required=auth_required)
    page.full_clean(validate_constraints=False)
    page.save()
    for code, values in texts.items():
        row = PageTranslation(page=page, language_code=code, **values)
        row.full_clean(exclude=["page"])
        row.save()
    recording.record(
        action=Action.PAGE_CREATE, actor=actor, target=page, event_id=event.pk, label=page.route,
        after={"route": page.route, "format": format, "hidden": hidden, "auth_required": auth_required, "texts": texts},
    )  # fmt: skip
    return page
