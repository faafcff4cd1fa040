"""Creating an event, and its settings page: texts, schedule, rules, pause, staff and brackets."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kakehashi.accounts import selectors as account_selectors
from kakehashi.core.errors import NotFound
from kakehashi.ctf import access, flags
from kakehashi.ctf.choices import EventMode, RegistrationMode, ScoreboardVisibility
from kakehashi.ctf.pages import organiser_reads as reads
from kakehashi.ctf.pages.forms import (
    EVENT_ALIASES,
    BracketForm,
    EventForm,
    StaffForm,
    default_zone,
    show_service_errors,
)
from kakehashi.ctf.pages.organiser_common import Staff, managed_event, page, staff_page
from kakehashi.ctf.services import events

NEW_EVENT = {
    "languages": ["en", "ja"],
    "mode": EventMode.TEAM,
    "registration": RegistrationMode.OPEN,
    "scoreboard_visibility": ScoreboardVisibility.PUBLIC,
    "wrong_attempts_per_minute": 10,
    "generated_flag_format": flags.DEFAULT_FORMAT,
}


@staff_page
@require_http_methods(["GET", "POST"])
def event_create(request: HttpRequest) -> HttpResponse:
    creator = access.require_event_creator(request.user)
    form = EventForm(request.POST or None, initial=NEW_EVENT, zone=creator.time_zone)
    if request.method == "POST" and form.is_valid():
        try:
            event = events.event_create(creator=creator, **form.settings())
        except ValidationError as error:
            show_service_errors(form, error, EVENT_ALIASES)
        else:
            messages.success(request, _("The event has been created. Add its challenges next."))
            return redirect("ctf:manage", slug=event.slug)
    return render(request, "ctf/manage/event_new.html", {"form": form}, status=400 if form.errors else 200)


def _settings_page(request: HttpRequest, staff: Staff, **bound: Any) -> HttpResponse:
    event = staff.event
    zone = default_zone(staff.user.time_zone)
    context: dict[str, Any] = {
        "form": bound.get("form") or EventForm(initial=EventForm.initial_for(event, zone), zone=zone),
        "staff_form": bound.get("staff_form") or StaffForm(),
        "bracket_form": bound.get("bracket_form") or BracketForm(languages=event.languages),
        "staff_members": reads.staff_of(event),
        "brackets": reads.brackets_of(event),
        "section": "settings",
    }
    failed = any(form.errors for form in bound.values())
    return page(request, "ctf/manage/settings.html", context, staff=staff, status=400 if failed else 200)


@staff_page
@require_http_methods(["GET", "POST"])
def event_settings(request: HttpRequest, slug: str) -> HttpResponse:
    staff = managed_event(request, slug)
    if request.method != "POST":
        return _settings_page(request, staff)
    form = EventForm(request.POST, zone=staff.user.time_zone)
    if form.is_valid():
        try:
            event = events.event_update(actor=request.user, event=staff.event, **form.settings())
        except ValidationError as error:
            show_service_errors(form, error, EVENT_ALIASES)
        else:
            messages.success(request, _("The settings have been saved."))
            return redirect("ctf:manage_settings", slug=event.slug)
    return _settings_page(request, staff, form=form)


@staff_page
@require_POST
def event_pause(request: HttpRequest, slug: str) -> HttpResponse:
    staff = managed_event(request, slug)
    paused = request.POST.get("paused") == "1"
    events.event_set_paused(actor=request.user, event=staff.event, paused=paused)
    if paused:
        messages.success(request, _("The event is paused: no flags are accepted until it resumes."))
    else:
        messages.success(request, _("The event has resumed."))
    return redirect("ctf:manage_settings", slug=slug)


@staff_page
@require_POST
def staff_add(request: HttpRequest, slug: str) -> HttpResponse:
    staff = managed_event(request, slug)
    form = StaffForm(request.POST)
    if form.is_valid():
        user = account_selectors.active_user_by_name(form.cleaned_data["username"].strip())
        if user is None:
            form.add_error("username", _("No active account has this user name."))
        else:
            try:
                events.staff_set(actor=request.user, event=staff.event, user=user, role=form.cleaned_data["role"])
            except ValidationError as error:
                show_service_errors(form, error, {"user": "username"})
            else:
                messages.success(request, _("%(name)s is now on the event's staff.") % {"name": user.username})
                return redirect("ctf:manage_settings", slug=slug)
    return _settings_page(request, staff, staff_form=form)


@staff_page
@require_POST
def staff_remove(request: HttpRequest, slug: str, user_id: int) -> HttpResponse:
    staff = managed_event(request, slug)
    member = reads.staff_of(staff.event).filter(user_id=user_id).first()
    if member is None:
        raise NotFound()
    try:
        events.staff_remove(actor=request.user, event=staff.event, user=member.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("%(name)s is no longer on the event's staff.") % {"name": member.user.username})
    return redirect("ctf:manage_settings", slug=slug)


@staff_page
@require_POST
def bracket_add(request: HttpRequest, slug: str) -> HttpResponse:
    staff = managed_event(request, slug)
    form = BracketForm(request.POST, languages=staff.event.languages)
    if form.is_valid():
        names = {code: form.texts(code)["name"] for code in form.text_languages}
        try:
            events.bracket_create(actor=request.user, event=staff.event, slug=form.cleaned_data["slug"], names=names)
        except ValidationError as error:
            show_service_errors(form, error, {"names": f"name_{form.text_languages[0]}"})
        else:
            messages.success(request, _("The bracket has been added."))
            return redirect("ctf:manage_settings", slug=slug)
    return _settings_page(request, staff, bracket_form=form)
