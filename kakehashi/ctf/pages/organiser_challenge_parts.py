"""What belongs to a challenge, edited from its editor page: flags, hints and attachments."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kakehashi.ctf.models import Challenge
from kakehashi.ctf.pages import organiser_reads as reads
from kakehashi.ctf.pages.forms import show_service_errors
from kakehashi.ctf.pages.organiser_challenge_forms import AttachmentForm, FlagForm, HintForm
from kakehashi.ctf.pages.organiser_challenges import editor, managed_challenge
from kakehashi.ctf.pages.organiser_common import staff_page
from kakehashi.ctf.services import challenges


def _back(challenge: Challenge, anchor: str) -> HttpResponse:
    url = reverse("ctf:manage_challenge", args=[challenge.event.slug, challenge.pk])
    return redirect(f"{url}#{anchor}")


# --- flags -----------------------------------------------------------------------------------


@staff_page
@require_POST
def flag_add(request: HttpRequest, slug: str, challenge_id: int) -> HttpResponse:
    staff, challenge = managed_challenge(request, slug, challenge_id)
    form = FlagForm(request.POST, prefix="new-flag")
    if form.is_valid():
        try:
            challenges.flag_create(actor=request.user, challenge=challenge, **form.cleaned_data)
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(request, _("The flag has been added."))
            return _back(challenge, "flags")
    return editor(request, staff, challenge, flag_form=form)


@staff_page
@require_POST
def flag_edit(request: HttpRequest, slug: str, challenge_id: int, flag_id: int) -> HttpResponse:
    staff, challenge = managed_challenge(request, slug, challenge_id)
    flag = reads.flag_of(challenge, flag_id)
    form = FlagForm(request.POST, prefix=f"flag-{flag.pk}")
    if form.is_valid():
        try:
            challenges.flag_update(actor=request.user, flag=flag, **form.cleaned_data)
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(request, _("The flag has been saved."))
            return _back(challenge, "flags")
    return editor(request, staff, challenge, flag_forms={flag.pk: form})


@staff_page
@require_POST
def flag_delete(request: HttpRequest, slug: str, challenge_id: int, flag_id: int) -> HttpResponse:
    _staff, challenge = managed_challenge(request, slug, challenge_id)
    challenges.flag_delete(actor=request.user, flag=reads.flag_of(challenge, flag_id))
    messages.success(request, _("The flag has been deleted."))
    return _back(challenge, "flags")


# --- hints -----------------------------------------------------------------------------------


@staff_page
@require_POST
def hint_add(request: HttpRequest, slug: str, challenge_id: int) -> HttpResponse:
    staff, challenge = managed_challenge(request, slug, challenge_id)
    form = HintForm(request.POST, prefix="new-hint", languages=staff.event.languages)
    if form.is_valid():
        try:
            challenges.hint_create(
                actor=request.user,
                challenge=challenge,
                translations=form.cleaned_data["translations"],
                cost=form.cleaned_data["cost"],
            )
        except ValidationError as error:
            show_service_errors(form, error, {"translations": "__all__"})
        else:
            messages.success(request, _("The hint has been added."))
            return _back(challenge, "hints")
    return editor(request, staff, challenge, hint_form=form)


@staff_page
@require_POST
def hint_edit(request: HttpRequest, slug: str, challenge_id: int, hint_id: int) -> HttpResponse:
    staff, challenge = managed_challenge(request, slug, challenge_id)
    hint = reads.hint_of(challenge, hint_id)
    form = HintForm(
        request.POST, prefix=f"hint-{hint.pk}", languages=staff.event.languages, existing=list(hint.translation_map())
    )
    if form.is_valid():
        try:
            challenges.hint_update(
                actor=request.user,
                hint=hint,
                cost=form.cleaned_data["cost"],
                translations=form.cleaned_data["translations"],
            )
        except ValidationError as error:
            show_service_errors(form, error, {"translations": "__all__"})
        else:
            messages.success(request, _("The hint has been saved."))
            return _back(challenge, "hints")
    return editor(request, staff, challenge, hint_forms={hint.pk: form})


@staff_page
@require_POST
def hint_delete(request: HttpRequest, slug: str, challenge_id: int, hint_id: int) -> HttpResponse:
    _staff, challenge = managed_challenge(request, slug, challenge_id)
    try:
        challenges.hint_delete(actor=request.user, hint=reads.hint_of(challenge, hint_id))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The hint has been deleted."))
    return _back(challenge, "hints")


# --- attachments -----------------------------------------------------------------------------


@staff_page
@require_POST
def attachment_add(request: HttpRequest, slug: str, challenge_id: int) -> HttpResponse:
    staff, challenge = managed_challenge(request, slug, challenge_id)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            challenges.attachment_add(actor=request.user, challenge=challenge, name=upload.name or "", content=upload)
        except ValidationError as error:
            show_service_errors(form, error, {"name": "file", "content": "file"})
        else:
            messages.success(request, _("The file has been uploaded."))
            return _back(challenge, "attachments")
    return editor(request, staff, challenge, attachment_form=form)


@staff_page
@require_POST
def attachment_delete(request: HttpRequest, slug: str, challenge_id: int, attachment_id: int) -> HttpResponse:
    _staff, challenge = managed_challenge(request, slug, challenge_id)
    challenges.attachment_delete(actor=request.user, attachment=reads.attachment_of(challenge, attachment_id))
    messages.success(request, _("The file has been deleted."))
    return _back(challenge, "attachments")
