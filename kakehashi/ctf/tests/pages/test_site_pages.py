import pytest
from django.test import Client

from kakehashi.accounts.tests.factories import UserFactory
from kakehashi.ctf.models import EventStaff
from kakehashi.ctf.services.pages import page_create
from kakehashi.ctf.tests.factories import EventFactory

pytestmark = pytest.mark.django_db


def test_a_page_in_both_languages(client: Client) -> None:
    event = EventFactory.create()
    page_create(
        event=event,
        route="rules",
        translations={
            "en": {"title": "Rules", "content": "Be **fair**."},
            "ja": {"title": "ルール", "content": "公正に。"},
        },
    )
    html = client.get(f"/events/{event.slug}/pages/rules/", headers={"Accept-Language": "ja"}).content.decode()
    assert "ルール" in html
    assert "公正に。" in html
    client.cookies["kakehashi_language"] = "both"
    both = client.get(f"/events/{event.slug}/pages/rules/").content.decode()
    assert "<strong>fair</strong>" in both
    assert "公正に。" in both


def test_html_pages_are_sanitised(client: Client) -> None:
    event = EventFactory.create()
    page_create(
        event=event,
        route="sponsors",
        format="html",
        translations={"en": {"title": "Sponsors", "content": '<p onclick="x()">Thanks</p><script>alert(1)</script>'}},
    )
    html = client.get(f"/events/{event.slug}/pages/sponsors/").content.decode()
    assert "<p>Thanks</p>" in html
    assert "alert(1)" not in html
    assert "onclick" not in html


def test_hidden_and_private_pages(client: Client) -> None:
    event = EventFactory.create()
    page_create(event=event, route="draft", hidden=True, translations={"en": {"title": "Draft", "content": "x"}})
    page_create(event=event, route="members", auth_required=True, translations={"en": {"title": "M", "content": "x"}})
    assert client.get(f"/events/{event.slug}/pages/draft/").status_code == 404
    assert client.get(f"/events/{event.slug}/pages/nope/").status_code == 404
    assert client.get(f"/events/{event.slug}/pages/members/").status_code == 302
    organiser = UserFactory.create()
    EventStaff.objects.create(event=event, user=organiser, role="organiser")
    client.force_login(organiser)
    assert client.get(f"/events/{event.slug}/pages/draft/").status_code == 200
    assert client.get(f"/events/{event.slug}/pages/members/").status_code == 200
