"""Secrets never reach the logs: every record written during sign-in, token use, flag submissions,
a password reset and an invitation are captured as the configured handlers (Django's and the
server's access log) would write them, and none holds a password, token, flag or key."""

import io
import logging
import logging.config
import re
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse

from kakehashi.accounts import services as account_services
from kakehashi.accounts.models import User
from kakehashi.ctf.models import Event
from kakehashi.site.management.commands.serve import uvicorn_log_config
from tests.security.world import FLAG, PASSWORD, World, build_world

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

NEW_PASSWORD = "a-brand-new-password-2026"
INVITE_CODE = "event-invite-SECRET-42"
UVICORN_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access")


class Logs:
    def __init__(self) -> None:
        self.django = io.StringIO()
        self.access = io.StringIO()

    def request(self, method: str, path: str, status: int) -> None:
        """What uvicorn writes for a request: its access logger with the path and query string."""
        logging.getLogger("uvicorn.access").info(
            '%s - "%s %s HTTP/%s" %d', "127.0.0.1:50000", method, path, "1.1", status
        )

    def text(self) -> str:
        return self.django.getvalue() + self.access.getvalue()


@pytest.fixture
def logs() -> Iterator[Logs]:
    captured = Logs()
    root = logging.getLogger()
    console = [handler for handler in root.handlers if type(handler) is logging.StreamHandler]
    assert console, "the console handler of LOGGING is not installed"
    saved_streams = [handler.setStream(captured.django) for handler in console]
    saved_level = root.level
    root.setLevel(logging.DEBUG)
    saved_uvicorn = {name: logging.getLogger(name).__dict__.copy() for name in UVICORN_LOGGERS}
    logging.config.dictConfig(uvicorn_log_config())
    for handler in logging.getLogger("uvicorn.access").handlers:
        assert isinstance(handler, logging.StreamHandler)
        handler.setStream(captured.access)
    try:
        yield captured
    finally:
        root.setLevel(saved_level)
        for handler, stream in zip(console, saved_streams, strict=True):
            handler.setStream(stream)
        for name, state in saved_uvicorn.items():
            logging.getLogger(name).__dict__.update(state)


@pytest.fixture
def world() -> World:
    world = build_world(["plain text"], slug="logs")
    Event.objects.filter(pk=world.event.pk).update(registration="invite", invite_code=INVITE_CODE)
    return world


def call(client: Client, logs: Logs, method: str, path: str, **kwargs: object) -> int:
    response = getattr(client, method.lower())(path, **kwargs)
    logs.request(method, path, response.status_code)
    return int(response.status_code)


def test_no_secret_is_ever_logged(world: World, logs: Logs) -> None:
    player = world.players[0]
    challenge, team = world.challenges[0], world.teams[0]
    slug = world.event.slug

    browser = Client()
    assert (
        call(browser, logs, "POST", "/accounts/login/", data={"username": player.username, "password": "wrong!"}) == 200
    )
    assert (
        call(browser, logs, "POST", "/accounts/login/", data={"username": player.username, "password": PASSWORD}) == 302
    )
    session_id = browser.cookies[settings.SESSION_COOKIE_NAME].value
    submit = reverse("ctf:submit", args=[slug, challenge.pk])
    assert call(browser, logs, "POST", submit, data={"flag": "corpus{a_wrong_guess_SECRET}"}) == 302
    assert call(browser, logs, "POST", submit, data={"flag": FLAG}) == 302

    _row, token = account_services.api_token_create(user=player, name="logs", expires_days=1)
    api = Client(headers={"Authorization": f"Token {token}"})
    assert call(api, logs, "GET", "/api/accounts/me") == 200
    attempt = f"/api/challenges/{challenge.pk}/attempts"
    assert call(api, logs, "POST", attempt, data={"flag": FLAG}, content_type="application/json") == 200
    assert call(api, logs, "POST", attempt, data={"flag": "wrong{SECRET}"}, content_type="application/json") == 200
    assert call(Client(), logs, "GET", f"/api/accounts/me?token={token}") == 401
    assert (
        call(Client(), logs, "GET", "/api/accounts/me", headers={"Authorization": "Token kkh_unknownTOKEN123456"})
        == 401
    )

    assert call(Client(), logs, "POST", "/accounts/reset/", data={"email": player.email}) == 200
    link = re.search(r"https?://\S+/accounts/reset/(\S+?)/(\S+?)/", str(mail.outbox[-1].body))
    assert link is not None
    reset_path = f"/accounts/reset/{link.group(1)}/{link.group(2)}/"
    resetting = Client()
    assert call(resetting, logs, "GET", reset_path) == 200
    too_short = {"new_password1": "short", "new_password2": "short"}
    assert call(resetting, logs, "POST", reset_path, data=too_short) == 400  # Django logs "Bad Request: <path>"
    chosen = {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    assert call(resetting, logs, "POST", reset_path, data=chosen) == 302

    sign_up = {"username": "newcomer", "email": "new@example.org", "password1": PASSWORD, "password2": PASSWORD}
    assert call(Client(), logs, "POST", "/accounts/register/", data={**sign_up, "country": "GB"}) == 200
    confirm = re.search(r"https?://[^/\s]+(/accounts/register/confirm/(\S+?)/)", str(mail.outbox[-1].body))
    assert confirm is not None
    assert call(Client(), logs, "POST", confirm.group(1)) == 302
    assert call(Client(), logs, "POST", confirm.group(1)) == 400  # used up: Django logs "Bad Request: <path>"
    newcomer = User.objects.get(username="newcomer")
    joining = Client()
    joining.force_login(newcomer)
    register = reverse("ctf:register", args=[slug])
    assert call(joining, logs, "POST", register, data={"invite_code": "wrong-" + INVITE_CODE}) == 400
    assert call(joining, logs, "POST", register, data={"invite_code": INVITE_CODE}) == 302
    join = reverse("ctf:team_join", args=[slug])
    assert call(joining, logs, "POST", join, data={"invite_code": team.invite_code}) == 302

    written = logs.text()
    assert "Bad Request: /accounts/reset/" in written  # the records were captured at all
    assert reset_path.split("/")[-2] not in written
    assert "[redacted]" in written
    secrets = {
        "password": PASSWORD,
        "new password": NEW_PASSWORD,
        "token": token,
        "flag": FLAG,
        "wrong flag": "SECRET}",
        "reset token": link.group(2),
        "sign-up token": confirm.group(2),
        "secret key": settings.SECRET_KEY,
        "session id": session_id,
        "event invitation": INVITE_CODE,
        "team invitation": team.invite_code,
        "unknown token": "kkh_unknownTOKEN123456",
    }
    assert {name: secret for name, secret in secrets.items() if secret in written} == {}
