"""The product as its users start it: the console script, real server processes, settings per environment."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_SECRET = "p" * 20 + "-not-a-real-secret-used-only-by-this-test-" + "q" * 20


def kakehashi(*args: str, env: dict[str, str], timeout: int = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kakehashi", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def base_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KAKEHASHI_", "DJANGO_"))}
    env["KAKEHASHI_DATA_DIR"] = str(tmp_path / "data")
    env.update(extra)
    return env


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_development_generates_and_keeps_a_secret_key(tmp_path: Path) -> None:
    env = base_env(tmp_path)
    first = kakehashi("shell", "-c", "from django.conf import settings; print(settings.SECRET_KEY)", env=env)
    assert first.returncode == 0, first.stderr
    key_file = tmp_path / "data" / "secret_key"
    assert key_file.read_text().strip() == first.stdout.strip().splitlines()[-1]
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    second = kakehashi("shell", "-c", "from django.conf import settings; print(settings.SECRET_KEY)", env=env)
    assert second.stdout == first.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    result = kakehashi("check", env=base_env(tmp_path, KAKEHASHI_ENV="production"))
    assert result.returncode != 0
    assert "KAKEHASHI_SECRET_KEY" in result.stderr
    assert not (tmp_path / "data" / "secret_key").exists()


def test_unknown_environment_is_refused(tmp_path: Path) -> None:
    result = kakehashi("check", env=base_env(tmp_path, KAKEHASHI_ENV="staging"))
    assert result.returncode != 0
    assert "KAKEHASHI_ENV" in result.stderr


def _deployed_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return base_env(
        tmp_path,
        KAKEHASHI_ENV="production",
        KAKEHASHI_SECRET_KEY=PRODUCTION_SECRET,
        KAKEHASHI_REDIS_URL="redis://127.0.0.1:6399/0",
        KAKEHASHI_ALLOWED_HOSTS="ctf.example.org",
        **extra,
    )


def test_deploy_check_is_clean_with_production_settings(tmp_path: Path) -> None:
    env = _deployed_env(tmp_path, KAKEHASHI_EMAIL_HOST="smtp.example.org")
    result = kakehashi("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_deploy_check_warns_when_mail_only_goes_to_files(tmp_path: Path) -> None:
    result = kakehashi("check", "--deploy", "--fail-level", "WARNING", env=_deployed_env(tmp_path))
    assert result.returncode != 0
    assert "kakehashi.W002" in result.stdout + result.stderr


def test_check_reports_a_bad_setting(tmp_path: Path) -> None:
    result = kakehashi("check", env=base_env(tmp_path, KAKEHASHI_DEBUG="perhaps"))
    assert result.returncode != 0
    assert "KAKEHASHI_DEBUG" in result.stderr


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    env = base_env(tmp_path)
    migrated = kakehashi("migrate", "--no-input", env=env)
    assert migrated.returncode == 0, migrated.stderr
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "kakehashi", "serve", "--port", str(port), "--workers", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
                    assert response.status == 200
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    pytest.fail("server did not start")
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.mark.slow
def test_serve_answers_pages_and_api_on_loopback(served: str) -> None:
    request = urllib.request.Request(f"{served}/", headers={"Accept-Language": "ja"})
    with urllib.request.urlopen(request, timeout=5) as response:
        html = response.read().decode()
    assert '<html lang="ja"' in html
    assert "ホーム" in html
    request = urllib.request.Request(f"{served}/api/accounts/me", headers={"Accept-Language": "ja"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=5)
    assert refused.value.code == 401
    body = json.loads(refused.value.read())
    assert body["code"] == "not_authenticated"
    assert "サインイン" in body["message"]


def test_dashed_command_names_run_their_command(tmp_path: Path) -> None:
    result = kakehashi("import-ctfd", "--help", env=base_env(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "EXPORT" in result.stdout.upper()


@pytest.mark.slow
def test_stopping_ends_live_connections_at_once_and_exits(tmp_path: Path) -> None:
    """A stopping server must not wait out its graceful timeout for live connections that never end."""
    env = base_env(tmp_path)
    assert kakehashi("migrate", "--no-input", env=env).returncode == 0
    made = kakehashi(
        "shell",
        "-c",
        "from kakehashi.ctf.tests.factories import EventFactory; EventFactory.create(slug='drain')",
        env=env,
    )
    assert made.returncode == 0, made.stderr
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "kakehashi", "serve", "--port", str(port), "--workers", "1", "--graceful-timeout", "60"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    pytest.fail("server did not start")
                time.sleep(0.2)
        streams = []
        for _ in range(3):
            stream = socket.create_connection(("127.0.0.1", port), timeout=20)
            stream.sendall(b"GET /events/drain/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
            assert b"retry: 3000" in stream.recv(4096) + stream.recv(4096)
            streams.append(stream)
        stopping = time.monotonic()
        process.terminate()
        for stream in streams:
            while stream.recv(4096):  # the rest of the stream, until the server closes it
                pass
            stream.close()
        # uvicorn re-raises the signal once it has shut down, so the exit is the signal's own
        assert process.wait(timeout=20) in {0, -signal.SIGTERM}
        assert time.monotonic() - stopping < 10  # not the 60-second graceful timeout
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
