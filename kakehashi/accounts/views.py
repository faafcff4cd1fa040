"""Account pages: sign-in, registration, profile, passwords, API tokens."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kakehashi.accounts import access, selectors, services
from kakehashi.accounts.forms import (
    PasswordChangeForm,
    PasswordResetForm,
    PasswordResetRequestForm,
    ProfileForm,
    RegisterConfirmForm,
    RegisterForm,
    SignInForm,
    TokenForm,
    add_service_errors,
)
from kakehashi.core.errors import NotFound


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True
    authentication_form = SignInForm


def lockout(request: HttpRequest, credentials: Any = None, *args: Any, **kwargs: Any) -> HttpResponse:
    """What django-axes answers while a user name is locked out after repeated failures."""
    retry_after = int(settings.AXES_COOLOFF_TIME.total_seconds())
    message = _("Too many failed sign-in attempts. Please wait %(minutes)d minutes and try again.") % {
        "minutes": max(1, retry_after // 60)
    }
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {"code": "login_throttled", "message": message, "details": []}, status=429
        )
    else:
        response = render(request, "accounts/locked_out.html", {"message": message}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    """The sign-up form. Its answer is the same whether or not the address has an account: the
    difference is only in the mail sent (see ``services.signup``)."""
    if request.user.is_authenticated:
        return redirect("site:home")
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.registration_start(
                username=data["username"],
                email=data["email"],
                password=data["password1"],
                display_name=data["display_name"],
                preferred_language=data["preferred_language"] or "",
                country=data["country"],
                time_zone=data["time_zone"] or "",
                base_url=request.build_absolute_uri("/"),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return render(request, "accounts/register_sent.html")
    return render(request, "accounts/register.html", {"form": form}, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def register_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The link of the confirmation mail. Opening it only shows a button: mail scanners fetch links,
    so only the POST of that button uses the token, makes the account and signs it in."""
    form = RegisterConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.registration_confirm(token=token)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome to Kakehashi. Your account is ready."))
            return redirect("site:home")
    return render(request, "accounts/register_confirm.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    user = access.require_user(request.user)
    initial = {name: getattr(user, name) for name in ("display_name", "preferred_language", "country", "time_zone")}
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update_profile(user=user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your profile has been saved."))
            return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    user = access.require_user(request.user)
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_change(
                user=user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password1"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            update_session_auth_hash(request, user)
            messages.success(request, _("Your password has been changed."))
            return redirect("accounts:profile")
    return render(request, "accounts/password_change.html", {"form": form}, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def password_reset(request: HttpRequest) -> HttpResponse:
    form = PasswordResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.password_reset_send(email=form.cleaned_data["email"], base_url=request.build_absolute_uri("/"))
        return render(request, "accounts/password_reset_sent.html")
    return render(request, "accounts/password_reset.html", {"form": form}, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def password_reset_confirm(request: HttpRequest, uid: str, token: str) -> HttpResponse:
    form = PasswordResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_reset_complete(uid=uid, token=token, new_password=form.cleaned_data["new_password1"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your password has been set. You can sign in now."))
            return redirect("accounts:login")
    return render(request, "accounts/password_reset_confirm.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    user = access.require_user(request.user)
    form = TokenForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            _row, created = services.api_token_create(
                user=user, name=form.cleaned_data["name"], expires_days=form.cleaned_data["expires_days"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            form = TokenForm()
    context = {"form": form, "tokens": selectors.tokens_of(user), "created": created}
    return render(request, "accounts/tokens.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    try:
        token = access.access_own_token(request.user, token_id)
    except NotFound:
        raise Http404 from None  # another person's token looks like one that does not exist
    services.api_token_revoke(token=token)
    messages.success(request, _("The token has been revoked."))
    return redirect("accounts:tokens")


def organisation_list(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/organisations.html", {"organisations": selectors.organisation_list()})
