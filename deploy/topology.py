"""Kakehashi on one machine: app processes behind nginx, with PostgreSQL and Redis, from one command.

    python -m deploy.topology start  [--state DIR] [--shape multi|single] [--processes N] [--port P] ...
    python -m deploy.topology status [--state DIR]
    python -m deploy.topology stop   [--state DIR] [--purge]
    python -m deploy.topology manage [--state DIR] -- COMMAND [ARGS...]

``start`` brings up, in the state directory (``var/topology`` by default):

- **multi** (default): a private PostgreSQL cluster (``initdb``, run as the ``postgres`` user when
  started by root) unless ``--database-url`` names a database; a Redis server without persistence
  unless ``--redis-url`` names one; ``kakehashi migrate`` and ``kakehashi collectstatic`` once;
  ``--processes`` (default 2) app processes, each ``kakehashi serve --workers 1`` on its own port
  of 127.0.0.1; and nginx in front of them, from ``deploy/nginx/kakehashi.conf.template``.
- **single**: SQLite in the data directory, one app process, nginx; no PostgreSQL, no Redis.

It returns once every app process and nginx answer ``/healthz``, printing a JSON description
(URLs, pids, ports, log paths), also written to ``STATE/topology.json``. ``stop`` drains and stops
everything that ``start`` started (nginx first, then the app processes with SIGTERM, which finish
the requests in flight, then Redis and PostgreSQL). ``status`` checks each part. ``manage`` runs a
``kakehashi`` command with the topology's settings (``manage -- createadmin --username ...``).

The app processes run with the production settings (``KAKEHASHI_ENV=production``) and a secret
key generated into the state directory. nginx listens on plain HTTP on 127.0.0.1, so the TLS
redirect and HSTS are switched off (``KAKEHASHI_SSL_REDIRECT=0``, ``KAKEHASHI_HSTS_SECONDS=0``);
see ``docs/deployment.md`` for a host with TLS. Every process binds to 127.0.0.1 only.
"""

import argparse
import contextlib
import functools
import json
import os
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = Path(__file__).resolve().parent / "nginx" / "kakehashi.conf.template"
STATE_FILE = "topology.json"
DEFAULT_STATE = "var/topology"
HOST = "127.0.0.1"
DATABASE_NAME = "kakehashi"
HEALTH_TIMEOUT = 90.0
NGINX_DRAIN = 15.0  # worker_shutdown_timeout in the template is 10 s
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_DOWN = 3

Description = dict[str, Any]


class TopologyError(Exception):
    """Something the topology needs is missing or did not start; the message says what."""


# --- small helpers ------------------------------------------------------------------------


_handed_out: set[int] = set()


def free_port() -> int:
    """A port nothing listens on now, and not one already handed out by this run."""
    while True:
        with socket.socket() as probe:
            probe.bind((HOST, 0))
            port = int(probe.getsockname()[1])
        if port not in _handed_out:
            _handed_out.add(port)
            return port


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def find_binary(name: str, *extra_dirs: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    for directory in (*extra_dirs, "/usr/sbin", "/usr/local/sbin", "/sbin"):
        candidate = Path(directory) / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return None


def postgres_bin_dir(explicit: str | None) -> Path | None:
    """Where ``initdb``, ``pg_ctl`` and ``psql`` are: given, Debian's newest /usr/lib/postgresql/N/bin, or on PATH."""
    if explicit:
        return Path(explicit)
    versions = sorted(
        (path.parent for path in Path("/usr/lib/postgresql").glob("*/bin/initdb")),
        key=lambda path: [int(part) if part.isdigit() else 0 for part in path.parent.name.split(".")],
    )
    if versions:
        return versions[-1]
    on_path = shutil.which("initdb")
    return Path(on_path).resolve().parent if on_path else None


def missing_tools(shape: str, *, own_postgres: bool, own_redis: bool, pg_bin: str | None = None) -> list[str]:
    """The system programs this shape needs that are not installed (Debian package names)."""
    missing = []
    if find_binary("nginx") is None:
        missing.append("nginx")
    if shape == "multi" and own_redis and find_binary("redis-server") is None:
        missing.append("redis-server")
    if shape == "multi" and own_postgres:
        directory = postgres_bin_dir(pg_bin)
        if directory is None or not (directory / "pg_ctl").exists():
            missing.append("postgresql")
        elif not (directory / "psql").exists():
            missing.append("postgresql-client")
        elif os.geteuid() == 0 and not _user_exists("postgres"):
            missing.append("postgresql (the postgres user)")
    return missing


def _user_exists(name: str) -> bool:
    import pwd

    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def raise_open_files_limit() -> None:
    """Thousands of open streams need thousands of descriptors; children inherit the raised limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 65536 if hard == resource.RLIM_INFINITY else min(hard, 65536)
    if soft == resource.RLIM_INFINITY or soft >= wanted:
        return
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


def http_ok(url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310  (our own loopback URL)
            return bool(response.status == 200)
    except (OSError, urllib.error.URLError):
        return False


def redis_ping(port: int, timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=timeout) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def wait_until(check: Callable[[], bool], *, what: str, timeout: float, pid: int | None = None) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if pid is not None and not alive(pid):
            raise TopologyError(f"{what} exited while starting")
        if time.monotonic() > deadline:
            raise TopologyError(f"{what} did not become ready within {timeout:.0f} s")
        time.sleep(0.1)


# --- processes ------------------------------------------------------------------------------


def alive(pid: int | None) -> bool:
    """True while ``pid`` runs (a zombie left by our own child counts as gone, and is reaped)."""
    if not pid:
        return False
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def ours(pid: int | None, needle: str) -> bool:
    """``pid`` is alive and still the program we started (not a later process that reused the number)."""
    return bool(pid) and alive(pid) and needle in command_line(pid or 0)


def spawn(command: Sequence[str], *, log: Path, env: dict[str, str] | None = None, cwd: Path | None = None) -> int:
    """Start ``command`` in its own session (so it outlives this script and a group signal reaches its children)."""
    with log.open("ab") as output:
        process = subprocess.Popen(
            list(command),
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=cwd,
            start_new_session=True,
        )
    return process.pid


def signal_group(pid: int, signum: int) -> None:
    """Signal the process group ``pid`` leads (``spawn`` made one), or the process alone."""
    try:
        os.killpg(pid, signum)
    except (ProcessLookupError, PermissionError):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signum)


def stop_processes(pids: Sequence[int], *, first: int, timeout: float) -> list[int]:
    """Send ``first`` to each, wait up to ``timeout`` for all, then SIGKILL their groups; returns the killed."""
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, first)
    deadline = time.monotonic() + timeout
    while any(alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    killed = [pid for pid in pids if alive(pid)]
    for pid in killed:
        signal_group(pid, signal.SIGKILL)
    deadline = time.monotonic() + 5
    while any(alive(pid) for pid in killed) and time.monotonic() < deadline:
        time.sleep(0.05)
    return killed


def tail(path: str | Path | None, lines: int = 15) -> str:
    if not path:
        return ""
    try:
        text = Path(path).read_text(errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


# --- the state directory ------------------------------------------------------------------


def state_file(state: Path) -> Path:
    return state / STATE_FILE


def load(state: Path) -> Description | None:
    try:
        return dict(json.loads(state_file(state).read_text()))
    except FileNotFoundError:
        return None


def save(state: Path, description: Description) -> None:
    """Written after each part starts, so ``stop`` finds whatever did start even if ``start`` dies."""
    target = state_file(state)
    temporary = target.with_suffix(".tmp")
    temporary.write_text(json.dumps(description, indent=2) + "\n")
    temporary.chmod(0o600)  # it holds the secret key
    temporary.replace(target)


def secret_key(state: Path) -> str:
    path = state / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(64) + "\n")
        path.chmod(0o600)
    return path.read_text().strip()


def public(description: Description) -> Description:
    """The description without the secret key, for printing."""
    shown = dict(description)
    shown["env"] = {k: ("(in STATE/secret_key)" if k == "KAKEHASHI_SECRET_KEY" else v) for k, v in shown["env"].items()}
    return shown


def app_environment(description: Description) -> dict[str, str]:
    """The environment of every ``kakehashi`` process of the topology: this one's, plus the topology's settings."""
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    env.update(description["env"])
    return env


# --- PostgreSQL ----------------------------------------------------------------------------


def _reachable_by_others(path: Path) -> bool:
    """Whether another user (postgres) may traverse every directory down to ``path``."""
    return all(part.stat().st_mode & 0o001 for part in [path, *path.parents])


def _run_postgres_tool(
    command: Sequence[str], *, owner: str | None, cwd: Path, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """Run a PostgreSQL program, as ``owner`` when this script runs as root (PostgreSQL refuses root)."""
    identity: dict[str, Any] = {"user": owner, "group": owner, "extra_groups": []} if owner else {}
    result = subprocess.run(list(command), cwd=cwd, capture_output=True, text=True, check=False, **identity)
    if check and result.returncode != 0:
        raise TopologyError(f"{Path(command[0]).name} failed: {(result.stderr or result.stdout).strip()[-2000:]}")
    return result


def start_postgres(state: Path, *, port: int, bin_dir: Path, fast: bool, record: Callable[[Description], None]) -> None:
    """initdb (unless the cluster exists), start it on 127.0.0.1 only, and create the database.

    ``record`` is given the description before anything runs, so a failure half-way is cleaned up."""
    owner = "postgres" if os.geteuid() == 0 else None
    base, temporary = state / "postgres", False
    if owner and not _reachable_by_others(state):
        # The state directory is private (e.g. a test's temporary directory) and the postgres user
        # could not reach a cluster inside it: the cluster lives beside it and ``stop`` removes it.
        base, temporary = Path(tempfile.mkdtemp(prefix="kakehashi-topology-pg.")), True
    data, log = base / "data", base / "postgres.log"
    postgres: Description = {
        "pid": None,
        "port": port,
        "dir": str(base),
        "data_dir": str(data),
        "log": str(log),
        "bin_dir": str(bin_dir),
        "owner": owner,
        "temporary": temporary,
        "url": f"postgres://postgres@{HOST}:{port}/{DATABASE_NAME}",
    }
    record(postgres)
    base.mkdir(parents=True, exist_ok=True)
    if owner:
        shutil.chown(base, owner, owner)
    if not (data / "PG_VERSION").exists():
        _run_postgres_tool(
            [str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
             "--locale=C.UTF-8", "--no-sync"],
            owner=owner, cwd=base,
        )  # fmt: skip
    settings = f"-p {port} -k '' -c listen_addresses={HOST} -c max_connections=300"
    if fast:  # throw-away clusters (tests, quick benchmark tries): no durability
        settings += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    _run_postgres_tool(
        [str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-t", "60", "-o", settings, "start"],
        owner=owner, cwd=base,
    )  # fmt: skip
    postgres["pid"] = int((data / "postmaster.pid").read_text().split()[0])
    record(postgres)
    psql = [str(bin_dir / "psql"), "-h", HOST, "-p", str(port), "-U", "postgres", "-d", "postgres", "-tAc"]
    query = f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}'"  # noqa: S608  (a constant)
    if _run_postgres_tool([*psql, query], owner=owner, cwd=base).stdout.strip() != "1":
        _run_postgres_tool([*psql, f"CREATE DATABASE {DATABASE_NAME}"], owner=owner, cwd=base)


def stop_postgres(postgres: Description) -> None:
    base, owner = Path(postgres["dir"]), postgres.get("owner")
    pg_ctl = str(Path(postgres["bin_dir"]) / "pg_ctl")
    if (Path(postgres["data_dir"]) / "postmaster.pid").exists():
        stopped = _run_postgres_tool(
            [pg_ctl, "-D", postgres["data_dir"], "-m", "fast", "-w", "-t", "30", "stop"],
            owner=owner,
            cwd=base,
            check=False,
        )
        if stopped.returncode != 0:
            _run_postgres_tool(
                [pg_ctl, "-D", postgres["data_dir"], "-m", "immediate", "-w", "stop"],
                owner=owner,
                cwd=base,
                check=False,
            )
    if postgres.get("temporary"):
        shutil.rmtree(base, ignore_errors=True)


# --- Redis ------------------------------------------------------------------------------------


def start_redis(state: Path, *, port: int, logs: Path) -> Description:
    binary = find_binary("redis-server")
    if binary is None:
        raise TopologyError("redis-server is not installed (Debian: apt-get install redis-server)")
    directory = state / "redis"
    directory.mkdir(exist_ok=True)
    log = logs / "redis.log"
    pid = spawn(
        [binary, "--bind", HOST, "--port", str(port), "--save", "", "--appendonly", "no", "--dir", str(directory),
         "--daemonize", "no", "--protected-mode", "yes", "--maxclients", "10000", "--logfile", str(log)],
        log=log,
    )  # fmt: skip
    return {"pid": pid, "port": port, "log": str(log), "url": f"redis://{HOST}:{port}/0"}


# --- nginx ------------------------------------------------------------------------------------


def render_nginx(
    *,
    state: Path,
    logs: Path,
    data_dir: Path,
    port: int,
    app_ports: Sequence[int],
    access_log: bool,
    worker_connections: int,
    extra_static: Sequence[tuple[str, str]] = (),
) -> str:
    user = ""
    if os.geteuid() == 0:  # workers would otherwise drop to "nobody", who cannot read a private state directory
        user = "user root root;"
    extra = "".join(
        f"\n        location {prefix} {{\n            alias {directory.rstrip('/')}/;\n"
        "            access_log off;\n        }\n"
        for prefix, directory in extra_static
    )
    nofile = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    values = {
        "USER": user,
        "NOFILE": str(max(4096, min(nofile if nofile != resource.RLIM_INFINITY else 65536, 65536))),
        "WORKER_CONNECTIONS": str(worker_connections),
        "STATE": str(state),
        "LOGS": str(logs),
        "DATA_DIR": str(data_dir),
        "ACCESS_LOG": f"{logs}/nginx-access.log kakehashi buffer=32k flush=1s" if access_log else "off",
        "UPSTREAM_SERVERS": "\n".join(
            f"        server {HOST}:{app_port} max_fails=1 fail_timeout=5s;" for app_port in app_ports
        ),
        "LISTEN": f"{HOST}:{port}",
        "EXTRA_LOCATIONS": extra,
    }
    text = TEMPLATE.read_text()
    for name, value in values.items():
        text = text.replace("{{" + name + "}}", value)
    if "{{" in text:
        raise TopologyError("the nginx template has a placeholder this script does not fill")
    return text


def start_nginx(state: Path, *, config_text: str, port: int, logs: Path) -> Description:
    binary = find_binary("nginx")
    if binary is None:
        raise TopologyError("nginx is not installed (Debian: apt-get install nginx)")
    prefix = state / "nginx"
    for sub in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (prefix / "tmp" / sub).mkdir(parents=True, exist_ok=True)
    config = prefix / "kakehashi.conf"
    config.write_text(config_text)
    error_log = logs / "nginx-error.log"
    base = [binary, "-p", str(prefix), "-c", str(config), "-e", str(error_log)]
    tested = subprocess.run([*base, "-t", "-q"], capture_output=True, text=True, check=False)
    if tested.returncode != 0:
        raise TopologyError(f"nginx refused its configuration {config}: {tested.stderr.strip()}")
    pid = spawn(base, log=logs / "nginx.out")
    return {
        "pid": pid,
        "port": port,
        "url": f"http://{HOST}:{port}",
        "config": str(config),
        "error_log": str(error_log),
        "access_log": str(logs / "nginx-access.log") if "nginx-access.log" in config_text else None,
    }


# --- the app processes --------------------------------------------------------------------


def kakehashi_command(description: Description, *args: str) -> list[str]:
    return [description["python"], "-m", "kakehashi", *args]


def run_once(description: Description, *args: str, log: Path) -> None:
    """A ``kakehashi`` command run once per start (migrate, collectstatic); its output goes to ``log``."""
    with log.open("ab") as output:
        result = subprocess.run(
            kakehashi_command(description, *args),
            env=app_environment(description),
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            check=False,
        )
    if result.returncode != 0:
        raise TopologyError(f"kakehashi {' '.join(args)} failed:\n{tail(log)}")


def start_app(description: Description, *, index: int, port: int, logs: Path, graceful_timeout: int) -> Description:
    log = logs / f"app-{index}.log"
    pid = spawn(
        kakehashi_command(
            description, "serve", "--host", HOST, "--port", str(port), "--workers", "1",
            "--graceful-timeout", str(graceful_timeout), "--log-level", description["app_log_level"],
        ),
        log=log, env=app_environment(description), cwd=ROOT,
    )  # fmt: skip
    return {"index": index, "pid": pid, "port": port, "url": f"http://{HOST}:{port}", "log": str(log)}


# --- start, stop, status --------------------------------------------------------------------


def start(options: argparse.Namespace) -> Description:  # noqa: PLR0912, PLR0915  (one part after another)
    state = Path(options.state).resolve()
    previous = load(state)
    if previous is not None and running_parts(previous):
        raise TopologyError(f"a topology is already running in {state} (stop it first: python -m deploy.topology stop)")
    shape = options.shape
    processes = options.processes or (2 if shape == "multi" else 1)
    if shape == "single" and processes != 1:
        raise TopologyError("the single shape (SQLite, no Redis) runs one app process; use --shape multi for more")
    own_postgres = shape == "multi" and not options.database_url
    own_redis = shape == "multi" and not options.redis_url
    missing = missing_tools(shape, own_postgres=own_postgres, own_redis=own_redis, pg_bin=options.pg_bin)
    if missing:
        raise TopologyError(
            f"not installed: {', '.join(missing)} (Debian: apt-get install nginx redis-server postgresql)"
        )

    raise_open_files_limit()
    logs = state / "logs"
    data_dir = state / "data"
    for directory in (state, logs, data_dir):
        directory.mkdir(parents=True, exist_ok=True)
    env = {
        "KAKEHASHI_ENV": "production",
        "KAKEHASHI_SECRET_KEY": secret_key(state),
        "KAKEHASHI_DATA_DIR": str(data_dir),
        "KAKEHASHI_SSL_REDIRECT": "0",  # plain HTTP on 127.0.0.1; behind TLS, leave both at their defaults
        "KAKEHASHI_HSTS_SECONDS": "0",
        "KAKEHASHI_FORWARDED_ALLOW_IPS": HOST,
    }
    for assignment in options.env or []:
        key, _, value = assignment.partition("=")
        env[key] = value
    description: Description = {
        "shape": shape,
        "state_dir": str(state),
        "started_at": now_iso(),
        "stopped_at": None,
        "python": options.python,
        "app_log_level": options.app_log_level,
        "graceful_timeout": options.graceful_timeout,
        "url": None,
        "database_url": None,
        "env": env,
        "postgres": None,
        "redis": None,
        "apps": [],
        "nginx": None,
        "logs": str(logs),
    }
    save(state, description)
    try:
        if shape == "multi":
            if own_postgres:
                bin_dir = postgres_bin_dir(options.pg_bin)
                assert bin_dir is not None

                def record(postgres: Description) -> None:
                    description["postgres"] = postgres
                    save(state, description)

                start_postgres(
                    state, port=options.pg_port or free_port(), bin_dir=bin_dir, fast=options.pg_fast, record=record
                )
                database_url = description["postgres"]["url"]
            else:
                database_url = options.database_url
            if own_redis:
                redis = description["redis"] = start_redis(state, port=options.redis_port or free_port(), logs=logs)
                save(state, description)
                wait_until(lambda: redis_ping(redis["port"]), what="Redis", timeout=20, pid=redis["pid"])
                redis_url = description["redis"]["url"]
            else:
                redis_url = options.redis_url
            env["KAKEHASHI_DATABASE_URL"] = database_url
            env["KAKEHASHI_REDIS_URL"] = redis_url
        else:
            env.pop("KAKEHASHI_REDIS_URL", None)
            env["KAKEHASHI_DATABASE_URL"] = (
                env.get("KAKEHASHI_DATABASE_URL") or f"sqlite:///{data_dir / 'kakehashi.sqlite3'}"
            )
        description["database_url"] = env["KAKEHASHI_DATABASE_URL"]
        save(state, description)

        once: list[tuple[str, ...]] = []  # migrations and static files are independent: both at once
        if options.migrate:
            once.append(("migrate", "--no-input"))
        if options.collectstatic:
            once.append(("collectstatic", "--no-input", "-v", "0"))
        with ThreadPoolExecutor(max_workers=2) as pool:
            for future in [pool.submit(run_once, description, *args, log=logs / f"{args[0]}.log") for args in once]:
                future.result()

        app_ports = [options.app_port + index if options.app_port else free_port() for index in range(processes)]
        for index, app_port in enumerate(app_ports, start=1):
            description["apps"].append(
                start_app(description, index=index, port=app_port, logs=logs, graceful_timeout=options.graceful_timeout)
            )
            save(state, description)
        for app in description["apps"]:
            wait_until(
                functools.partial(http_ok, f"{app['url']}/healthz"),
                what=f"app process {app['index']} (log {app['log']})",
                timeout=HEALTH_TIMEOUT,
                pid=app["pid"],
            )

        nginx_port = options.port or free_port()
        config = render_nginx(
            state=state,
            logs=logs,
            data_dir=data_dir,
            port=nginx_port,
            app_ports=app_ports,
            access_log=options.access_log,
            worker_connections=options.worker_connections,
            extra_static=[parse_static(item) for item in options.static or []],
        )
        nginx = description["nginx"] = start_nginx(state, config_text=config, port=nginx_port, logs=logs)
        description["url"] = nginx["url"]
        save(state, description)
        wait_until(lambda: http_ok(f"{nginx['url']}/healthz"), what="nginx", timeout=HEALTH_TIMEOUT, pid=nginx["pid"])
    except BaseException:
        for path in [*(app["log"] for app in description["apps"]), logs / "nginx-error.log"]:
            text = tail(path)
            if text:
                print(f"--- {path}\n{text}", file=sys.stderr)
        stop_description(state, description)
        raise
    return description


def parse_static(item: str) -> tuple[str, str]:
    prefix, _, directory = item.partition("=")
    if not prefix.startswith("/") or not prefix.endswith("/") or not directory:
        raise TopologyError(f"--static takes /PREFIX/=DIRECTORY, got {item!r}")
    return prefix, str(Path(directory).resolve())


def running_parts(description: Description) -> list[str]:
    parts = []
    if description.get("nginx") and ours(description["nginx"]["pid"], "nginx"):
        parts.append("nginx")
    parts += [f"app {app['index']}" for app in description.get("apps", []) if ours(app["pid"], "kakehashi")]
    if description.get("redis") and ours(description["redis"]["pid"], "redis-server"):
        parts.append("redis")
    if description.get("postgres") and ours(description["postgres"]["pid"], "postgres"):
        parts.append("postgres")
    return parts


def stop_description(state: Path, description: Description) -> None:
    """nginx first (no new requests; those in flight finish), then the app processes (SIGTERM: they
    drain), then Redis and PostgreSQL. Anything that outstays its time is killed."""
    nginx = description.get("nginx")
    if nginx and ours(nginx["pid"], "nginx"):
        stop_processes([nginx["pid"]], first=signal.SIGQUIT, timeout=NGINX_DRAIN)
    apps = [app["pid"] for app in description.get("apps", []) if ours(app["pid"], "kakehashi")]
    if apps:
        stop_processes(apps, first=signal.SIGTERM, timeout=float(description.get("graceful_timeout", 30)) + 10)
    redis = description.get("redis")
    if redis and ours(redis["pid"], "redis-server"):
        stop_processes([redis["pid"]], first=signal.SIGTERM, timeout=10)
    postgres = description.get("postgres")
    if postgres:
        stop_postgres(postgres)
    description["stopped_at"] = now_iso()
    if state.exists():
        save(state, description)


def stop(state: Path, *, purge: bool) -> int:
    description = load(state)
    if description is not None:
        stop_description(state, description)
    if purge:
        shutil.rmtree(state, ignore_errors=True)
    return 0


def status(state: Path) -> tuple[Description, bool]:
    description = load(state)
    if description is None:
        return {"state_dir": str(state), "running": False, "parts": {}}, False
    parts: dict[str, Description] = {}
    if description.get("postgres"):
        postgres = description["postgres"]
        up = ours(postgres["pid"], "postgres")
        parts["postgres"] = {"pid": postgres["pid"], "alive": up, "healthy": up and _accepts(postgres["port"])}
    if description.get("redis"):
        redis = description["redis"]
        parts["redis"] = {
            "pid": redis["pid"],
            "alive": ours(redis["pid"], "redis-server"),
            "healthy": redis_ping(redis["port"]),
        }
    for app in description.get("apps", []):
        parts[f"app-{app['index']}"] = {
            "pid": app["pid"],
            "alive": ours(app["pid"], "kakehashi"),
            "healthy": http_ok(f"{app['url']}/healthz"),
        }
    if description.get("nginx"):
        nginx = description["nginx"]
        parts["nginx"] = {
            "pid": nginx["pid"],
            "alive": ours(nginx["pid"], "nginx"),
            "healthy": http_ok(f"{nginx['url']}/healthz"),
        }
    healthy = bool(parts) and all(part["healthy"] for part in parts.values())
    return {"state_dir": str(state), "url": description.get("url"), "running": healthy, "parts": parts}, healthy


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=1):
            return True
    except OSError:
        return False


def manage(state: Path, arguments: Sequence[str]) -> int:
    description = load(state)
    if description is None:
        raise TopologyError(f"no topology in {state}")
    command = list(arguments[1:] if arguments and arguments[0] == "--" else arguments)
    if not command:
        raise TopologyError("manage needs a kakehashi command, e.g. manage -- createadmin --username admin")
    return subprocess.run(
        kakehashi_command(description, *command), env=app_environment(description), cwd=ROOT, check=False
    ).returncode


# --- command line ---------------------------------------------------------------------------


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m deploy.topology", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)

    def with_state(sub: argparse.ArgumentParser) -> argparse.ArgumentParser:
        sub.add_argument("--state", default=DEFAULT_STATE, help=f"state directory (default {DEFAULT_STATE})")
        return sub

    begin = with_state(commands.add_parser("start", help="start the topology and wait until it answers"))
    begin.add_argument(
        "--shape",
        choices=["multi", "single"],
        default="multi",
        help="multi: PostgreSQL + Redis + N processes (default); single: SQLite, one process",
    )
    begin.add_argument("--processes", type=int, default=0, help="app processes (default 2 for multi, 1 for single)")
    begin.add_argument("--port", type=int, default=0, help="nginx port on 127.0.0.1 (default: a free one)")
    begin.add_argument("--app-port", type=int, default=0, help="first app port; the others follow (default: free ones)")
    begin.add_argument("--pg-port", type=int, default=0, help="port of the private PostgreSQL (default: a free one)")
    begin.add_argument("--redis-port", type=int, default=0, help="port of the private Redis (default: a free one)")
    begin.add_argument("--database-url", default="", help="use this database instead of a private cluster")
    begin.add_argument("--redis-url", default="", help="use this Redis instead of a private one")
    begin.add_argument("--pg-bin", default=None, help="directory of initdb and pg_ctl (default: found)")
    begin.add_argument("--pg-fast", action="store_true", help="fsync off: for throw-away clusters (tests) only")
    begin.add_argument("--python", default=sys.executable, help="interpreter with kakehashi installed")
    begin.add_argument("--graceful-timeout", type=int, default=30, help="seconds an app process drains on stop")
    begin.add_argument("--app-log-level", default="warning", help="uvicorn log level (info logs every request)")
    begin.add_argument("--no-migrate", dest="migrate", action="store_false", help="skip kakehashi migrate")
    begin.add_argument("--no-collectstatic", dest="collectstatic", action="store_false",
                       help="skip collectstatic (the app then serves static files itself)")  # fmt: skip
    begin.add_argument("--no-access-log", dest="access_log", action="store_false", help="no nginx access log")
    begin.add_argument("--worker-connections", type=int, default=16384, help="nginx worker_connections")
    begin.add_argument("--env", action="append", metavar="KEY=VALUE", help="extra setting for the app processes")
    begin.add_argument("--static", action="append", metavar="/PREFIX/=DIR", help="also serve DIR at /PREFIX/ (nginx)")

    with_state(commands.add_parser("status", help="check every part; exit status 3 if one is down"))
    end = with_state(commands.add_parser("stop", help="drain and stop everything start started"))
    end.add_argument("--purge", action="store_true", help="also delete the state directory")
    run = with_state(commands.add_parser("manage", help="run a kakehashi command with the topology's settings"))
    run.add_argument("arguments", nargs=argparse.REMAINDER, help="-- COMMAND [ARGS...]")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    options = parser().parse_args(argv)
    state = Path(options.state).resolve()
    try:
        if options.command == "start":
            description = start(options)
            print(json.dumps(public(description), indent=2))
            return 0
        if options.command == "stop":
            return stop(state, purge=options.purge)
        if options.command == "status":
            report, healthy = status(state)
            print(json.dumps(report, indent=2))
            return 0 if healthy else EXIT_DOWN
        return manage(state, options.arguments)
    except (TopologyError, OSError, subprocess.SubprocessError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_FAILED


if __name__ == "__main__":
    raise SystemExit(main())
