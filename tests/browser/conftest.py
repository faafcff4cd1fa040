"""Browser tests: a real Kakehashi server with the demo loaded, driven by Debian's chromium.

Chromium is never downloaded: Playwright drives ``/usr/bin/chromium`` (installed by ``.ci/run``).
Screenshots go to ``test-artifacts/screenshots/`` (ignored by git) for people to look at.
"""

import email
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DEMO_PASSWORD = "bridge-demo-2026"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.slow)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def server_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment of the demo server; ``kakehashi shell`` with it writes to the server's database."""
    data = tmp_path_factory.mktemp("browser-data")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KAKEHASHI_", "DJANGO_"))}
    env["KAKEHASHI_DATA_DIR"] = str(data)
    return env


@pytest.fixture(scope="session")
def server(server_env: dict[str, str]) -> Iterator[str]:
    """``kakehashi demo`` on a free loopback port, with its own SQLite database."""
    env = server_env
    data = Path(env["KAKEHASHI_DATA_DIR"])
    port = _free_port()
    log = (data / "server.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "kakehashi", "demo", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2):
                break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                log.close()
                pytest.fail("the demo server did not start:\n" + (data / "server.log").read_text()[-3000:])
            time.sleep(0.3)
    yield url
    process.terminate()
    process.wait(timeout=30)
    log.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (.ci/run installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="session", autouse=True)
def _fresh_screenshots() -> None:
    if SHOTS.exists():
        shutil.rmtree(SHOTS)
    SHOTS.mkdir(parents=True)


def confirmation_link(server_env: dict[str, str], address: str, *, timeout: float = 10.0) -> str:
    """The sign-up confirmation link mailed to ``address``: the demo server, without an SMTP host,
    writes each mail into ``<data dir>/mail/``."""
    folder = Path(server_env["KAKEHASHI_DATA_DIR"]) / "mail"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for path in sorted(folder.glob("*.log")) if folder.exists() else []:
            for raw in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
                message = email.message_from_bytes(raw.strip())
                if message["To"] != address:
                    continue
                body = message.get_payload(decode=True)
                found = re.search(r"https?://\S+/accounts/register/confirm/\S+/", bytes(body).decode())
                if found:
                    return found.group(0)
        time.sleep(0.2)
    pytest.fail(f"no confirmation mail to {address} in {folder}")


def new_page(browser: Any, *, language: str = "en", width: int = 1280, height: int = 900) -> Any:
    """A page in a fresh context whose browser prefers ``language`` (``both`` via the cookie)."""
    accept = {"en": "en-GB,en;q=0.9", "ja": "ja-JP,ja;q=0.9", "both": "en-GB,en;q=0.9"}[language]
    context = browser.new_context(
        viewport={"width": width, "height": height},
        locale="ja-JP" if language == "ja" else "en-GB",
        timezone_id="Asia/Tokyo" if language == "ja" else "Europe/London",
        extra_http_headers={"Accept-Language": accept},
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def set_display(page: Any, server: str, mode: str) -> None:
    page.context.add_cookies([{"name": "kakehashi_language", "value": mode, "url": server}])


def shoot(page: Any, name: str) -> Path:
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def sign_in(page: Any, server: str, username: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(f"{server}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")
