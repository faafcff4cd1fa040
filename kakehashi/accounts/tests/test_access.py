import pytest
from django.contrib.auth.models import AnonymousUser

from kakehashi.accounts import access, services
from kakehashi.accounts.tests.factories import UserFactory
from kakehashi.core.errors import NotAuthenticated, NotFound, PermissionDenied

pytestmark = pytest.mark.django_db


def test_require_user() -> None:
    with pytest.raises(NotAuthenticated):
        access.require_user(AnonymousUser())
    inactive = UserFactory.create(is_active=False)
    with pytest.raises(NotAuthenticated):
        access.require_user(inactive)
    user = UserFactory.create()
    assert access.require_user(user) == user


def test_require_admin() -> None:
    with pytest.raises(PermissionDenied):
        access.require_admin(UserFactory.create(role="organiser"))
    assert access.require_admin(UserFactory.create(role="admin")).role == "admin"
    assert access.require_admin(UserFactory.create(is_superuser=True)).is_superuser


def test_organisation_manage() -> None:
    organisation = services.organisation_create(kind="isac", country="JP", names={"en": "ISAC"})
    manager, member, outsider = UserFactory.create(), UserFactory.create(), UserFactory.create()
    services.membership_set(organisation=organisation, user=manager, role="manager")
    services.membership_set(organisation=organisation, user=member, role="member")
    assert access.access_organisation_manage(manager, organisation.pk) == organisation
    assert access.access_organisation_manage(UserFactory.create(role="admin"), organisation.pk) == organisation
    for user in (member, outsider):
        with pytest.raises(PermissionDenied):
            access.access_organisation_manage(user, organisation.pk)
    with pytest.raises(NotAuthenticated):
        access.access_organisation_manage(AnonymousUser(), organisation.pk)
    with pytest.raises(NotFound):
        access.access_organisation_manage(manager, organisation.pk + 1000)


def test_own_token_only() -> None:
    owner, other = UserFactory.create(), UserFactory.create()
    row, _raw = services.api_token_create(user=owner)
    assert access.access_own_token(owner, row.pk) == row
    with pytest.raises(NotFound):
        access.access_own_token(other, row.pk)
