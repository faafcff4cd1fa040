import pytest
from django.core.exceptions import ValidationError

from kakehashi.accounts import services
from kakehashi.accounts.models import User
from kakehashi.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def register(**overrides: str) -> User:
    fields = {"username": "taro", "email": "taro@example.jp", "password": "kawa-no-hashi-42"} | overrides
    return services.user_create(actor=None, **fields)


def test_register_normalises_and_hashes() -> None:
    user = register(username="  taro ", email="taro@EXAMPLE.JP")
    assert user.username == "taro"
    assert user.email == "taro@example.jp"
    assert user.password.startswith("md5$") or user.password.startswith("argon2")  # test hasher or argon2
    assert user.check_password("kawa-no-hashi-42")


def test_user_names_are_unique_regardless_of_case() -> None:
    register()
    with pytest.raises(ValidationError) as caught:
        register(username="TARO", email="other@example.jp")
    assert "username" in caught.value.message_dict


def test_full_width_user_name_is_normalised_to_the_same_name() -> None:
    register()
    with pytest.raises(ValidationError) as caught:
        register(username="ｔａｒｏ", email="other@example.jp")  # NFKC makes this "taro"
    assert "username" in caught.value.message_dict


def test_email_is_unique_and_required() -> None:
    register()
    with pytest.raises(ValidationError) as caught:
        register(username="jiro", email="TARO@example.jp")
    assert "email" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        register(username="saburo", email="")
    assert "email" in caught.value.message_dict


@pytest.mark.parametrize("password", ["short", "12345678901", "password123", "taro-taro"])
def test_weak_passwords_are_refused(password: str) -> None:
    with pytest.raises(ValidationError) as caught:
        register(password=password)
    assert "password" in caught.value.message_dict
    assert not User.objects.exists()


def test_invalid_choices_are_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        register(country="FR", preferred_language="de", time_zone="Nowhere/City")
    assert set(caught.value.message_dict) >= {"country", "preferred_language", "time_zone"}


def test_update_profile_changes_only_given_fields() -> None:
    user = UserFactory.create(display_name="Before", country="GB", time_zone="Europe/London")
    services.user_update_profile(user=user, preferred_language="both")
    user.refresh_from_db()
    assert (user.display_name, user.preferred_language, user.country) == ("Before", "both", "GB")


def test_update_profile_keeps_stored_values_on_error() -> None:
    user = UserFactory.create(display_name="Before", time_zone="Europe/London")
    with pytest.raises(ValidationError):
        services.user_update_profile(user=user, display_name="After", time_zone="Bad/Zone")
    user.refresh_from_db()
    assert (user.display_name, user.time_zone) == ("Before", "Europe/London")


def test_admin_create() -> None:
    admin = services.admin_create(username="root", email="root@example.org", password="a-long-admin-secret")
    assert admin.is_superuser
    assert admin.is_staff
    assert admin.role == "admin"
    assert admin.is_platform_admin


def test_set_role_rejects_unknown() -> None:
    user = UserFactory.create()
    with pytest.raises(ValidationError):
        services.user_set_role(user=user, role="overlord")
    services.user_set_role(user=user, role="judge")
    user.refresh_from_db()
    assert user.role == "judge"


def test_production_hashing_is_argon2(settings: object) -> None:
    from kakehashi.settings import base

    settings.PASSWORD_HASHERS = base.PASSWORD_HASHERS  # type: ignore[attr-defined]
    user = register()
    assert user.password.startswith("argon2$argon2id$")


def test_role_changes_are_recorded() -> None:
    from kakehashi.audit.models import Entry

    admin = UserFactory.create(role="admin")
    user = UserFactory.create(username="jiro")
    services.user_set_role(user=user, role="organiser", actor=admin)
    entry = Entry.objects.get(action="user.set_role")
    assert (entry.actor_id, entry.target_type, entry.target_id, entry.target_label) == (
        admin.pk,
        "user",
        str(user.pk),
        "jiro",
    )
    assert (entry.before, entry.after) == ({"role": "participant"}, {"role": "organiser"})
    services.user_set_role(user=user, role="organiser", actor=admin)
    assert Entry.objects.filter(action="user.set_role").count() == 1


def test_accounts_made_for_others_are_recorded_without_the_password() -> None:
    from kakehashi.audit.models import Entry

    admin = UserFactory.create(role="admin")
    made = services.user_create(actor=admin, username="sora", email="sora@example.jp", password="kawa-no-hashi-42")
    services.admin_create(username="root2", email="root2@example.jp", password="kawa-no-hashi-43")
    entries = {entry.target_label: entry for entry in Entry.objects.filter(action="user.create")}
    assert entries["sora"].actor_id == admin.pk
    assert entries["sora"].after["role"] == "participant"
    assert entries["root2"].actor_id is None
    assert entries["root2"].channel == "cli"
    assert entries["root2"].after["is_superuser"] is True
    text = str([(entry.before, entry.after) for entry in entries.values()])
    assert "kawa-no-hashi" not in text
    assert made.password not in text
