"""The submission log (judges read it too), awards, and announcements."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kakehashi.core.markdown import render_markdown
from kakehashi.core.templatetags.kakehashi import LANGUAGE_NAMES
from kakehashi.ctf import selectors
from kakehashi.ctf.models import Announcement
from kakehashi.ctf.pages import organiser_reads as reads
from kakehashi.ctf.pages.forms import AnnouncementForm, AwardForm, LogFilterForm, show_service_errors
from kakehashi.ctf.pages.organiser_common import Staff, judged_event, managed_event, page, staff_page
from kakehashi.ctf.services import announcements, awards

LOG_PAGE = 50


def _before_id(request: HttpRequest) -> int | None:
    """The page of the log that ends before this submission; the newest page when absent or not a number."""
    value = request.GET.get("before_id", "")
    return int(value) if value.isdigit() and len(value) <= 18 and int(value) > 0 else None


@staff_page
@require_GET
def submission_list(request: HttpRequest, slug: str) -> HttpResponse:
    staff = judged_event(request, slug)
    event = staff.event
    users = [(p.user_id, f"{p.user.public_name} ({p.user.username})") for p in reads.participants_of(event)]
    filters = request.GET.copy()
    filters.pop("before_id", None)
    form = LogFilterForm(
        filters or None,
        teams=reads.teams_of(event),
        challenges=reads.challenge_titles(event),
        users=users,
        language=get_language() or "en",
    )
    entries: list[Any] = []
    older = None
    if not form.is_bound or form.is_valid():
        data = form.cleaned_data if form.is_bound else {}
        found = selectors.submission_log(
            event,
            result=data.get("result") or None,
            team_id=data["team"].pk if data.get("team") else None,
            challenge_id=data["challenge"].pk if data.get("challenge") else None,
            user_id=data.get("user") or None,
            before_id=_before_id(request),
            limit=LOG_PAGE + 1,
        )
        entries = reads.with_challenge_texts(found[:LOG_PAGE])
        if len(found) > LOG_PAGE:
            query = request.GET.copy()
            query["before_id"] = str(entries[-1].pk)
            older = query.urlencode()
    newest = None
    if request.GET.get("before_id"):
        query = request.GET.copy()
        query.pop("before_id")
        newest = query.urlencode()
    context = {"section": "submissions", "form": form, "submissions": entries, "older": older, "newest": newest}
    return page(request, "ctf/manage/submissions.html", context, staff=staff, status=400 if form.errors else 200)


# --- awards ----------------------------------------------------------------------------------


def _awards_page(request: HttpRequest, staff: Staff, form: AwardForm | None = None) -> HttpResponse:
    context = {
        "section": "awards",
        "form": form or AwardForm(teams=reads.teams_of(staff.event)),
        "awards": reads.awards_of(staff.event),
    }
    return page(request, "ctf/manage/awards.html", context, staff=staff, status=400 if form and form.errors else 200)


@staff_page
@require_http_methods(["GET", "POST"])
def award_list(request: HttpRequest, slug: str) -> HttpResponse:
    staff = managed_event(request, slug)
    if request.method != "POST":
        return _awards_page(request, staff)
    form = AwardForm(request.POST, teams=reads.teams_of(staff.event))
    if form.is_valid():
        data = form.cleaned_data
        try:
            awards.award_create(team=data["team"], value=data["value"], reason=data["reason"], by=staff.user)
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(request, _("The points have been recorded."))
            return redirect("ctf:manage_awards", slug=slug)
    return _awards_page(request, staff, form)


@staff_page
@require_POST
def award_delete(request: HttpRequest, slug: str, award_id: int) -> HttpResponse:
    staff = managed_event(request, slug)
    awards.award_delete(actor=request.user, award=reads.award_in(staff.event, award_id))
    messages.success(request, _("The award has been deleted."))
    return redirect("ctf:manage_awards", slug=slug)


# --- announcements ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Text:
    code: str
    name: str
    title: str
    body: SafeString


def _texts(announcement: Announcement, languages: Sequence[str]) -> list[Text]:
    """Every language of an announcement, the event's languages first: organisers read them all."""
    order = {code: index for index, code in enumerate(languages)}
    rows = sorted(announcement.translations.all(), key=lambda row: (order.get(row.language_code, len(order)), row.pk))
    return [
        Text(
            code=row.language_code,
            name=str(LANGUAGE_NAMES.get(row.language_code, row.language_code)),
            title=row.title,
            body=render_markdown(row.body),
        )
        for row in rows
    ]


def _announcements_page(
    request: HttpRequest, staff: Staff, form: AnnouncementForm | None = None, *, texts: dict[str, str] | None = None
) -> HttpResponse:
    """``texts`` are the submitted texts of a preview: shown again, with their rendering, unchecked."""
    languages = staff.event.languages
    form = form or AnnouncementForm(initial=texts or {}, languages=languages)
    previews = {code: render_markdown((texts or {}).get(f"body_{code}", "")) for code in form.text_languages}
    context: dict[str, Any] = {
        "section": "announcements",
        "form": form,
        "editors": [(column, previews[column.code]) for column in form.language_columns()],
        "announcements": [(item, _texts(item, languages)) for item in selectors.announcements(staff.event)],
    }
    return page(request, "ctf/manage/announcements.html", context, staff=staff, status=400 if form.errors else 200)


@staff_page
@require_http_methods(["GET", "POST"])
def announcement_list(request: HttpRequest, slug: str) -> HttpResponse:
    staff = managed_event(request, slug)
    if request.method != "POST":
        return _announcements_page(request, staff)
    if request.POST.get("action") == "preview":
        texts = {key: str(value) for key, value in request.POST.items() if key.startswith(("title_", "body_"))}
        return _announcements_page(request, staff, texts=texts)
    form = AnnouncementForm(request.POST, languages=staff.event.languages)
    if form.is_valid():
        try:
            announcements.announcement_create(event=staff.event, author=staff.user, translations=form.translations())
        except ValidationError as error:
            show_service_errors(form, error, {"translations": "__all__"})
        else:
            messages.success(request, _("The announcement has been published."))
            return redirect("ctf:manage_announcements", slug=slug)
    return _announcements_page(request, staff, form)


@staff_page
@require_POST
def announcement_delete(request: HttpRequest, slug: str, announcement_id: int) -> HttpResponse:
    staff = managed_event(request, slug)
    announcements.announcement_delete(
        actor=request.user, announcement=reads.announcement_in(staff.event, announcement_id)
    )
    messages.success(request, _("The announcement has been deleted."))
    return redirect("ctf:manage_announcements", slug=slug)
