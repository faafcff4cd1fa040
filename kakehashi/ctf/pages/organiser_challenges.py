"""The challenge editor: texts in every language side by side with a preview, scoring, schedule,
prerequisites, and publishing. Flags, hints and files are in :mod:`organiser_challenge_parts`."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kakehashi.core.errors import NotFound
from kakehashi.core.markdown import render_markdown
from kakehashi.ctf import access, selectors
from kakehashi.ctf.models import Challenge
from kakehashi.ctf.pages import organiser_reads as reads
from kakehashi.ctf.pages.forms import default_zone, show_service_errors
from kakehashi.ctf.pages.organiser_challenge_forms import (
    CHALLENGE_ALIASES,
    AttachmentForm,
    ChallengeForm,
    FlagForm,
    HintForm,
    PublishForm,
)
from kakehashi.ctf.pages.organiser_common import Staff, managed_event, page, staff_page
from kakehashi.ctf.pages.organiser_dashboard import language_states
from kakehashi.ctf.services import challenges

PREVIEW_LIMIT = 100_000  # characters; longer texts are not previewed


def managed_challenge(request: HttpRequest, slug: str, challenge_id: int) -> tuple[Staff, Challenge]:
    """A challenge of the event, with everything the editor shows, for one of the event's organisers."""
    staff = managed_event(request, slug)
    found = access.access_challenge_manage(request.user, challenge_id)
    if found.event_id != staff.event.pk:
        raise NotFound()
    challenge = selectors.playable_challenges(staff.event, staff=True).filter(pk=found.pk).first()
    if challenge is None:
        raise NotFound()
    challenge.event = staff.event
    return staff, challenge


def _challenge_form(
    staff: Staff, challenge: Challenge | None, data: Any = None, *, sent: QueryDict | None = None
) -> ChallengeForm:
    """The main form: ``data`` to check and save, or ``sent`` to show again unchecked (a preview)."""
    event = staff.event
    zone = default_zone(staff.user.time_zone)
    others = reads.challenge_titles(event, exclude=challenge.pk if challenge else None)
    existing = list(challenge.translation_map()) if challenge else []
    initial: dict[str, Any]
    if sent is not None:
        initial = {key: sent.getlist(key) if key == "prerequisites" else sent.get(key) for key in sent}
    elif challenge is not None:
        initial = ChallengeForm.initial_for(challenge, zone)
    else:
        initial = {"difficulty": 1, "max_attempts": 0}
    form = ChallengeForm(
        data,
        initial=initial,
        languages=event.languages,
        zone=zone,
        others=others,
        existing=existing,
        language=get_language() or "en",
    )
    if challenge is not None and data is None and sent is None:
        form.initial_texts(challenge.translation_map())
    return form


def _previews(form: ChallengeForm, challenge: Challenge | None) -> dict[str, SafeString]:
    """The description of each language as participants will read it: the text on the form when it
    was sent back, else the stored one."""
    rows = challenge.translation_map() if challenge else {}
    previews = {}
    for code in form.text_languages:
        name = f"description_{code}"
        if form.is_bound:
            text = str(form.data.get(form.add_prefix(name), ""))
        elif name in form.initial:
            text = str(form.initial[name])
        else:
            text = getattr(rows.get(code), "description", "")
        previews[code] = render_markdown(text[:PREVIEW_LIMIT])
    return previews


def _failed(bound: dict[str, Any]) -> bool:
    forms = [form for item in bound.values() for form in (item.values() if isinstance(item, dict) else [item])]
    return any(getattr(form, "errors", None) for form in forms)


def editor(request: HttpRequest, staff: Staff, challenge: Challenge | None, **bound: Any) -> HttpResponse:
    """The editor page; ``bound`` holds the forms that were just sent back with errors."""
    form = bound.get("form")
    assert form is None or isinstance(form, ChallengeForm)
    form = form or _challenge_form(staff, challenge)
    previews = _previews(form, challenge)
    context: dict[str, Any] = {
        "section": "challenges" if challenge is None else "challenge",
        "challenge": challenge,
        "form": form,
        "editors": [(column, previews[column.code]) for column in form.language_columns()],
    }
    if challenge is not None:
        languages = staff.event.languages
        flag_forms = bound.get("flag_forms", {})
        hint_forms = bound.get("hint_forms", {})
        assert isinstance(flag_forms, dict)
        assert isinstance(hint_forms, dict)
        context |= {
            "languages": language_states(challenge, list(languages)),
            "publish_form": bound.get("publish_form") or PublishForm(),
            "flags": [
                (flag, flag_forms.get(flag.pk) or FlagForm(prefix=f"flag-{flag.pk}", initial=_flag_initial(flag)))
                for flag in reads.flags_of(challenge)
            ],
            "flag_form": bound.get("flag_form") or FlagForm(prefix="new-flag"),
            "hints": [(hint, hint_forms.get(hint.pk) or _hint_form(hint, languages)) for hint in challenge.hints.all()],
            "hint_form": bound.get("hint_form") or HintForm(prefix="new-hint", languages=languages),
            "attachment_form": bound.get("attachment_form") or AttachmentForm(),
        }
    return page(request, "ctf/manage/challenge.html", context, staff=staff, status=400 if _failed(bound) else 200)


def _flag_initial(flag: Any) -> dict[str, Any]:
    return {"kind": flag.kind, "content": flag.content, "case_insensitive": flag.case_insensitive}


def _hint_form(hint: Any, languages: list[str]) -> HintForm:
    existing = list(hint.translation_map())
    form = HintForm(prefix=f"hint-{hint.pk}", initial={"cost": hint.cost}, languages=languages, existing=existing)
    form.initial_texts(hint.translation_map())
    return form


def _save(form: ChallengeForm, staff: Staff, challenge: Challenge | None) -> Challenge:
    """Creates or changes the challenge and its prerequisites, all or nothing."""
    changes = form.changes()
    prerequisites = list(form.cleaned_data.get("prerequisites") or [])
    with transaction.atomic():
        if challenge is None:
            challenge = challenges.challenge_create(actor=staff.user, event=staff.event, **changes)
            if prerequisites:
                challenges.prerequisites_set(actor=staff.user, challenge=challenge, prerequisites=prerequisites)
        else:
            challenges.challenge_update(actor=staff.user, challenge=challenge, **changes)
            if {other.pk for other in prerequisites} != {other.pk for other in challenge.prerequisites.all()}:
                challenges.prerequisites_set(actor=staff.user, challenge=challenge, prerequisites=prerequisites)
    return challenge


def _editor_post(request: HttpRequest, staff: Staff, challenge: Challenge | None) -> HttpResponse:
    if request.POST.get("action") == "preview":
        return editor(request, staff, challenge, form=_challenge_form(staff, challenge, sent=request.POST))
    form = _challenge_form(staff, challenge, request.POST)
    if form.is_valid():
        try:
            saved = _save(form, staff, challenge)
        except ValidationError as error:
            show_service_errors(form, error, CHALLENGE_ALIASES)
        else:
            messages.success(request, _("The challenge has been saved."))
            return redirect("ctf:manage_challenge", slug=staff.event.slug, challenge_id=saved.pk)
    return editor(request, staff, challenge, form=form)


@staff_page
@require_http_methods(["GET", "POST"])
def challenge_new(request: HttpRequest, slug: str) -> HttpResponse:
    staff = managed_event(request, slug)
    if request.method == "POST":
        return _editor_post(request, staff, None)
    return editor(request, staff, None)


@staff_page
@require_http_methods(["GET", "POST"])
def challenge_edit(request: HttpRequest, slug: str, challenge_id: int) -> HttpResponse:
    staff, challenge = managed_challenge(request, slug, challenge_id)
    if request.method == "POST":
        return _editor_post(request, staff, challenge)
    return editor(request, staff, challenge)


@staff_page
@require_POST
def challenge_publish(request: HttpRequest, slug: str, challenge_id: int) -> HttpResponse:
    staff, challenge = managed_challenge(request, slug, challenge_id)
    form = PublishForm(request.POST)
    if form.is_valid():
        try:
            challenges.challenge_publish(
                actor=request.user,
                challenge=challenge,
                state=form.cleaned_data["state"],
                override_reason=form.cleaned_data["override_reason"],
            )
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(request, _("The challenge is shown to participants."))
            return redirect(reverse("ctf:manage_challenge", args=[slug, challenge.pk]) + "#publish")
    return editor(request, staff, challenge, publish_form=form)


@staff_page
@require_POST
def challenge_hide(request: HttpRequest, slug: str, challenge_id: int) -> HttpResponse:
    _staff, challenge = managed_challenge(request, slug, challenge_id)
    challenges.challenge_hide(actor=request.user, challenge=challenge)
    messages.success(request, _("The challenge is hidden from participants."))
    return redirect(reverse("ctf:manage_challenge", args=[slug, challenge.pk]) + "#publish")


@staff_page
@require_POST
def markdown_preview(request: HttpRequest, slug: str) -> HttpResponse:
    """The Markdown of ``text`` as participants will see it (sanitised HTML), for the live preview."""
    managed_event(request, slug)
    text = request.POST.get("text", "")
    if len(text) > PREVIEW_LIMIT:
        return JsonResponse({"html": "", "message": _("This text is too long to preview.")}, status=400)
    return JsonResponse({"html": str(render_markdown(text))})
