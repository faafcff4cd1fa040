"""Native JSON API for accounts, tokens and organisations."""

from typing import Any

from django.conf import settings
from django.contrib.auth import login, logout
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from ninja import Router, Status

from kakehashi.accounts import access, selectors, services
from kakehashi.accounts.choices import Country, OrganisationKind
from kakehashi.accounts.models import Organisation, User
from kakehashi.accounts.schemas import (
    CsrfOut,
    LoginIn,
    MemberIn,
    MemberOut,
    MembershipOut,
    MeOut,
    OrganisationIn,
    OrganisationOut,
    PasswordChangeIn,
    PasswordResetConfirmIn,
    PasswordResetIn,
    ProfileIn,
    RegisterConfirmIn,
    RegisterIn,
    RegisterSentOut,
    TokenCreatedOut,
    TokenIn,
    TokenOut,
)
from kakehashi.accounts.services import signin
from kakehashi.core.api import ErrorOut, require_csrf
from kakehashi.core.errors import ApiError, NotFound, Throttled

router = Router(tags=["accounts"])
organisations = Router(tags=["organisations"])

ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 413: ErrorOut, 422: ErrorOut, 429: ErrorOut}


def _me(user: User) -> MeOut:
    memberships = [
        MembershipOut(organisation_id=m.organisation_id, slug=m.organisation.slug, role=m.role)
        for m in user.membership_set.select_related("organisation").order_by("organisation__slug")
    ]
    return MeOut(
        id=user.pk,
        username=user.username,
        display_name=user.display_name,
        email=user.email,
        preferred_language=user.preferred_language,
        country=user.country,
        time_zone=user.time_zone,
        role=user.role,
        memberships=memberships,
    )


@router.get("/csrf", auth=None, response=CsrfOut, summary="Get a CSRF token for session sign-in")
def csrf(request: HttpRequest) -> CsrfOut:
    return CsrfOut(csrf_token=get_token(request))


@router.post(
    "/register", auth=None, response={202: RegisterSentOut, **ERRORS}, summary="Sign up: mail a confirmation link"
)
def register(request: HttpRequest, payload: RegisterIn) -> Status[Any]:
    """The same answer whether or not the address has an account; only the mail sent differs."""
    require_csrf(request)
    services.registration_start(**payload.dict(), base_url=request.build_absolute_uri("/"))
    return Status(202, RegisterSentOut())


@router.post(
    "/register/confirm", auth=None, response={201: MeOut, **ERRORS}, summary="Create the account of a confirmed sign-up"
)
def register_confirm(request: HttpRequest, payload: RegisterConfirmIn) -> Status[Any]:
    require_csrf(request)
    return Status(201, _me(services.registration_confirm(token=payload.token)))


@router.post("/login", auth=None, response={200: MeOut, **ERRORS}, summary="Sign in with a session")
def sign_in(request: HttpRequest, payload: LoginIn) -> MeOut:
    require_csrf(request)
    user = signin.authenticate(request, username=payload.username, password=payload.password)
    if getattr(request, "axes_locked_out", False):
        raise Throttled(retry_after=int(settings.AXES_COOLOFF_TIME.total_seconds()), code="login_throttled")
    if not isinstance(user, User):
        raise ApiError(_("The user name or password is not correct."), code="invalid_credentials", status=401)
    login(request, user)
    return _me(user)


@router.post("/logout", response={204: None, **ERRORS}, summary="Sign out")
def sign_out(request: HttpRequest) -> Status[Any]:
    logout(request)
    return Status(204, None)


@router.get("/me", response={200: MeOut, **ERRORS}, summary="The signed-in account")
def me(request: HttpRequest) -> MeOut:
    return _me(access.require_user(request.user))


@router.patch("/me", response={200: MeOut, **ERRORS}, summary="Change your profile")
def update_me(request: HttpRequest, payload: ProfileIn) -> MeOut:
    user = access.require_user(request.user)
    return _me(services.user_update_profile(user=user, **payload.dict()))


@router.post("/me/password", response={204: None, **ERRORS}, summary="Change your password")
def change_password(request: HttpRequest, payload: PasswordChangeIn) -> Status[Any]:
    user = access.require_user(request.user)
    services.password_change(user=user, old_password=payload.old_password, new_password=payload.new_password)
    return Status(204, None)


@router.post("/password-reset", auth=None, response={202: None, **ERRORS}, summary="Mail a password reset link")
def password_reset(request: HttpRequest, payload: PasswordResetIn) -> Status[Any]:
    require_csrf(request)
    services.password_reset_send(email=payload.email, base_url=request.build_absolute_uri("/"))
    return Status(202, None)


@router.post("/password-reset/confirm", auth=None, response={204: None, **ERRORS}, summary="Set a new password")
def password_reset_confirm(request: HttpRequest, payload: PasswordResetConfirmIn) -> Status[Any]:
    require_csrf(request)
    services.password_reset_complete(uid=payload.uid, token=payload.token, new_password=payload.new_password)
    return Status(204, None)


@router.get("/tokens", response={200: list[TokenOut], **ERRORS}, summary="Your API tokens")
def token_list(request: HttpRequest) -> list[TokenOut]:
    user = access.require_user(request.user)
    return [TokenOut.from_orm(token) for token in selectors.tokens_of(user)]


@router.post("/tokens", response={201: TokenCreatedOut, **ERRORS}, summary="Create an API token")
def token_create(request: HttpRequest, payload: TokenIn) -> Status[Any]:
    user = access.require_user(request.user)
    row, raw = services.api_token_create(user=user, name=payload.name, expires_days=payload.expires_days)
    return Status(201, TokenCreatedOut(**TokenOut.from_orm(row).dict(), token=raw))


@router.delete("/tokens/{token_id}", response={204: None, **ERRORS}, summary="Revoke an API token")
def token_revoke(request: HttpRequest, token_id: int) -> Status[Any]:
    services.api_token_revoke(token=access.access_own_token(request.user, token_id))
    return Status(204, None)


def _organisation(organisation: Organisation) -> OrganisationOut:
    rendition = organisation.rendition(get_language() or "en")
    names = {code: row.name for code, row in organisation.translation_map().items()}
    return OrganisationOut(
        id=organisation.pk,
        slug=organisation.slug,
        kind=OrganisationKind(organisation.kind),
        country=Country(organisation.country),
        website=organisation.website,
        name=rendition.row.name if rendition.row is not None else organisation.slug,
        name_language=rendition.language,
        names=names,
        complete_languages=list(organisation.completeness().complete_languages),
    )


@organisations.get("/", auth=None, response=list[OrganisationOut], summary="All organisations")
def organisation_list(request: HttpRequest) -> list[OrganisationOut]:
    return [_organisation(organisation) for organisation in selectors.organisation_list()]


@organisations.get("/{organisation_id}", auth=None, response={200: OrganisationOut, **ERRORS})
def organisation_detail(request: HttpRequest, organisation_id: int) -> OrganisationOut:
    return _organisation(access.access_organisation(request.user, organisation_id))


@organisations.post("/", response={201: OrganisationOut, **ERRORS}, summary="Register an organisation (admins)")
def organisation_create(request: HttpRequest, payload: OrganisationIn) -> Status[Any]:
    access.require_admin(request.user)
    organisation = services.organisation_create(**payload.dict())
    return Status(201, _organisation(organisation))


@organisations.put("/{organisation_id}/members/{user_id}", response={200: MemberOut, **ERRORS})
def member_set(request: HttpRequest, organisation_id: int, user_id: int, payload: MemberIn) -> MemberOut:
    organisation = access.access_organisation_manage(request.user, organisation_id)
    user = selectors.active_user(user_id)
    if user is None:
        raise NotFound()
    membership = services.membership_set(organisation=organisation, user=user, role=payload.role)
    return MemberOut(user_id=user.pk, username=user.username, role=membership.role)
