"""Brute force from many threads through two server processes sharing one database.

(a) Password guessing against one account, through the sign-in page and the API of both servers,
    each guess from a different client address: at most ``AXES_FAILURE_LIMIT`` guesses get a real
    password check, every other is refused with the translated lockout answer (429,
    ``Retry-After``), and while the lock holds the right password is refused too.
(b) Wrong flags from one account through both servers: exactly the event's limit is judged, the
    rest is answered 429 with ``Retry-After``.
"""

import re
import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from kakehashi.accounts import services as accounts
from kakehashi.accounts.models import User
from kakehashi.accounts.tests.factories import UserFactory
from kakehashi.ctf.models import Event, Submission
from kakehashi.ctf.tests.factories import ChallengeFactory, FlagFactory, ParticipantFactory
from tests.faults.support import Answer, Server, call, server_env, servers, shared_database_url, token_headers

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

RIGHT_PASSWORD = "a-long-and-right-passphrase"
LOCKOUT_CODE = "login_throttled"


@pytest.fixture
def two_servers(tmp_path: Path) -> Iterator[list[Server]]:
    with servers(server_env(tmp_path, shared_database_url()), tmp_path) as started:
        yield started


def _cookie(answer: Answer, name: str) -> str:
    found = re.search(rf"{name}=([^;]+)", answer.headers.get("set-cookie", ""))
    assert found, answer.headers
    return found.group(1)


class Browser:
    """One client's CSRF cookie and token for a server (page form and API)."""

    def __init__(self, server: Server) -> None:
        self.server = server
        page = call("GET", f"{server.url}/accounts/login/")
        assert page.status == 200, page
        self.cookie = _cookie(page, settings.CSRF_COOKIE_NAME)
        found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
        assert found
        self.form_token = found.group(1).decode()

    def headers(self, address: str, **extra: str) -> dict[str, str]:
        return {
            "Cookie": f"{settings.CSRF_COOKIE_NAME}={self.cookie}",
            "X-Forwarded-For": address,  # trusted from 127.0.0.1 (the proxy): a different client each time
            "Accept-Language": "ja",
            **extra,
        }

    def page_login(self, username: str, password: str, address: str) -> Answer:
        form = urlencode({"csrfmiddlewaretoken": self.form_token, "username": username, "password": password})
        return call(
            "POST",
            f"{self.server.url}/accounts/login/",
            raw=form.encode(),
            headers=self.headers(address, **{"Content-Type": "application/x-www-form-urlencoded"}),
        )

    def api_login(self, username: str, password: str, address: str) -> Answer:
        return call(
            "POST",
            f"{self.server.url}/api/accounts/login",
            body={"username": username, "password": password},
            headers=self.headers(address, **{"X-CSRFToken": self.cookie}),
        )


def classify(answer: Answer) -> str:
    """``checked`` (the password was tried and found wrong), ``locked``, ``signed_in`` or what else came."""
    if answer.status == 429:
        assert answer.headers.get("retry-after", "").isdigit(), answer.headers
        if answer.is_json:
            assert answer.json()["code"] == LOCKOUT_CODE
        return "locked"
    if answer.status == 401 and answer.is_json and answer.json()["code"] == "invalid_credentials":
        return "checked"
    if answer.status == 200 and answer.is_json and "username" in answer.json():
        return "signed_in"
    if answer.status == 200 and b'name="password"' in answer.body:  # the form again, with its error
        return "checked"
    if answer.status == 302:
        return "signed_in"
    return f"unexpected {answer.status}: {answer.body[:300]!r}"


def test_password_guessing_is_locked_out_across_servers_and_addresses(two_servers: list[Server]) -> None:
    # The servers hash with their own settings; scrypt is among them and quick enough here.
    hasher = "django.contrib.auth.hashers.ScryptPasswordHasher"
    user = UserFactory.create(username="target")
    User.objects.filter(pk=user.pk).update(password=_hash(RIGHT_PASSWORD, hasher))
    limit = settings.AXES_FAILURE_LIMIT
    browsers = [Browser(server) for server in two_servers]
    # The right password works before the attack (and proves the check is real).
    assert classify(browsers[0].api_login("target", RIGHT_PASSWORD, "198.51.100.1")) == "signed_in"

    guesses = 40
    counter = iter(range(guesses))
    lock = threading.Lock()

    def guess(_index: int) -> str:
        with lock:
            number = next(counter)
        browser = browsers[number % 2]
        address = f"203.0.113.{number + 1}"
        wrong = f"wrong-guess-{number}"
        name = ("target", "Target", "TARGET")[number % 3]  # sign-in ignores case; so must the count
        if number % 4 < 2:
            return classify(browser.api_login(name, wrong, address))
        return classify(browser.page_login(name, wrong, address))

    with ThreadPoolExecutor(max_workers=10) as pool:
        results = Counter(pool.map(guess, range(guesses)))
    assert set(results) <= {"checked", "locked"}, results
    # axes records a failure only for a guess whose password was checked (not for one refused
    # while locked): exactly the limit were checked. The guess reaching the limit is answered
    # with the lockout already.
    checked = sum(AccessAttempt.objects.values_list("failures_since_start", flat=True))
    assert checked == limit, (checked, results)
    assert set(AccessAttempt.objects.values_list("username", flat=True)) == {"target"}
    assert results == {"checked": limit - 1, "locked": guesses - limit + 1}, results

    # Locked: the right password is refused too, through either server and either way in, from a new address.
    after = [
        browsers[0].api_login("target", RIGHT_PASSWORD, "192.0.2.200"),
        browsers[1].api_login("target", RIGHT_PASSWORD, "192.0.2.201"),
        browsers[0].page_login("target", RIGHT_PASSWORD, "192.0.2.202"),
        browsers[1].page_login("target", RIGHT_PASSWORD, "192.0.2.203"),
    ]
    assert [classify(answer) for answer in after] == ["locked"] * 4
    with translation.override("ja"):
        expected = gettext("Too many failed sign-in attempts. Please wait %(minutes)d minutes and try again.") % {
            "minutes": max(1, int(settings.AXES_COOLOFF_TIME.total_seconds()) // 60)
        }
    assert after[0].json()["message"] == expected
    assert expected in after[2].body.decode()
    print(f"\npassword guessing: {guesses} guesses, {checked} checked, {dict(results)}")


def _hash(password: str, hasher: str) -> str:
    from django.contrib.auth.hashers import make_password
    from django.test import override_settings

    with override_settings(PASSWORD_HASHERS=[hasher]):
        return make_password(password)


def test_wrong_flag_limit_holds_across_servers(two_servers: list[Server]) -> None:
    player = ParticipantFactory.create()
    limit = 5
    Event.objects.filter(pk=player.event.pk).update(wrong_attempts_per_minute=limit)
    challenges = [ChallengeFactory.create(event=player.event) for _ in range(3)]
    for challenge in challenges:
        FlagFactory.create(challenge=challenge)
    _row, token = accounts.api_token_create(user=player.user)
    attempts = 48

    def attempt(index: int) -> tuple[str, Any]:
        challenge = challenges[index % len(challenges)]
        answer = call(
            "POST",
            f"{two_servers[index % 2].url}/api/challenges/{challenge.pk}/attempts",
            body={"flag": f"flag{{wrong-{index}}}"},
            headers=token_headers(token),
        )
        assert answer.is_json, answer
        result = str(answer.json()["result"])
        if result == "rate_limited":
            assert answer.status == 429
            assert int(answer.headers["retry-after"]) >= 1
        else:
            assert answer.status == 200
        return result, answer.headers.get("retry-after")

    with ThreadPoolExecutor(max_workers=12) as pool:
        results = Counter(result for result, _retry in pool.map(attempt, range(attempts)))
    assert results == {"incorrect": limit, "rate_limited": attempts - limit}, results
    assert Submission.objects.filter(result="incorrect").count() == limit
    assert Submission.objects.filter(result="rate_limited").count() == attempts - limit
    print(f"\nwrong flags: {attempts} sent, {dict(results)}")
