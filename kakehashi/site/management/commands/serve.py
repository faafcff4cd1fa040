"""``kakehashi serve``: the production server (uvicorn, ASGI), never Django's runserver.

Why uvicorn, and this worker model (see ``docs/deployment.md``):

- Every worker process runs one asyncio event loop. A live connection (Server-Sent Events) is a
  coroutine waiting on a queue, so thousands of idle connections cost memory, not workers; ordinary
  requests run Django's synchronous views in the worker's thread, one at a time, as the interpreter
  would anyway.
- One worker per core uses the machine; with more than one worker the processes must share their
  state through Redis (cache, standings, live fan-out), so without ``KAKEHASHI_REDIS_URL`` one
  worker serves.
- Stopping (SIGTERM or SIGINT) drains: the listening socket closes, live connections are told to
  end at once (browsers reconnect, to another process behind the proxy), and requests in flight get
  up to ``--graceful-timeout`` seconds to finish.
"""

import copy
import os
import resource
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser


def default_workers() -> int:
    """One worker process per core: each is an event loop that also holds idle live connections."""
    return max(1, os.cpu_count() or 1)


def raise_open_files_limit() -> int:
    """Every connection is a file descriptor: lift the soft limit to the hard one. Returns the limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        target = 1_048_576 if hard == resource.RLIM_INFINITY else hard
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass
    return soft


def uvicorn_log_config() -> dict[str, Any]:
    """uvicorn's own logging, with secrets (reset links, tokens in query strings) masked in every line."""
    from uvicorn.config import LOGGING_CONFIG

    config: dict[str, Any] = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["redact_secrets"] = {"()": "kakehashi.core.redaction.RedactSecrets"}
    for handler in config["handlers"].values():
        handler.setdefault("filters", []).append("redact_secrets")
    return config


class Command(BaseCommand):
    help = "Serve Kakehashi with uvicorn (ASGI). Binds to 127.0.0.1:8000 unless told otherwise."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("KAKEHASHI_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("KAKEHASHI_PORT", "8000")))
        parser.add_argument("--workers", type=int, default=None, help="Worker processes (default: one per core).")
        parser.add_argument("--graceful-timeout", type=int, default=30, help="Seconds to drain on shutdown.")
        parser.add_argument("--backlog", type=int, default=4096, help="Connections waiting to be accepted.")
        parser.add_argument("--log-level", default="info")

    def handle(self, *args: Any, **options: Any) -> None:
        import uvicorn

        port = options["port"]
        if not 0 < port < 65536:
            raise CommandError("--port must be between 1 and 65535")
        workers = options["workers"] or default_workers()
        if workers < 1:
            raise CommandError("--workers must be at least 1")
        if workers > 1 and not settings.REDIS_URL:
            # Without Redis each process would keep its own standings cache and live fan-out.
            self.stderr.write("KAKEHASHI_REDIS_URL is not set: serving with one worker process.")
            workers = 1
        open_files = raise_open_files_limit()
        self.stdout.write(
            f"Kakehashi listening on http://{options['host']}:{port}/ ({workers} worker(s), {open_files} open files)"
        )
        os.environ["KAKEHASHI_SERVING"] = "1"  # worker processes end their live connections when told to stop
        uvicorn.run(
            "kakehashi.asgi:application",
            host=options["host"],
            port=port,
            workers=workers,
            lifespan="off",
            proxy_headers=True,
            forwarded_allow_ips=os.environ.get("KAKEHASHI_FORWARDED_ALLOW_IPS", "127.0.0.1"),
            timeout_graceful_shutdown=options["graceful_timeout"],
            backlog=options["backlog"],
            log_level=options["log_level"],
            log_config=uvicorn_log_config(),
            server_header=False,
        )
