from datetime import timedelta
from typing import Any

from django.utils import timezone
from factory.declarations import LazyAttribute, LazyFunction, RelatedFactory, Sequence, SubFactory
from factory.django import DjangoModelFactory

from kakehashi.accounts.tests.factories import UserFactory
from kakehashi.ctf.models import (
    Challenge,
    ChallengeTranslation,
    Event,
    EventTranslation,
    Flag,
    Hint,
    HintTranslation,
    Participant,
    Team,
)


class EventFactory(DjangoModelFactory[Event]):
    """A running two-language team event: started an hour ago, ends in a day."""

    class Meta:
        model = Event
        skip_postgeneration_save = True

    slug = Sequence(lambda n: f"event-{n}")
    starts_at = LazyFunction(lambda: timezone.now() - timedelta(hours=1))
    ends_at = LazyFunction(lambda: timezone.now() + timedelta(days=1))
    mode = "team"
    english = RelatedFactory(
        "kakehashi.ctf.tests.factories.EventTranslationFactory", factory_related_name="event", language_code="en"
    )


class EventTranslationFactory(DjangoModelFactory[EventTranslation]):
    class Meta:
        model = EventTranslation

    event = SubFactory(EventFactory)
    language_code = "en"
    name = LazyAttribute(lambda o: f"Event {o.event.slug}")


class TeamFactory(DjangoModelFactory[Team]):
    class Meta:
        model = Team

    event = SubFactory(EventFactory)
    name = Sequence(lambda n: f"Team {n}")


class ParticipantFactory(DjangoModelFactory[Participant]):
    class Meta:
        model = Participant

    event = SubFactory(EventFactory)
    user = SubFactory(UserFactory)
    team = SubFactory(TeamFactory, event=LazyAttribute(lambda o: o.factory_parent.event))
    status = "approved"


class ChallengeFactory(DjangoModelFactory[Challenge]):
    """A visible static challenge with texts in English and Japanese."""

    class Meta:
        model = Challenge
        skip_postgeneration_save = True

    event = SubFactory(EventFactory)
    category = "web"
    value = 100
    state = "visible"
    english = RelatedFactory(
        "kakehashi.ctf.tests.factories.ChallengeTranslationFactory",
        factory_related_name="challenge",
        language_code="en",
        title="Bridge",
        description="Cross it.",
    )
    japanese = RelatedFactory(
        "kakehashi.ctf.tests.factories.ChallengeTranslationFactory",
        factory_related_name="challenge",
        language_code="ja",
        title="橋",
        description="渡ってください。",
    )


class ChallengeTranslationFactory(DjangoModelFactory[ChallengeTranslation]):
    class Meta:
        model = ChallengeTranslation

    challenge = SubFactory(ChallengeFactory)
    language_code = "en"
    title = "Bridge"
    description = "Cross it."


class FlagFactory(DjangoModelFactory[Flag]):
    class Meta:
        model = Flag

    challenge = SubFactory(ChallengeFactory)
    kind = "static"
    content = "flag{kakehashi}"


class HintFactory(DjangoModelFactory[Hint]):
    class Meta:
        model = Hint
        skip_postgeneration_save = True

    challenge = SubFactory(ChallengeFactory)
    cost = 10
    english = RelatedFactory(
        "kakehashi.ctf.tests.factories.HintTranslationFactory", factory_related_name="hint", language_code="en"
    )


class HintTranslationFactory(DjangoModelFactory[HintTranslation]):
    class Meta:
        model = HintTranslation

    hint = SubFactory(HintFactory)
    language_code = "en"
    content = "Look closer."


def player(**kwargs: Any) -> Participant:
    """An approved participant with a team in a running event."""
    return ParticipantFactory.create(**kwargs)
