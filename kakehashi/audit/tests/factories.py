from django.utils import timezone
from factory.declarations import LazyFunction, Sequence
from factory.django import DjangoModelFactory

from kakehashi.audit.models import Entry


class EntryFactory(DjangoModelFactory[Entry]):
    """An entry as :func:`kakehashi.audit.services.record` would write it, for reading tests."""

    class Meta:
        model = Entry

    at = LazyFunction(timezone.now)
    action = "challenge.update"
    target_type = "challenge"
    target_id = Sequence(str)
    target_label = Sequence(lambda n: f"web / Challenge {n}")
    channel = "web"
    before = LazyFunction(lambda: {"value": 100})
    after = LazyFunction(lambda: {"value": 200})
