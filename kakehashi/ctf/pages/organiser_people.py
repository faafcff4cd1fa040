"""Participants and teams: approving, banning, hiding, moving people, and custom brackets."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kakehashi.ctf import access
from kakehashi.ctf.choices import ParticipantStatus
from kakehashi.ctf.pages import organiser_reads as reads
from kakehashi.ctf.pages.forms import MoveForm, TeamBracketForm, show_service_errors
from kakehashi.ctf.pages.organiser_common import Staff, managed_event, page, staff_page
from kakehashi.ctf.services import teams


def _back(slug: str, request: HttpRequest, anchor: str = "") -> HttpResponse:
    url = reverse("ctf:manage_participants", args=[slug])
    status = request.POST.get("filter", "")
    if status in ParticipantStatus.values:
        url += f"?status={status}"
    return redirect(url + (f"#{anchor}" if anchor else ""))


def _people_page(request: HttpRequest, staff: Staff, **bound: Any) -> HttpResponse:
    event = staff.event
    status = request.GET.get("status", "")
    status = status if status in ParticipantStatus.values else ""
    language = get_language() or "en"
    counts = reads.participant_counts(event)
    team_list = list(reads.teams_of(event))
    brackets = reads.brackets_of(event)
    move_form = bound.get("move_form") or MoveForm(
        initial={"participant": request.GET.get("move") or None},
        participants=reads.participants_of(event, status=ParticipantStatus.APPROVED),
        teams=reads.teams_of(event).filter(banned=False),
    )
    bracket_forms = bound.get("bracket_forms", {})
    assert isinstance(bracket_forms, dict)
    context: dict[str, Any] = {
        "section": "participants",
        "status": status,
        "statuses": [(value, name, counts.get(value, 0)) for value, name in ParticipantStatus.choices],
        "participants": reads.participants_of(event, status=status or None),
        "teams": [
            (
                team,
                bracket_forms.get(team.pk)
                or TeamBracketForm(
                    prefix=f"team-{team.pk}", initial={"bracket": team.bracket_id}, brackets=brackets, language=language
                ),
            )
            for team in team_list
        ],
        "has_brackets": bool(brackets),
        "move_form": move_form,
    }
    failed = any(getattr(form, "errors", None) for form in (move_form, *bracket_forms.values()))
    return page(request, "ctf/manage/participants.html", context, staff=staff, status=400 if failed else 200)


@staff_page
@require_GET
def participant_list(request: HttpRequest, slug: str) -> HttpResponse:
    return _people_page(request, managed_event(request, slug))


@staff_page
@require_POST
def participant_status(request: HttpRequest, slug: str, participant_id: int) -> HttpResponse:
    staff = managed_event(request, slug)
    participant = reads.participant_in(staff.event, participant_id)
    status = request.POST.get("status", "")
    if status not in (ParticipantStatus.APPROVED, ParticipantStatus.BANNED):
        return HttpResponseBadRequest(_("Choose approve or ban."))
    try:
        teams.participant_set_status(actor=request.user, participant=participant, status=status)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        name = participant.user.username
        if status == ParticipantStatus.APPROVED:
            messages.success(request, _("%(name)s has been approved.") % {"name": name})
        else:
            messages.success(request, _("%(name)s has been banned from the event.") % {"name": name})
    return _back(slug, request, "participants")


@staff_page
@require_POST
def participant_move(request: HttpRequest, slug: str) -> HttpResponse:
    staff = managed_event(request, slug)
    form = MoveForm(
        request.POST,
        participants=reads.participants_of(staff.event, status=ParticipantStatus.APPROVED),
        teams=reads.teams_of(staff.event).filter(banned=False),
    )
    if form.is_valid():
        participant, team = form.cleaned_data["participant"], form.cleaned_data["team"]
        try:
            teams.participant_move(actor=request.user, participant=participant, team=team)
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(
                request, _("%(name)s is now in %(team)s.") % {"name": participant.user.username, "team": team.name}
            )
            return _back(slug, request, "participants")
    return _people_page(request, staff, move_form=form)


@staff_page
@require_POST
def team_visibility(request: HttpRequest, slug: str, team_id: int) -> HttpResponse:
    staff = managed_event(request, slug)
    team = access.access_team(request.user, staff.event, team_id)
    switches = {name: request.POST[name] == "1" for name in ("hidden", "banned") if name in request.POST}
    if not switches:
        return HttpResponseBadRequest(_("Choose what to change."))
    teams.team_set_visibility(actor=request.user, team=team, **switches)
    messages.success(request, _("The team %(team)s has been updated.") % {"team": team.name})
    return _back(slug, request, "teams")


@staff_page
@require_POST
def team_bracket(request: HttpRequest, slug: str, team_id: int) -> HttpResponse:
    staff = managed_event(request, slug)
    team = access.access_team(request.user, staff.event, team_id)
    form = TeamBracketForm(request.POST, prefix=f"team-{team.pk}", brackets=reads.brackets_of(staff.event))
    if form.is_valid():
        try:
            teams.team_set_bracket(actor=request.user, team=team, bracket=form.cleaned_data["bracket"])
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(request, _("The team %(team)s has been updated.") % {"team": team.name})
            return _back(slug, request, "teams")
    return _people_page(request, staff, bracket_forms={team.pk: form})
