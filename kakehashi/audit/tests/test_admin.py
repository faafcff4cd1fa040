import pytest
from django.test import Client
from django.urls import reverse

from kakehashi.accounts.models import User
from kakehashi.audit.models import Entry
from kakehashi.audit.tests.factories import EntryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(admin_user: User) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


def test_entries_are_listed_and_viewed(client: Client) -> None:
    entry = EntryFactory.create(target_label="Listed here")
    assert b"Listed here" in client.get(reverse("admin:audit_entry_changelist")).content
    assert client.get(reverse("admin:audit_entry_change", args=[entry.pk])).status_code == 200


def test_nothing_can_be_added_changed_or_deleted(client: Client) -> None:
    entry = EntryFactory.create(target_label="kept")
    assert client.get(reverse("admin:audit_entry_add")).status_code == 403
    response = client.post(reverse("admin:audit_entry_change", args=[entry.pk]), {"target_label": "changed"})
    assert response.status_code == 403
    assert client.post(reverse("admin:audit_entry_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
    assert Entry.objects.get(pk=entry.pk).target_label == "kept"
