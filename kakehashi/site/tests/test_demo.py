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


def test_demo_event_is_bilingual_and_playable() -> None:
    from kakehashi.ctf.models import Challenge, Event, Solve, Team
    from kakehashi.ctf.services.standings import snapshot

    load_demo()
    event = Event.objects.get(slug="bridge-ctf")
    assert event.is_default
    challenges = Challenge.objects.filter(event=event)
    assert challenges.count() == 12
    assert all(c.state == "visible" and c.completeness().is_complete for c in challenges)
    assert {c.category for c in challenges} >= {"web", "crypto", "forensics", "reversing", "osint", "misc"}
    assert {kind for c in challenges for kind in c.flags.values_list("kind", flat=True)} == {
        "static",
        "regex",
        "generated",
    }
    assert any(c.prerequisites.exists() for c in challenges)
    brackets = set(Team.objects.filter(event=event).values_list("country_bracket", flat=True))
    assert brackets >= {"uk", "jp", "mixed"}
    assert Solve.objects.filter(challenge__event=event).exists()
    assert len(snapshot(event, "public").entries) >= 3
