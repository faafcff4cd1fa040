import pytest
from django.core.exceptions import ValidationError

from kakehashi.accounts import services
from kakehashi.accounts.models import Membership, Organisation
from kakehashi.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_create_with_both_names() -> None:
    organisation = services.organisation_create(
        kind="academia",
        country="JP",
        names={"en": "Kanto Institute", "ja": "関東工業大学"},
        website="https://example.jp",
    )
    assert organisation.slug == "kanto-institute"
    assert organisation.text("name", "ja") == "関東工業大学"
    assert organisation.completeness().is_complete


def test_fallback_is_explicit() -> None:
    organisation = services.organisation_create(kind="company", country="GB", names={"en": "Acme"})
    rendition = organisation.rendition("ja")
    assert rendition.is_fallback
    assert rendition.language == "en"
    assert organisation.completeness().missing == {"ja": ("name",)}


@pytest.mark.parametrize(
    ("fields", "error_field"),
    [
        ({"kind": "pirates", "country": "GB", "names": {"en": "X"}}, "kind"),
        ({"kind": "company", "country": "FR", "names": {"en": "X"}}, "country"),
        ({"kind": "company", "country": "GB", "names": {"en": "  "}}, "names"),
        ({"kind": "company", "country": "GB", "names": {"ja": "日本だけ"}}, "slug"),
        ({"kind": "company", "country": "GB", "names": {"xx": "X"}}, "language_code"),
    ],
)
def test_invalid_organisations_are_not_stored(fields: dict[str, object], error_field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        services.organisation_create(**fields)  # type: ignore[arg-type]
    assert error_field in caught.value.message_dict
    assert not Organisation.objects.exists()


def test_duplicate_slug_is_refused() -> None:
    services.organisation_create(kind="company", country="GB", names={"en": "Acme"})
    with pytest.raises(ValidationError) as caught:
        services.organisation_create(kind="company", country="JP", names={"en": "ACME"})
    assert "slug" in caught.value.message_dict


def test_membership_set_updates_role() -> None:
    organisation = services.organisation_create(kind="isac", country="JP", names={"en": "ISAC"})
    user = UserFactory.create()
    services.membership_set(organisation=organisation, user=user, role="member")
    services.membership_set(organisation=organisation, user=user, role="manager")
    assert Membership.objects.get(user=user).role == "manager"
    with pytest.raises(ValidationError):
        services.membership_set(organisation=organisation, user=user, role="king")
