"""ctfcli 0.1.8, unchanged, installs, syncs and verifies challenges against a real Kakehashi server."""

import hashlib
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from kakehashi.accounts import services as accounts
from kakehashi.accounts.tests.factories import UserFactory
from kakehashi.ctf.ctfd.challenges import OVERRIDE_REASON
from kakehashi.ctf.models import Challenge, EventStaff
from kakehashi.ctf.tests.factories import EventFactory
from tests.test_ratelimit_processes import ROOT, database_url, free_port

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

CTF = Path(sys.executable).with_name("ctf")

BRIDGE = """\
name: Bridge
author: Alice
category: web
description: Cross the bridge.
attribution: Alice
value: 100
type: standard
logic: any
flags:
  - flag{bridge}
  - {type: static, content: "FLAG{Case}", data: case_insensitive}
tags:
  - web
  - easy
files:
  - dist/bridge.txt
hints:
  - {content: Look down., cost: 10}
  - Free hint
state: visible
version: "0.1"
"""

TOWER = """\
name: Tower
category: crypto
description: Climb the tower.
attribution: Bob
value: 500
type: dynamic
extra:
  initial: 500
  decay: 10
  minimum: 100
logic: any
flags:
  - flag{tower}
requirements:
  - Bridge
state: visible
version: "0.1"
"""

LANTERN = """\
name: Lantern
category: misc
description: Light the lantern.
attribution: Carol
value: 200
connection_info: nc lantern.example 1337
logic: any
flags:
  - flag{lantern}
tags:
  - beginner
hints:
  - {title: Fire, content: Use a match., cost: 5}
extra:
  translations:
    ja:
      name: 灯籠
      description: 灯籠に火を灯してください。
      connection_info: nc lantern.example 1337
      hints:
        - {title: 火, content: マッチを使ってください。}
state: visible
version: "0.1"
"""


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KAKEHASHI_", "DJANGO_", "CTFCLI_"))}
    env |= {"KAKEHASHI_DATA_DIR": str(tmp_path / "data"), "KAKEHASHI_DATABASE_URL": database_url()}
    port = free_port()
    command = [sys.executable, "-m", "kakehashi", "serve", "--port", str(port), "--workers", "1"]
    process = subprocess.Popen(
        [*command, "--log-level", "warning"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    pytest.fail("the server did not start")
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def _repository(root: Path, url: str, token: str) -> Path:
    (root / ".ctf").mkdir(parents=True)
    challenges = "".join(f"{name} = {name}\n" for name in ("bridge", "tower", "lantern"))
    config = f"[config]\nurl = {url}\naccess_token = {token}\n\n[challenges]\n{challenges}"
    (root / ".ctf" / "config").write_text(config, encoding="utf-8")
    for name, text in (("bridge", BRIDGE), ("tower", TOWER), ("lantern", LANTERN)):
        (root / name).mkdir()
        (root / name / "challenge.yml").write_text(text, encoding="utf-8")
    (root / "bridge" / "dist").mkdir()
    (root / "bridge" / "dist" / "bridge.txt").write_bytes(b"planks and rope\n")
    return root


def _ctf(repository: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CTFCLI_")}
    return subprocess.run(
        [str(CTF), "challenge", *arguments],
        check=False,
        cwd=repository,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _by_title(title: str) -> Challenge:
    return next(c for c in Challenge.objects.prefetch_related("translations") if c.text("title", "en") == title)


@pytest.mark.skipif(not CTF.exists(), reason="ctfcli is not installed next to this Python (pip install ctfcli==0.1.8)")
def test_install_sync_and_verify(server: str, tmp_path: Path) -> None:
    event = EventFactory.create(is_default=True)
    organiser = UserFactory.create()
    EventStaff.objects.create(event=event, user=organiser, role="organiser")
    _row, token = accounts.api_token_create(user=organiser)
    repository = _repository(tmp_path / "repo", server, token)

    installed = _ctf(repository, "install")
    assert installed.returncode == 0, installed.stdout + installed.stderr
    assert _ctf(repository, "verify").returncode == 0

    bridge, tower, lantern = _by_title("Bridge"), _by_title("Tower"), _by_title("Lantern")
    assert {c.state for c in (bridge, tower, lantern)} == {"visible"}
    assert bridge.publish_override_reason == OVERRIDE_REASON
    assert lantern.publish_override_reason == ""
    assert (lantern.text("title", "ja"), lantern.text("connection_info", "ja")) == ("灯籠", "nc lantern.example 1337")
    assert lantern.hints.get().text("content", "ja") == "マッチを使ってください。"
    assert [(f.content, f.case_insensitive) for f in bridge.flags.all()] == [
        ("flag{bridge}", False),
        ("FLAG{Case}", True),
    ]
    assert [t.value for t in bridge.tags.all()] == ["web", "easy"]
    assert [(h.text("content", "en"), h.cost) for h in bridge.hints.all()] == [("Look down.", 10), ("Free hint", 0)]
    assert [a.sha256 for a in bridge.attachments.all()] == [hashlib.sha256(b"planks and rope\n").hexdigest()]
    assert (tower.function, tower.value, tower.decay, tower.minimum) == ("logarithmic", 500, 10, 100)
    assert list(tower.prerequisites.all()) == [bridge]

    (repository / "bridge" / "challenge.yml").write_text(BRIDGE.replace("value: 100", "value: 150"), encoding="utf-8")
    (repository / "bridge" / "dist" / "bridge.txt").write_bytes(b"steel cables\n")
    assert _ctf(repository, "verify").returncode != 0
    synced = _ctf(repository, "sync")
    assert synced.returncode == 0, synced.stdout + synced.stderr
    verified = _ctf(repository, "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr

    bridge = _by_title("Bridge")
    assert (bridge.value, bridge.state) == (150, "visible")
    assert [a.sha256 for a in bridge.attachments.all()] == [hashlib.sha256(b"steel cables\n").hexdigest()]
    assert [t.value for t in bridge.tags.all()] == ["web", "easy"]
    assert _by_title("Lantern").hints.get().text("content", "ja") == "マッチを使ってください。"
    assert list(_by_title("Tower").prerequisites.all()) == [bridge]
