"""Two server processes sharing the database and Redis serve the same standings.

Solves arrive through both processes at once; each process refreshes the standings from its own
memory of the event (the refreshes are serialised by a lock in Redis), and both must end up serving
exactly what a full computation from the database gives, with the same version and ETag.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from kakehashi.accounts import services as accounts
from kakehashi.ctf.models import Event, Solve
from kakehashi.ctf.services import standings
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


def wait_for(url: str, process: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                pytest.fail(f"{what} did not start")
            time.sleep(0.2)


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    server = shutil.which("redis-server")
    if server is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is not installed (.ci/run installs it)")
        pytest.skip("redis-server is not installed")
    port = free_port()
    process = subprocess.Popen(
        [
            server,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    pytest.fail("redis-server did not start")
                time.sleep(0.1)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def two_servers(tmp_path: Path, redis_url: str) -> Iterator[list[str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KAKEHASHI_", "DJANGO_"))}
    env |= {
        "KAKEHASHI_DATA_DIR": str(tmp_path),
        "KAKEHASHI_DATABASE_URL": database_url(),
        "KAKEHASHI_REDIS_URL": redis_url,
    }
    processes, urls = [], []
    for _ in range(2):
        port = free_port()
        command = [sys.executable, "-m", "kakehashi", "serve", "--port", str(port), "--workers", "1"]
        processes.append(
            subprocess.Popen(
                [*command, "--log-level", "warning"],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        urls.append(f"http://127.0.0.1:{port}")
    try:
        for url, process in zip(urls, processes, strict=True):
            wait_for(f"{url}/healthz", process, "a server")
        yield urls
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], Any]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, None


def test_two_processes_serve_the_same_standings_as_a_full_computation(two_servers: list[str]) -> None:
    first = ParticipantFactory.create()
    event = first.event
    challenges = [
        ChallengeFactory.create(event=event, function="linear", value=500, minimum=100, decay=25) for _ in range(4)
    ]
    flags = [
        FlagFactory.create(challenge=challenge, content=f"flag{{shared-{index}}}")
        for index, challenge in enumerate(challenges)
    ]
    players = [first, *(ParticipantFactory.create(event=event) for _ in range(9))]
    tokens = [accounts.api_token_create(user=player.user)[1] for player in players]
    scoreboard = f"/api/events/{event.slug}/scoreboard"
    assert all(get(url + scoreboard)[0] == 200 for url in two_servers)  # both hold the (empty) event in memory

    def solve(job: int) -> int:
        player, challenge = divmod(job, len(challenges))
        request = urllib.request.Request(
            f"{two_servers[job % 2]}/api/challenges/{challenges[challenge].pk}/attempts",
            data=json.dumps({"flag": flags[challenge].content}).encode(),
            method="POST",
            headers={"Authorization": f"Token {tokens[player]}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return int(response.status)

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert set(pool.map(solve, range(len(players) * len(challenges)))) == {200}
    assert Solve.objects.filter(challenge__event=event).count() == 40

    standings.forget()
    expected = standings.compute(Event.objects.get(pk=event.pk), view="live")
    want = [(e.team_id, e.score, e.solves, e.position) for e in expected.entries]
    deadline = time.monotonic() + 5  # a solve is public within a second; allow for a loaded machine
    while True:
        answers = [get(url + scoreboard) for url in two_servers]
        boards = [
            [(e["team_id"], e["score"], e["solves"], e["position"]) for e in body["entries"]] for _, _, body in answers
        ]
        if all(board == want for board in boards) or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert boards[0] == want
    assert boards[1] == want
    assert answers[0][2]["solve_counts"] == {str(c.pk): 10 for c in challenges}
    assert answers[0][2]["version"] == answers[1][2]["version"]
    etag = answers[0][1]["etag"]
    assert answers[1][1]["etag"] == etag  # one prepared version, whichever process answers
    assert get(two_servers[1] + scoreboard, {"If-None-Match": etag})[0] == 304
