"""The wrong-flag rate limit holds across several server processes sharing one database."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.db import connection

from kakehashi.accounts import services as accounts
from kakehashi.ctf.models import Event, Submission
from kakehashi.ctf.tests.factories import ChallengeFactory, FlagFactory, ParticipantFactory

ROOT = Path(__file__).resolve().parent.parent
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def database_url() -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    user, password = settings.get("USER") or "", settings.get("PASSWORD") or ""
    credentials = f"{user}:{password}@" if password else f"{user}@" if user else ""
    return f"postgres://{credentials}{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{settings['NAME']}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def two_servers(tmp_path: Path) -> Iterator[list[str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KAKEHASHI_", "DJANGO_"))}
    env |= {"KAKEHASHI_DATA_DIR": str(tmp_path), "KAKEHASHI_DATABASE_URL": database_url()}
    processes, urls = [], []
    for _ in range(2):
        port = free_port()
        processes.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "kakehashi",
                    "serve",
                    "--port",
                    str(port),
                    "--workers",
                    "1",
                    "--log-level",
                    "warning",
                ],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        urls.append(f"http://127.0.0.1:{port}")
    try:
        for url, process in zip(urls, processes, strict=True):
            deadline = time.monotonic() + 30
            while True:
                try:
                    with urllib.request.urlopen(f"{url}/healthz", timeout=2):
                        break
                except OSError:
                    if time.monotonic() > deadline or process.poll() is not None:
                        pytest.fail("a server did not start")
                    time.sleep(0.2)
        yield urls
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)


def test_rate_limit_holds_across_two_processes(two_servers: list[str]) -> None:
    player = ParticipantFactory.create()
    Event.objects.filter(pk=player.event.pk).update(wrong_attempts_per_minute=5)
    challenge = ChallengeFactory.create(event=player.event)
    FlagFactory.create(challenge=challenge)
    _row, token = accounts.api_token_create(user=player.user)

    def attempt(index: int) -> str:
        url = f"{two_servers[index % 2]}/api/challenges/{challenge.pk}/attempts"
        body = json.dumps({"flag": f"flag{{wrong-{index}}}"}).encode()
        request = urllib.request.Request(
            url,
            data=body,
            method="POST",
            headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return str(json.loads(response.read())["result"])
        except urllib.error.HTTPError as error:
            body = error.read()
            try:
                return str(json.loads(body)["result"])
            except (ValueError, KeyError):
                return f"HTTP {error.code}: {body[:200]!r}"

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(attempt, range(24)))
    assert results.count("incorrect") == 5, results
    assert results.count("rate_limited") == 19, results
    assert Submission.objects.filter(result="incorrect").count() == 5
