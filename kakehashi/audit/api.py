"""Native JSON API of the audit log: read-only, for administrators (and organisers, for their events)."""

from django.http import HttpRequest
from ninja import Query, Router

from kakehashi.audit import access, selectors
from kakehashi.audit.models import Entry
from kakehashi.audit.schemas import EntryOut, EntryQuery
from kakehashi.core.api import ErrorOut

router = Router(tags=["audit log"])
ERRORS = {401: ErrorOut, 403: ErrorOut, 422: ErrorOut}


def entry_out(entry: Entry) -> EntryOut:
    return EntryOut(
        id=entry.pk,
        at=entry.at,
        actor_id=entry.actor_id,
        actor_name=entry.actor_name,
        action=entry.action,
        action_label=str(entry.get_action_display()),
        target_type=entry.target_type,
        target_id=entry.target_id,
        target_label=entry.target_label,
        event_id=entry.event_id,
        channel=entry.channel,
        source_address=entry.source_address,
        before=entry.before,
        after=entry.after,
    )


@router.get("", response={200: list[EntryOut], **ERRORS}, summary="Audit log entries, newest first")
def entry_list(request: HttpRequest, query: Query[EntryQuery]) -> list[EntryOut]:
    """Administrators read every entry; an organiser reads the entries of the events they organise.
    Page with ``before_id`` = the last id of the previous page. Entries cannot be changed or deleted."""
    scope = access.access_audit(request.user)
    found = selectors.entry_page(scope, query.filters(), before_id=query.before_id, limit=query.limit)
    return [entry_out(entry) for entry in found]
