from typing import Any

from factory.declarations import LazyAttribute, PostGeneration, Sequence, SubFactory
from factory.django import DjangoModelFactory
from factory.faker import Faker

from kakehashi.accounts.models import Organisation, OrganisationTranslation, User

PASSWORD = "correct-horse-battery-staple"


def _set_password(user: User, create: bool, extracted: str | None, **kwargs: Any) -> None:
    user.set_password(extracted or PASSWORD)
    if create:
        user.save(update_fields=["password"])


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = Sequence(lambda n: f"user{n}")
    email = LazyAttribute(lambda o: f"{o.username}@example.org")
    display_name = Faker("name")
    country = "GB"
    password = PostGeneration(_set_password)


class OrganisationFactory(DjangoModelFactory[Organisation]):
    class Meta:
        model = Organisation

    slug = Sequence(lambda n: f"org-{n}")
    kind = "company"
    country = "GB"


class OrganisationTranslationFactory(DjangoModelFactory[OrganisationTranslation]):
    class Meta:
        model = OrganisationTranslation

    organisation = SubFactory(OrganisationFactory)
    language_code = "en"
    name = Sequence(lambda n: f"Organisation {n}")
