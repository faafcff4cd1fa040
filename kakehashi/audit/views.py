"""The audit log page (newest first, filtered, before and after side by side) and its exports."""

import functools
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from kakehashi.audit import access, exports, selectors, services
from kakehashi.audit.access import AuditScope
from kakehashi.audit.choices import Action
from kakehashi.audit.forms import EntryFilterForm
from kakehashi.audit.models import Entry
from kakehashi.core.errors import NotAuthenticated, PermissionDenied

PAGE = 50
View = Callable[[HttpRequest], HttpResponseBase]


def audit_page(view: Callable[[HttpRequest, AuditScope], HttpResponseBase]) -> View:
    """Decides access once; anonymous callers go to the sign-in page, others without access see a 403 page."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest) -> HttpResponseBase:
        try:
            scope = access.access_audit(request.user)
        except NotAuthenticated:
            return redirect_to_login(request.get_full_path())
        except PermissionDenied:
            context = {
                "title": _("Access denied"),
                "status": 403,
                "message": _("Only administrators and event organisers can read the audit log."),
            }
            return render(request, "core/error.html", context, status=403)
        return view(request, scope)

    return wrapper


@dataclass(frozen=True)
class Change:
    key: str
    before: str | None
    after: str | None


def _shown(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)


def changes(entry: Entry) -> list[Change]:
    """Each key of ``before`` or ``after`` with its two values (None where a side does not have it)."""
    keys = [*entry.before, *(key for key in entry.after if key not in entry.before)]
    return [
        Change(
            key=key,
            before=_shown(entry.before[key]) if key in entry.before else None,
            after=_shown(entry.after[key]) if key in entry.after else None,
        )
        for key in keys
    ]


def _form(request: HttpRequest, scope: AuditScope) -> EntryFilterForm:
    query = request.GET.copy()
    query.pop("before_id", None)
    events = [(event.pk, event.slug) for event in selectors.events_in(scope)]
    return EntryFilterForm(query or None, events=events, actors=selectors.actors(scope))


def _before_id(request: HttpRequest) -> int | None:
    value = request.GET.get("before_id", "")
    return int(value) if value.isdigit() and len(value) <= 18 and int(value) > 0 else None


@require_GET
@audit_page
def entry_list(request: HttpRequest, scope: AuditScope) -> HttpResponse:
    form = _form(request, scope)
    rows: list[tuple[Entry, list[Change]]] = []
    older = newest = None
    if not form.is_bound or form.is_valid():
        found = selectors.entry_page(scope, form.filters(), before_id=_before_id(request), limit=PAGE + 1)
        rows = [(entry, changes(entry)) for entry in found[:PAGE]]
        if len(found) > PAGE:
            query = request.GET.copy()
            query["before_id"] = str(found[PAGE - 1].pk)
            older = query.urlencode()
    if request.GET.get("before_id"):
        query = request.GET.copy()
        query.pop("before_id")
        newest = query.urlencode()
    filters = request.GET.copy()
    filters.pop("before_id", None)
    context = {
        "form": form,
        "rows": rows,
        "older": older,
        "newest": newest,
        "filters": filters.urlencode(),
        "everything": scope.everything,
    }
    return render(request, "audit/entries.html", context, status=400 if form.errors else 200)


def _export(request: HttpRequest, scope: AuditScope, *, kind: str) -> HttpResponseBase:
    form = _form(request, scope)
    if form.is_bound and not form.is_valid():
        context = {"form": form, "rows": [], "filters": "", "everything": scope.everything}
        return render(request, "audit/entries.html", context, status=400)
    filters = form.filters()
    services.record(
        action=Action.AUDIT_EXPORT,
        actor=scope.reader,
        target_type="audit",
        after={"format": kind, "filters": {key: value for key, value in vars(filters).items() if value is not None}},
    )
    lines: Iterator[str]
    if kind == "csv":
        lines, content_type = exports.csv_rows(selectors.entry_stream(scope, filters)), "text/csv; charset=utf-8"
    else:
        lines, content_type = (
            exports.json_lines(selectors.entry_stream(scope, filters)),
            "application/jsonl; charset=utf-8",
        )
    response = StreamingHttpResponse(lines, content_type=content_type)
    name = f"kakehashi-audit-{timezone.now():%Y%m%dT%H%M%SZ}.{kind}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@audit_page
def export_csv(request: HttpRequest, scope: AuditScope) -> HttpResponseBase:
    return _export(request, scope, kind="csv")


@require_GET
@audit_page
def export_jsonl(request: HttpRequest, scope: AuditScope) -> HttpResponseBase:
    return _export(request, scope, kind="jsonl")
