"""What the fault tests start for themselves: ``kakehashi serve`` processes, a private PostgreSQL
cluster, a private Redis, and a small HTTP client that never raises. Everything listens on
127.0.0.1 on a free port and is stopped by the test that started it."""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def shared_database_url() -> str:
    """The URL of the database pytest-django made for this session (servers share it)."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    user, password = settings.get("USER") or "", settings.get("PASSWORD") or ""
    credentials = f"{user}:{password}@" if password else f"{user}@" if user else ""
    return f"postgres://{credentials}{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{settings['NAME']}"


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL (KAKEHASHI_TEST_DATABASE_URL; run by .ci/run)"
)


def server_env(data_dir: Path, database_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KAKEHASHI_", "DJANGO_"))}
    env |= {"KAKEHASHI_DATA_DIR": str(data_dir), "KAKEHASHI_DATABASE_URL": database_url}
    # Given, not generated: servers starting together would race to write the key file.
    env["KAKEHASHI_SECRET_KEY"] = "fault-tests-only-" + "k" * 50
    return env | extra


# --- HTTP ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    status: int  # 0 when no HTTP answer came (connection refused or reset, timeout)
    headers: Mapping[str, str]
    body: bytes
    error: str = ""

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def is_json(self) -> bool:
        return self.headers.get("content-type", "").startswith("application/json")


def call(
    method: str,
    url: str,
    *,
    body: Any = None,
    headers: Mapping[str, str] | None = None,
    timeout: float = 30,
    raw: bytes | None = None,
) -> Answer:
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    all_headers = {"Content-Type": "application/json"} if body is not None else {}
    all_headers |= dict(headers or {})
    request = urllib.request.Request(url, data=data, method=method, headers=all_headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return Answer(response.status, {k.lower(): v for k, v in response.headers.items()}, response.read())
    except urllib.error.HTTPError as error:
        return Answer(error.code, {k.lower(): v for k, v in error.headers.items()}, error.read())
    except (OSError, http_client_errors()) as error:
        return Answer(0, {}, b"", error=f"{type(error).__name__}: {error}")


def http_client_errors() -> type[Exception]:
    import http.client

    return http.client.HTTPException


def token_headers(token: str, **extra: str) -> dict[str, str]:
    return {"Authorization": f"Token {token}", **extra}


# --- servers ---------------------------------------------------------------------------------------


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def kill(self) -> None:
        """SIGKILL: no graceful shutdown, no on-commit hook, no buffered write survives."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def start_server(env: Mapping[str, str], log_dir: Path, *, name: str) -> Server:
    port = free_port()
    log = log_dir / f"{name}.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
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
            env=dict(env),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    return Server(url=f"http://127.0.0.1:{port}", process=process, log=log)


def wait_healthy(servers: list[Server], timeout: float = 60) -> None:
    for server in servers:
        deadline = time.monotonic() + timeout
        while call("GET", f"{server.url}/healthz", timeout=2).status != 200:
            if time.monotonic() > deadline or server.process.poll() is not None:
                pytest.fail(f"server {server.url} did not start:\n{server.log_tail()}")
            time.sleep(0.2)


@contextmanager
def servers(env: Mapping[str, str], log_dir: Path, count: int = 2) -> Iterator[list[Server]]:
    started = [start_server(env, log_dir, name=f"server-{index}") for index in range(count)]
    try:
        wait_healthy(started)
        yield started
    finally:
        for server in started:
            server.stop()


# --- a private PostgreSQL ---------------------------------------------------------------------------


def postgres_bin() -> Path | None:
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    if candidates:
        return candidates[-1].parent
    found = shutil.which("initdb")
    return Path(found).parent if found else None


@dataclass
class PrivatePostgres:
    """A throw-away cluster in ``directory``; as root it runs as the ``postgres`` user, as .ci/run does."""

    directory: Path
    port: int = field(default_factory=free_port)
    bin: Path = field(default_factory=lambda: postgres_bin() or Path("/nonexistent"))

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/kakehashi"

    def _run(self, *command: str, timeout: float = 120) -> None:
        if os.geteuid() == 0:
            line = " ".join(_quote(part) for part in command)
            argv = ["su", "postgres", "-s", "/bin/sh", "-c", line]
        else:
            argv = list(command)
        completed = subprocess.run(argv, capture_output=True, timeout=timeout, check=False)
        if completed.returncode != 0:
            raise RuntimeError(f"{command[0]} failed: {completed.stderr.decode(errors='replace')[-800:]}")

    def init(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres", "postgres")
            self.directory.chmod(0o700)
        data = str(self.directory / "data")
        self._run(
            str(self.bin / "initdb"), "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8"
        )
        self.start()
        self._run(str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "kakehashi")

    def _ctl(self, *arguments: str) -> None:
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off"
        data = str(self.directory / "data")
        log = str(self.directory / "log")
        self._run(str(self.bin / "pg_ctl"), "-D", data, "-l", log, "-w", "-o", options, *arguments)

    def start(self) -> None:
        self._ctl("start")

    def stop(self) -> None:
        self._ctl("-m", "fast", "stop")

    def destroy(self) -> None:
        with suppress(RuntimeError, subprocess.TimeoutExpired):
            self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)


def _quote(part: str) -> str:
    import shlex

    return shlex.quote(part)


# --- a private Redis -------------------------------------------------------------------------------


@dataclass
class PrivateRedis:
    directory: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.skip("redis-server is not installed (.ci/run installs it)")
        self.directory.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("redis-server did not start")
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None


# --- an event to play ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SeededTeam:
    team_id: int
    user_id: int
    token: str


@dataclass(frozen=True)
class SeededChallenge:
    challenge_id: int
    flag: str
    value: int


@dataclass(frozen=True)
class Seeded:
    event_id: int
    slug: str
    teams: list[SeededTeam]
    challenges: list[SeededChallenge]

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, raw: str) -> "Seeded":
        data = json.loads(raw)
        return cls(
            event_id=data["event_id"],
            slug=data["slug"],
            teams=[SeededTeam(**team) for team in data["teams"]],
            challenges=[SeededChallenge(**challenge) for challenge in data["challenges"]],
        )


def seed(*, teams: int, challenges: int, wrong_limit: int = 0) -> Seeded:
    """A running event with ``teams`` one-player teams (each with an API token) and static challenges."""
    from kakehashi.accounts import services as accounts
    from kakehashi.ctf.models import Event
    from kakehashi.ctf.tests.factories import ChallengeFactory, EventFactory, FlagFactory, ParticipantFactory

    event = EventFactory.create(wrong_attempts_per_minute=wrong_limit)
    made: list[SeededChallenge] = []
    for index in range(challenges):
        value = 100 * (index + 1)
        challenge = ChallengeFactory.create(event=event, value=value)
        flag = f"flag{{fault-{index}-{challenge.pk}}}"
        FlagFactory.create(challenge=challenge, content=flag)
        made.append(SeededChallenge(challenge_id=challenge.pk, flag=flag, value=value))
    players: list[SeededTeam] = []
    for _ in range(teams):
        participant = ParticipantFactory.create(event=event)
        assert participant.team_id is not None
        _row, token = accounts.api_token_create(user=participant.user)
        players.append(SeededTeam(team_id=participant.team_id, user_id=participant.user_id, token=token))
    event = Event.objects.get(pk=event.pk)
    return Seeded(event_id=event.pk, slug=event.slug, teams=players, challenges=made)
