"""Sign-in throttling: one count per account, whatever the letter case or the client address."""

import pytest
from axes.models import AccessAttempt
from django.test import Client

from kakehashi.accounts.services.signin import throttle_key
from kakehashi.accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_the_throttle_key_ignores_case_and_width() -> None:
    assert throttle_key(None, {"username": "Alice"}) == "alice"
    assert throttle_key(None, {"username": "ＡＬＩＣＥ"}) == "alice"  # full-width letters, NFKC
    assert throttle_key(None, {"username": ""}) is None
    assert throttle_key(None, {}) is None


def test_case_and_address_variants_share_one_lockout() -> None:
    UserFactory.create(username="alice")
    client = Client()
    for number, name in enumerate(["alice", "Alice", "ALICE", "aLiCe", "alicE"]):
        client.post("/accounts/login/", {"username": name, "password": "wrong"}, REMOTE_ADDR=f"203.0.113.{number}")
    assert list(AccessAttempt.objects.values_list("username", flat=True).distinct()) == ["alice"]
    response = client.post("/accounts/login/", {"username": "alice", "password": PASSWORD}, REMOTE_ADDR="192.0.2.9")
    assert response.status_code == 429
    api = Client().post(
        "/api/accounts/login",
        {"username": "ALICE", "password": PASSWORD},
        content_type="application/json",
        REMOTE_ADDR="192.0.2.10",
    )
    assert api.status_code == 429
    assert api.json()["code"] == "login_throttled"


def test_guesses_while_locked_out_do_not_count_or_extend_the_lock() -> None:
    UserFactory.create(username="alice")
    client = Client()
    for _ in range(8):
        client.post("/accounts/login/", {"username": "alice", "password": "wrong"})
    assert sum(AccessAttempt.objects.values_list("failures_since_start", flat=True)) == 5
