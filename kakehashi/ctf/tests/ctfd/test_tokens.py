"""POST /api/v1/tokens: for oneself, and — a Kakehashi extension — by an admin for a named user."""

import pytest
from django.test import Client

from kakehashi.accounts import selectors, services
from kakehashi.accounts.models import ApiToken, User
from kakehashi.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def token_for(user: User) -> dict[str, str]:
    _row, raw = services.api_token_create(user=user)
    return {"Authorization": f"Token {raw}"}


def test_a_token_for_oneself(client: Client) -> None:
    user = UserFactory.create()
    response = client.post(
        "/api/v1/tokens", {"description": "laptop"}, content_type="application/json", headers=token_for(user)
    )
    assert response.status_code == 200, response.content
    data = response.json()["data"]
    assert data["user_id"] == user.pk
    assert selectors.token_check(data["value"]).user == user


def test_an_admin_creates_a_token_for_another_user(client: Client) -> None:
    admin, bot = UserFactory.create(role="admin"), UserFactory.create(username="ci-bot")
    response = client.post(
        "/api/v1/tokens", {"user_id": bot.pk}, content_type="application/json", headers=token_for(admin)
    )
    assert response.status_code == 200, response.content
    data = response.json()["data"]
    assert data["user_id"] == bot.pk
    assert selectors.token_check(data["value"]).user == bot


def test_others_may_not_create_tokens_for_someone_else(client: Client) -> None:
    user, victim = UserFactory.create(), UserFactory.create()
    headers = token_for(user)
    response = client.post("/api/v1/tokens", {"user_id": victim.pk}, content_type="application/json", headers=headers)
    assert response.status_code == 403
    assert response.json()["success"] is False
    assert not ApiToken.objects.filter(user=victim).exists()


def test_unknown_user(client: Client) -> None:
    admin = UserFactory.create(role="admin")
    response = client.post(
        "/api/v1/tokens", {"user_id": 99999}, content_type="application/json", headers=token_for(admin)
    )
    assert response.status_code == 400
    assert response.json()["success"] is False
