"""The one-machine topology of deploy/topology.py: PostgreSQL, Redis, two app processes, nginx.

Started once for the module by the script itself, on free ports, and stopped by it afterwards
even when a test fails. Checked through nginx (and, to aim at one process, on the app ports):
both processes serve, a solve made through one process shows on the other's scoreboard (standings
shared through Redis), an announcement posted through one process reaches a live stream held
through nginx and one held by the other process (Redis fan-out), and an app process stopped with
SIGTERM finishes the request it is in the middle of while nginx goes on serving from the other.

Needs nginx, redis-server and PostgreSQL's server binaries: skipped without them, except under CI
(``CI`` set), where their absence fails. Runs in the SQLite pass only: it brings its own database.
"""

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from deploy import topology

ROOT = Path(__file__).resolve().parent.parent
pytestmark = [pytest.mark.slow]
POOL_SIZE = 3  # database connections per app process: fewer than the streams the tests hold open

SETUP = """
import json
from kakehashi.accounts import services as accounts
from kakehashi.accounts.tests.factories import UserFactory
from kakehashi.ctf.models import EventStaff
from kakehashi.ctf.tests.factories import ChallengeFactory, FlagFactory, ParticipantFactory
player = ParticipantFactory.create()
event = player.event
solved = ChallengeFactory.create(event=event, value=100)
FlagFactory.create(challenge=solved, content="flag{topology}")
other = ChallengeFactory.create(event=event, value=200)
FlagFactory.create(challenge=other, content="flag{other}")
organiser = UserFactory.create()
EventStaff.objects.create(event=event, user=organiser, role="organiser")
print(json.dumps({
    "slug": event.slug, "languages": list(event.languages), "team_id": player.team_id,
    "challenge": solved.pk, "other_challenge": other.pk,
    "player_token": accounts.api_token_create(user=player.user)[1],
    "organiser_token": accounts.api_token_create(user=organiser)[1],
}))
"""


def script(*args: str, timeout: float) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KAKEHASHI_", "DJANGO_"))}
    return subprocess.run(
        [sys.executable, "-m", "deploy.topology", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    if os.environ.get("KAKEHASHI_TEST_DATABASE_URL"):
        pytest.skip("runs once, in the SQLite pass: the topology brings its own PostgreSQL")
    missing = topology.missing_tools("multi", own_postgres=True, own_redis=True)
    if missing:
        message = f"the topology needs {', '.join(missing)} (apt-get install nginx redis-server postgresql)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    state = tmp_path_factory.mktemp("topology")
    try:
        started = script(
            "start", "--state", str(state), "--pg-fast", "--graceful-timeout", "20", "--app-log-level", "warning",
            "--env", f"KAKEHASHI_DB_POOL_SIZE={POOL_SIZE}",
            timeout=150,
        )  # fmt: skip
        assert started.returncode == 0, started.stderr
        description = json.loads(started.stdout)
        configured = script("manage", "--state", str(state), "--", "shell", "-v", "0", "-c", SETUP, timeout=60)
        assert configured.returncode == 0, configured.stderr
        setup = json.loads(configured.stdout.strip().splitlines()[-1])
        yield {**description, "setup": setup, "state": state}
    finally:
        stopped = script("stop", "--state", str(state), timeout=150)
        assert stopped.returncode == 0, stopped.stderr
        assert not topology.running_parts(json.loads((state / "topology.json").read_text()))


def get_json(url: str, token: str | None = None) -> Any:
    headers = {"Authorization": f"Token {token}"} if token else {}
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as response:
        return json.loads(response.read())


def post_json(url: str, body: dict[str, Any], token: str) -> tuple[int, Any]:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def upstreams(access_log: str, path: str, *, at_least: int) -> list[str]:
    """The app addresses nginx sent ``path`` to, from its access log (written out once a second)."""
    deadline = time.monotonic() + 5
    while True:
        lines = [line for line in Path(access_log).read_text().splitlines() if f" {path} " in line]
        if len(lines) >= at_least or time.monotonic() > deadline:
            # "$upstream_addr" lists every process tried, the one that answered last.
            return [line.split("upstream=", 1)[1].split(" ut=", 1)[0].split(", ")[-1] for line in lines]
        time.sleep(0.2)


def test_nginx_answers_and_spreads_requests_over_both_processes(running: dict[str, Any]) -> None:
    nginx, apps = running["nginx"], running["apps"]
    assert len(apps) == 2
    assert get_json(f"{nginx['url']}/healthz") == {"status": "ok"}
    path = f"/api/events/{running['setup']['slug']}/scoreboard"
    for _ in range(12):
        assert "entries" in get_json(f"{nginx['url']}{path}")
    used = upstreams(nginx["access_log"], path, at_least=12)
    assert {f"127.0.0.1:{app['port']}" for app in apps} <= set(used), used

    status = script("status", "--state", str(running["state"]), timeout=30)
    assert status.returncode == 0, status.stdout
    assert json.loads(status.stdout)["running"] is True


def test_static_files_come_from_nginx(running: dict[str, Any]) -> None:
    request = urllib.request.Request(f"{running['url']}/static/core/kakehashi.css", headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
        assert response.headers["Cache-Control"] == "max-age=86400"  # nginx's, not the app's
        assert response.headers["Content-Encoding"] == "gzip"  # collectstatic's compressed copy


def test_a_solve_through_one_process_shows_on_the_others_scoreboard(running: dict[str, Any]) -> None:
    setup, (first, second) = running["setup"], running["apps"]
    status, answer = post_json(
        f"{first['url']}/api/challenges/{setup['challenge']}/attempts",
        {"flag": "flag{topology}"},
        setup["player_token"],
    )
    assert (status, answer["result"]) == (200, "correct"), answer

    def score(base: str) -> int:
        board = get_json(f"{base}/api/events/{setup['slug']}/scoreboard")
        return next((entry["score"] for entry in board["entries"] if entry["team_id"] == setup["team_id"]), 0)

    deadline = time.monotonic() + 15
    while score(second["url"]) < 100:
        assert time.monotonic() < deadline, "the other process never showed the solve"
        time.sleep(0.2)
    assert score(running["url"]) >= 100


class Stream(threading.Thread):
    """One Server-Sent-Events connection, read line by line until an announcement arrives."""

    def __init__(self, port: int, path: str) -> None:
        super().__init__(daemon=True)
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
        self.connection.request("GET", path, headers={"Accept": "text/event-stream"})
        self.response = self.connection.getresponse()
        self.lines: list[str] = []
        self.opened = threading.Event()
        self.announced = threading.Event()

    def run(self) -> None:
        try:
            while not self.announced.is_set():
                line = self.response.readline().decode()
                if not line:
                    return
                self.lines.append(line.rstrip("\n"))
                if line.startswith("retry:"):
                    self.opened.set()
                if line.startswith("event: announcement"):
                    self.announced.set()
        except (OSError, ValueError, AttributeError):  # closed under the reader by close()
            return

    def close(self) -> None:
        self.connection.close()


def test_an_announcement_through_one_process_reaches_streams_on_every_process(running: dict[str, Any]) -> None:
    setup, (first, second) = running["setup"], running["apps"]
    path = f"/events/{setup['slug']}/stream"
    # More open streams on each process than it has database connections: a stream must not keep one.
    streams = [Stream(running["nginx"]["port"], path), Stream(first["port"], path)]
    streams += [Stream(app["port"], path) for app in (first, second) for _ in range(POOL_SIZE + 1)]
    try:
        for stream in streams:
            assert stream.response.status == 200
            assert stream.response.headers["Content-Type"].startswith("text/event-stream")
            stream.start()
        for stream in streams:
            assert stream.opened.wait(10), stream.lines
        for app in (first, second):
            started = time.monotonic()
            assert "entries" in get_json(f"{app['url']}/api/events/{setup['slug']}/scoreboard")
            assert time.monotonic() - started < 5, "a request waited for a database connection held by a stream"
        time.sleep(1.5)  # each process's Redis subscription starts with its first stream
        texts = {code: {"title": f"Title {code}", "body": f"Body {code}"} for code in setup["languages"]}
        status, answer = post_json(
            f"{second['url']}/api/events/{setup['slug']}/announcements",
            {"translations": texts},
            setup["organiser_token"],
        )
        assert status == 201, answer
        for stream in streams:
            assert stream.announced.wait(10), stream.lines
    finally:
        for stream in streams:
            stream.close()


def test_sigterm_drains_the_request_in_flight_and_nginx_serves_from_the_other(running: dict[str, Any]) -> None:
    setup, (first, second) = running["setup"], running["apps"]
    body = json.dumps({"flag": "flag{not-this-one}"}).encode()
    # A request whose body is still arriving when the process is told to stop.
    client = socket.create_connection(("127.0.0.1", second["port"]), timeout=20)
    head = (
        f"POST /api/challenges/{setup['other_challenge']}/attempts HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: Token {setup['player_token']}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    client.sendall(head.encode() + body[:5])
    time.sleep(0.5)
    os.kill(second["pid"], signal.SIGTERM)

    refused_deadline = time.monotonic() + 5
    while True:  # it stops taking new connections at once...
        try:
            socket.create_connection(("127.0.0.1", second["port"]), timeout=1).close()
        except ConnectionRefusedError:
            break
        assert time.monotonic() < refused_deadline, "the stopping process still accepts connections"
        time.sleep(0.1)
    assert topology.alive(second["pid"]), "the process did not wait for its request in flight"
    path = f"/api/events/{setup['slug']}/scoreboard"
    for _ in range(10):  # ...and nginx serves everything from the other one meanwhile
        assert "entries" in get_json(f"{running['url']}{path}?during=drain")

    client.sendall(body[5:])  # ...while the request in flight is finished and answered
    answer = b""
    while chunk := client.recv(65536):
        answer += chunk
    client.close()
    assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
    assert json.loads(answer.split(b"\r\n\r\n", 1)[1])["result"] == "incorrect"

    deadline = time.monotonic() + 25
    while topology.alive(second["pid"]):
        assert time.monotonic() < deadline, "the process did not exit after draining"
        time.sleep(0.1)
    for _ in range(6):
        assert "entries" in get_json(f"{running['url']}{path}?after=drain")
    during = upstreams(running["nginx"]["access_log"], f"{path}?during=drain", at_least=10)
    after = upstreams(running["nginx"]["access_log"], f"{path}?after=drain", at_least=6)
    assert set(during) | set(after) == {f"127.0.0.1:{first['port']}"}, (during, after)
