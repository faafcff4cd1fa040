"""PostgreSQL restarted under load: answers during the outage are successes or JSON 503s with
``Retry-After`` (never HTML, never a 500), and the servers recover by themselves within seconds.

The test starts a private cluster (initdb in a temporary directory, a free port; as root it runs as
the ``postgres`` user, as .ci/run does), migrates and seeds it, serves it with two processes, and
stops PostgreSQL for two seconds in the middle of the load.
"""

import itertools
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.faults.support import (
    ROOT,
    PrivatePostgres,
    Seeded,
    call,
    postgres_bin,
    postgres_only,
    server_env,
    servers,
    token_headers,
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.postgres,
    postgres_only,
    pytest.mark.skipif(postgres_bin() is None, reason="PostgreSQL server binaries are not installed"),
]

OUTAGE_SECONDS = 2.0
RECOVERY_LIMIT = 5.0  # seconds after PostgreSQL is back by which every request must succeed again
MESSAGE = b"The service is briefly unavailable"


@dataclass(frozen=True)
class Outcome:
    started: float
    ended: float
    server: int
    kind: str  # "read", "submit" or "page"
    status: int
    content_type: str
    retry_after: str
    code: str
    body: bytes


@pytest.fixture
def cluster() -> Iterator[PrivatePostgres]:
    # Not under pytest's tmp_path: its parents are private to root, and the cluster runs as postgres.
    directory = Path(tempfile.mkdtemp(prefix="kakehashi-fault-pg-"))
    directory.chmod(0o711)  # the postgres user must reach the cluster directory inside
    pg = PrivatePostgres(directory / "cluster")
    try:
        pg.init()
        yield pg
    finally:
        pg.destroy()
        shutil.rmtree(directory, ignore_errors=True)


def test_postgres_restart_under_load(cluster: PrivatePostgres, tmp_path: Path) -> None:
    env = server_env(tmp_path, cluster.url)
    seeding = subprocess.run(
        [sys.executable, "-m", "tests.faults.seed", "4", "2"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=300,
        check=False,
    )
    assert seeding.returncode == 0, seeding.stderr.decode(errors="replace")[-2000:]
    seeded = Seeded.from_json(seeding.stdout.decode().strip().splitlines()[-1])
    outcomes: list[Outcome] = []
    guard = threading.Lock()
    stop = threading.Event()
    numbers = itertools.count()

    with servers(env, tmp_path) as started:
        urls = [server.url for server in started]

        def client(worker: int) -> None:
            while not stop.is_set():
                number = next(numbers)
                server = number % 2
                team = seeded.teams[number % len(seeded.teams)]
                challenge = seeded.challenges[number % len(seeded.challenges)]
                kind = ("read", "submit", "page")[worker % 3]
                begun = time.monotonic()
                if kind == "read":
                    answer = call(
                        "GET",
                        f"{urls[server]}/api/events/{seeded.slug}/challenges",
                        headers=token_headers(team.token),
                        timeout=20,
                    )
                elif kind == "submit":
                    answer = call(
                        "POST",
                        f"{urls[server]}/api/challenges/{challenge.challenge_id}/attempts",
                        body={"flag": f"flag{{wrong-{number}}}"},
                        headers=token_headers(team.token),
                        timeout=20,
                    )
                else:
                    answer = call("GET", f"{urls[server]}/", timeout=20)
                code = ""
                if answer.is_json and answer.status >= 400:
                    code = str(answer.json().get("code", ""))
                outcome = Outcome(
                    started=begun,
                    ended=time.monotonic(),
                    server=server,
                    kind=kind,
                    status=answer.status,
                    content_type=answer.headers.get("content-type", ""),
                    retry_after=answer.headers.get("retry-after", ""),
                    code=code,
                    body=answer.body[:2000],
                )
                with guard:
                    outcomes.append(outcome)
                time.sleep(0.02)

        threads = [threading.Thread(target=client, args=(worker,)) for worker in range(6)]
        for thread in threads:
            thread.start()
        try:
            time.sleep(2)
            stopped_at = time.monotonic()
            cluster.stop()
            time.sleep(OUTAGE_SECONDS)
            cluster.start()
            back_at = time.monotonic()
            time.sleep(RECOVERY_LIMIT + 3)
        finally:
            stop.set()
            for thread in threads:
                thread.join(timeout=60)
        logs = "\n".join(server.log_tail() for server in started)

    assert outcomes
    failures = [o for o in outcomes if not 200 <= o.status < 300]
    # During the outage: a success, or a 503 with retry advice in the right shape. Never a 500, never a crash.
    for o in failures:
        assert o.status == 503, (o, logs)
        assert o.retry_after.isdigit(), o
        if o.kind == "page":
            assert o.content_type.startswith("text/html"), o
            assert MESSAGE in o.body, o
        else:
            assert o.content_type.startswith("application/json"), o
            assert o.code == "service_unavailable", o
    during = [o for o in failures if o.ended >= stopped_at]
    assert during, "the outage should have been seen by some request"
    # Recovery without restarting the servers: a few seconds after PostgreSQL is back, all succeed.
    late = [o for o in outcomes if o.started >= back_at + RECOVERY_LIMIT]
    assert late, "the load should have continued after the recovery window"
    assert all(200 <= o.status < 300 for o in late), [o for o in late if o.status >= 300][:3]
    recovery = {}
    for server in (0, 1):
        last_failure = max((o.ended for o in failures if o.server == server), default=back_at)
        recovered = min(o.ended for o in outcomes if o.server == server and o.started >= last_failure)
        recovery[server] = max(0.0, recovered - back_at)
    assert max(recovery.values()) <= RECOVERY_LIMIT, recovery
    by_status = Counter((o.kind, o.status) for o in outcomes)
    print(
        f"\npostgres restart: {len(outcomes)} requests, {dict(by_status)}, outage {OUTAGE_SECONDS:.0f}s, "
        f"recovered {recovery[0]:.2f}s / {recovery[1]:.2f}s after PostgreSQL was back"
    )
