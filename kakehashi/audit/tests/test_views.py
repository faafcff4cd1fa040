"""The audit log page and its exports through HTTP."""

import csv
import io
import json

import pytest
from django.test import Client
from django.urls import reverse

from kakehashi.accounts.models import User
from kakehashi.accounts.tests.factories import UserFactory
from kakehashi.audit.choices import Action
from kakehashi.audit.models import Entry
from kakehashi.audit.tests.factories import EntryFactory
from kakehashi.ctf.models import EventStaff
from kakehashi.ctf.tests.factories import EventFactory, ParticipantFactory

pytestmark = pytest.mark.django_db


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def content(response: object) -> str:
    return b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]


def test_anonymous_visitors_are_sent_to_sign_in() -> None:
    response = Client().get(reverse("audit:entries"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("name", ["audit:entries", "audit:export_csv", "audit:export_jsonl"])
def test_participants_are_refused(name: str) -> None:
    EntryFactory.create(target_label="secret plans")
    response = signed_in(ParticipantFactory.create().user).get(reverse(name))
    assert response.status_code == 403
    assert b"secret plans" not in response.content


def test_the_refusal_is_in_the_readers_language() -> None:
    response = signed_in(ParticipantFactory.create().user).get(reverse("audit:entries"), HTTP_ACCEPT_LANGUAGE="ja")
    assert response.status_code == 403
    assert response["Content-Language"] == "ja"


def test_administrators_see_entries_with_before_and_after() -> None:
    EntryFactory.create(
        actor_name="hanako",
        target_label="Sakura",
        action="team.ban",
        before={"banned": False},
        after={"banned": True},
    )
    response = signed_in(UserFactory.create(role="admin")).get(reverse("audit:entries"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "hanako" in page
    assert "Sakura" in page
    assert "Team banned" in page
    assert "<code>banned</code>" in page
    assert '<code class="value">false</code>' in page
    assert '<code class="value">true</code>' in page


def test_organisers_see_only_their_events() -> None:
    mine, theirs = EventFactory.create(), EventFactory.create()
    EntryFactory.create(event=mine, target_label="Mine")
    EntryFactory.create(event=theirs, target_label="Theirs")
    user = UserFactory.create()
    EventStaff.objects.create(event=mine, user=user, role="organiser")
    page = signed_in(user).get(reverse("audit:entries")).content.decode()
    assert "Mine" in page
    assert "Theirs" not in page


def test_filters_and_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    from kakehashi.audit import views

    monkeypatch.setattr(views, "PAGE", 2)
    for number in range(3):
        EntryFactory.create(action="flag.update", target_label=f"Flag {number}")
    EntryFactory.create(action="award.create", target_label="An award")
    client = signed_in(UserFactory.create(role="admin"))
    response = client.get(reverse("audit:entries"), {"action": "flag.update"})
    page = response.content.decode()
    assert "Flag 2" in page
    assert "Flag 1" in page
    assert "Flag 0" not in page
    assert "An award" not in page
    older = response.context["older"]
    assert older
    page = client.get(reverse("audit:entries") + "?" + older).content.decode()
    assert "Flag 0" in page
    assert "Flag 1" not in page


@pytest.mark.parametrize(
    "query", [{"since": "2026-13-45"}, {"since": "2026-03-02", "until": "2026-03-01"}, {"action": "nope"}]
)
def test_bad_filters_are_explained(query: dict[str, str]) -> None:
    client = signed_in(UserFactory.create(role="admin"))
    response = client.get(reverse("audit:entries"), query)
    assert response.status_code == 400
    assert response.context["form"].errors
    assert client.get(reverse("audit:export_csv"), query).status_code == 400


def test_exports_use_the_filters_and_are_recorded() -> None:
    event = EventFactory.create()
    kept = EntryFactory.create(event=event, target_label="Kept")
    EntryFactory.create(target_label="Other")
    admin = UserFactory.create(role="admin", username="auditor")
    client = signed_in(admin)
    response = client.get(reverse("audit:export_jsonl"), {"event": event.pk})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/jsonl")
    assert "attachment" in response["Content-Disposition"]
    lines = [json.loads(line) for line in content(response).splitlines()]
    assert [line["id"] for line in lines] == [kept.pk]
    response = client.get(reverse("audit:export_csv"), {"event": event.pk})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(content(response))))
    assert [row["target_label"] for row in rows] == ["Kept"]
    exports = Entry.objects.filter(action=Action.AUDIT_EXPORT).order_by("id")
    assert [entry.after["format"] for entry in exports] == ["jsonl", "csv"]
    assert all(entry.actor_id == admin.pk and entry.channel == "web" for entry in exports)
    assert exports[0].after["filters"] == {"event_id": event.pk}


def test_there_is_no_way_to_change_an_entry_from_the_page() -> None:
    entry = EntryFactory.create(target_label="kept")
    client = signed_in(UserFactory.create(role="admin"))
    assert client.post(reverse("audit:entries"), {"target_label": "changed"}).status_code == 405
    assert Entry.objects.get(pk=entry.pk).target_label == "kept"
