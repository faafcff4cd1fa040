"""The only place that decides who may do what with accounts and organisations."""

from django.contrib.auth.models import AnonymousUser

from kakehashi.accounts.choices import MembershipRole
from kakehashi.accounts.models import ApiToken, Membership, Organisation, User
from kakehashi.core.errors import NotAuthenticated, NotFound, PermissionDenied

AnyUser = User | AnonymousUser


def require_user(user: AnyUser) -> User:
    if not isinstance(user, User) or not user.is_authenticated or not user.is_active:
        raise NotAuthenticated()
    return user


def require_admin(user: AnyUser) -> User:
    account = require_user(user)
    if not account.is_platform_admin:
        raise PermissionDenied()
    return account


def access_own_token(user: AnyUser, token_id: int) -> ApiToken:
    """A token of the caller's own; anyone else's looks the same as one that does not exist."""
    account = require_user(user)
    token = ApiToken.objects.filter(pk=token_id, user=account).first()
    if token is None:
        raise NotFound()
    return token


def access_organisation(user: AnyUser, organisation_id: int) -> Organisation:
    """Organisations are public: anyone may read one."""
    organisation = Organisation.objects.prefetch_related("translations").filter(pk=organisation_id).first()
    if organisation is None:
        raise NotFound()
    return organisation


def access_organisation_manage(user: AnyUser, organisation_id: int) -> Organisation:
    """Platform admins, and managers of that organisation, may change its members."""
    account = require_user(user)
    organisation = access_organisation(account, organisation_id)
    if account.is_platform_admin:
        return organisation
    is_manager = Membership.objects.filter(
        organisation=organisation, user=account, role=MembershipRole.MANAGER
    ).exists()
    if not is_manager:
        raise PermissionDenied()
    return organisation
