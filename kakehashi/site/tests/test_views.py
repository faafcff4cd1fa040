import pytest
from django.test import Client

from kakehashi.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("mode", ["en", "ja", "both"])
def test_display_switch_sets_cookie(client: Client, mode: str) -> None:
    response = client.post("/display/", {"mode": mode, "next": "/organisations/"})
    assert response.status_code == 302
    assert response["Location"] == "/organisations/"
    assert response.cookies["kakehashi_language"].value == mode
    page = client.get("/")
    assert page.context["display"].mode == mode


def test_display_switch_saves_the_preference_of_a_signed_in_user(client: Client) -> None:
    user = UserFactory.create(preferred_language="en")
    client.force_login(user)
    client.post("/display/", {"mode": "ja"})
    user.refresh_from_db()
    assert user.preferred_language == "ja"
    # The preference wins over the browser's Accept-Language.
    page = client.get("/", headers={"Accept-Language": "en"})
    assert page.context["display"].language == "ja"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "javascript:alert(1)"])
def test_display_switch_never_redirects_elsewhere(client: Client, target: str) -> None:
    response = client.post("/display/", {"mode": "ja", "next": target})
    assert response["Location"] == "/"


def test_display_switch_rejects_unknown_modes(client: Client) -> None:
    response = client.post("/display/", {"mode": "fr"}, headers={"Accept-Language": "ja"})
    assert response.status_code == 400
    assert "kakehashi_language" not in response.cookies


def test_display_switch_requires_csrf() -> None:
    client = Client(enforce_csrf_checks=True)
    assert client.post("/display/", {"mode": "ja"}).status_code == 403


def test_side_by_side_shows_both_languages(client: Client) -> None:
    client.cookies["kakehashi_language"] = "both"
    html = client.get("/", headers={"Accept-Language": "ja"}).content.decode()
    assert "ホーム" in html
    assert "Home" in html
    assert 'data-display="both"' in html


def test_times_are_shown_in_london_and_tokyo(client: Client) -> None:
    client.cookies["kakehashi_tz"] = "America%2FNew_York"
    html = client.get("/").content.decode()
    assert 'data-zone="America/New_York"' in html
    assert 'data-zone="Europe/London"' in html
    assert 'data-zone="Asia/Tokyo"' in html
    assert "JST" in html


def test_healthz(client: Client) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
