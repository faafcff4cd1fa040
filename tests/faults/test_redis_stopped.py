"""Redis stopped under load: no request fails; when Redis returns, shared behaviour resumes.

Two servers share the test database and a private Redis (cache and live fan-out). With Redis up, a
solve through server A reaches a live (SSE) client of server B and B's scoreboard. Redis is then
killed while clients read scoreboards and challenge lists and submit flags through both servers:
every answer must be a success. Redis is started again on the same port: a solve through A must
again reach B's live client, and B's scoreboard must again agree with the database.
"""

import itertools
import json
import queue
import threading
import time
import urllib.request
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kakehashi.ctf.models import Solve
from tests.faults.support import (
    PrivateRedis,
    Seeded,
    SeededChallenge,
    SeededTeam,
    Server,
    call,
    seed,
    server_env,
    servers,
    shared_database_url,
    token_headers,
)

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

OUTAGE_LOAD_SECONDS = 4.0


@pytest.fixture
def redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    server = PrivateRedis(tmp_path / "redis")
    server.start()
    try:
        yield server
    finally:
        server.stop()


class LiveClient:
    """Reads a server's event stream in a thread and queues the solves it announces."""

    def __init__(self, server: Server, slug: str) -> None:
        self.solves: queue.Queue[dict[str, Any]] = queue.Queue()
        self.closed = threading.Event()
        self._response = urllib.request.urlopen(f"{server.url}/events/{slug}/stream", timeout=60)
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        kind = ""
        try:
            for raw in self._response:
                line = raw.decode().rstrip("\n")
                if line.startswith("event: "):
                    kind = line[len("event: ") :]
                elif line.startswith("data: ") and kind == "solve":
                    self.solves.put(json.loads(line[len("data: ") :]))
        except Exception:  # noqa: S110  (closed by the test, or the server went away: closed is set)
            pass
        finally:
            self.closed.set()

    def wait_for(self, team_id: int, challenge_id: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                message = self.solves.get(timeout=left)
            except queue.Empty:
                return False
            if message["team_id"] == team_id and message["challenge_id"] == challenge_id:
                return True
        return False

    def close(self) -> None:
        self._response.close()


def solve(server: Server, team: SeededTeam, challenge: SeededChallenge) -> str:
    answer = call(
        "POST",
        f"{server.url}/api/challenges/{challenge.challenge_id}/attempts",
        body={"flag": challenge.flag},
        headers=token_headers(team.token),
    )
    assert answer.status == 200, answer
    return str(answer.json()["result"])


def scores_seen_by(server: Server, seeded: Seeded) -> dict[int, int]:
    answer = call(
        "GET", f"{server.url}/api/events/{seeded.slug}/scoreboard", headers=token_headers(seeded.teams[0].token)
    )
    assert answer.status == 200, answer
    return {entry["team_id"]: entry["score"] for entry in answer.json()["entries"]}


def scores_in_database(seeded: Seeded) -> dict[int, int]:
    values = {c.challenge_id: c.value for c in seeded.challenges}
    scores: dict[int, int] = defaultdict(int)
    for team_id, challenge_id in Solve.objects.values_list("team_id", "challenge_id"):
        scores[team_id] += values[challenge_id]
    return dict(scores)


def wait_until_scores_agree(server: Server, seeded: Seeded, timeout: float) -> float:
    started = time.monotonic()
    expected = scores_in_database(seeded)
    while scores_seen_by(server, seeded) != expected:
        assert time.monotonic() - started < timeout, (scores_seen_by(server, seeded), expected)
        time.sleep(0.2)
    return time.monotonic() - started


def test_redis_stopped_and_back(redis: PrivateRedis, tmp_path: Path) -> None:
    seeded = seed(teams=6, challenges=5)
    # The last challenge is kept unsolved through the outage, for the check after Redis returns.
    teams, challenges, kept = seeded.teams, seeded.challenges[:-1], seeded.challenges[-1]
    env = server_env(tmp_path, shared_database_url(), KAKEHASHI_REDIS_URL=redis.url)
    with servers(env, tmp_path) as (first, second):
        live = LiveClient(second, seeded.slug)
        try:
            time.sleep(0.5)  # the stream has subscribed
            # Redis up: a solve through A reaches B's live client and B's scoreboard.
            assert solve(first, teams[0], challenges[0]) == "correct"
            assert live.wait_for(teams[0].team_id, challenges[0].challenge_id, timeout=10)
            wait_until_scores_agree(second, seeded, timeout=10)

            # Redis stopped under load: nothing fails.
            redis.stop()
            answers: list[tuple[str, int, str]] = []
            guard = threading.Lock()
            stop = threading.Event()
            numbers = itertools.count()

            def client(worker: int) -> None:
                while not stop.is_set():
                    number = next(numbers)
                    server = (first, second)[number % 2]
                    team = teams[1 + number % (len(teams) - 1)]
                    challenge = challenges[number % len(challenges)]
                    headers = token_headers(team.token)
                    kind = ("scoreboard", "challenges", "submit")[worker % 3]
                    if kind == "scoreboard":
                        answer = call("GET", f"{server.url}/api/events/{seeded.slug}/scoreboard", headers=headers)
                    elif kind == "challenges":
                        answer = call("GET", f"{server.url}/api/events/{seeded.slug}/challenges", headers=headers)
                    else:
                        flag = challenge.flag if number % 3 == 0 else f"flag{{wrong-{number}}}"
                        answer = call(
                            "POST",
                            f"{server.url}/api/challenges/{challenge.challenge_id}/attempts",
                            body={"flag": flag},
                            headers=headers,
                        )
                    with guard:
                        answers.append((kind, answer.status, answer.body[:200].decode(errors="replace")))
                    time.sleep(0.02)

            threads = [threading.Thread(target=client, args=(worker,)) for worker in range(6)]
            for thread in threads:
                thread.start()
            time.sleep(OUTAGE_LOAD_SECONDS)
            stop.set()
            for thread in threads:
                thread.join(timeout=60)
            statuses = Counter((kind, status) for kind, status, _body in answers)
            errors = [answer for answer in answers if answer[1] != 200]
            assert not errors, (errors[:5], statuses)
            assert len(answers) >= 20, statuses

            # Redis back on the same port: shared behaviour resumes by itself.
            redis.start()
            back = time.monotonic()
            delivered = None
            for team, challenge in itertools.product(teams[1:], [kept]):
                if time.monotonic() - back > 30:
                    break
                if Solve.objects.filter(team_id=team.team_id, challenge_id=challenge.challenge_id).exists():
                    continue
                assert solve(first, team, challenge) == "correct"
                if live.wait_for(team.team_id, challenge.challenge_id, timeout=2):
                    delivered = time.monotonic() - back
                    break
            assert delivered is not None, "a solve through A never reached B's live client after Redis returned"
            assert not live.closed.is_set()
            agreed = wait_until_scores_agree(second, seeded, timeout=15)
        finally:
            live.close()
    print(
        f"\nredis stopped: {len(answers)} requests during the outage, {dict(statuses)}; "
        f"live fan-out back {delivered:.1f}s after Redis, scoreboard of B agreed {agreed:.1f}s later"
    )
