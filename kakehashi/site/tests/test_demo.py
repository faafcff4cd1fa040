import io

import pytest
from django.core.management import call_command

from kakehashi.accounts.models import Organisation, User
from kakehashi.site.demo import DEMO_PASSWORD, load_demo

pytestmark = pytest.mark.django_db


def test_demo_loads_bilingual_data_and_is_idempotent() -> None:
    first = load_demo()
    second = load_demo()
    assert [login.username for login in first] == [login.username for login in second]
    assert Organisation.objects.count() == 3
    assert {o.country for o in Organisation.objects.all()} == {"GB", "JP"}
    assert all(o.completeness().is_complete for o in Organisation.objects.all())
    organiser = User.objects.get(username="organiser")
    assert organiser.role == "organiser"
    assert organiser.check_password(DEMO_PASSWORD)
    assert User.objects.get(username="judge").role == "judge"
    assert User.objects.filter(role="participant", country="JP").count() >= 2


def test_demo_command_prints_logins() -> None:
    out = io.StringIO()
    call_command("demo", "--no-serve", stdout=out)
    text = out.getvalue()
    assert DEMO_PASSWORD in text
    for username in ("organiser", "judge", "alice", "hana"):
        assert username in text
