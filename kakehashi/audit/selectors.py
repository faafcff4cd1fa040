"""Reading the audit log, always within what the reader may see (see ``access``)."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet

from kakehashi.audit.access import AuditScope
from kakehashi.audit.models import Entry
from kakehashi.ctf.models import Event

EXPORT_BATCH = 500


@dataclass(frozen=True)
class EntryFilter:
    """Every condition is optional; ``since`` is inclusive and ``until`` exclusive."""

    event_id: int | None = None
    actor_id: int | None = None
    action: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def entries(scope: AuditScope, filters: EntryFilter) -> QuerySet[Entry]:
    """The entries the reader may see that match, newest first."""
    found = Entry.objects.select_related("event").order_by("-id")
    if scope.event_ids is not None:
        found = found.filter(event_id__in=scope.event_ids)
    conditions = Q()
    if filters.event_id is not None:
        conditions &= Q(event_id=filters.event_id)
    if filters.actor_id is not None:
        conditions &= Q(actor_id=filters.actor_id)
    if filters.action:
        conditions &= Q(action=filters.action)
    if filters.since is not None:
        conditions &= Q(at__gte=filters.since)
    if filters.until is not None:
        conditions &= Q(at__lt=filters.until)
    return found.filter(conditions)


def entry_page(scope: AuditScope, filters: EntryFilter, *, before_id: int | None, limit: int) -> list[Entry]:
    """One page of :func:`entries`: up to ``limit`` entries older than ``before_id`` (the newest when None)."""
    found = entries(scope, filters)
    if before_id is not None:
        found = found.filter(id__lt=before_id)
    return list(found[:limit])


def entry_stream(scope: AuditScope, filters: EntryFilter) -> Iterator[Entry]:
    """Every matching entry, newest first, read in batches so that a long log is never held in memory."""
    before_id: int | None = None
    while True:
        batch = entry_page(scope, filters, before_id=before_id, limit=EXPORT_BATCH)
        yield from batch
        if len(batch) < EXPORT_BATCH:
            return
        before_id = batch[-1].pk


def actors(scope: AuditScope) -> list[tuple[int, str]]:
    """The accounts that appear in the reader's entries, as (id, name at the time), by name."""
    found = Entry.objects.filter(actor_id__isnull=False)
    if scope.event_ids is not None:
        found = found.filter(event_id__in=scope.event_ids)
    pairs = found.order_by().values_list("actor_id", "actor_name").distinct()
    return sorted({(actor_id, name) for actor_id, name in pairs if actor_id is not None}, key=lambda pair: pair[1])


def events_in(scope: AuditScope) -> QuerySet[Event]:
    """The events whose entries the reader may see, by short name."""
    events = Event.objects.order_by("slug")
    return events if scope.event_ids is None else events.filter(pk__in=scope.event_ids)
