"""``kakehashi serve``: the production server (uvicorn, ASGI), never Django's runserver."""

import copy
import os
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser


def default_workers() -> int:
    """One worker process per core: each is an event loop that also holds idle live connections."""
    return max(1, os.cpu_count() or 1)


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
        parser.add_argument("--log-level", default="info")

    def handle(self, *args: Any, **options: Any) -> None:
        import uvicorn

        port = options["port"]
        if not 0 < port < 65536:
            raise CommandError("--port must be between 1 and 65535")
        workers = options["workers"] or default_workers()
        if workers > 1 and not settings.REDIS_URL:
            # Without Redis each process would keep its own standings cache and live fan-out.
            self.stderr.write("KAKEHASHI_REDIS_URL is not set: serving with one worker process.")
            workers = 1
        self.stdout.write(f"Kakehashi listening on http://{options['host']}:{port}/ ({workers} worker(s))")
        uvicorn.run(
            "kakehashi.asgi:application",
            host=options["host"],
            port=port,
            workers=workers,
            lifespan="off",
            proxy_headers=True,
            forwarded_allow_ips=os.environ.get("KAKEHASHI_FORWARDED_ALLOW_IPS", "127.0.0.1"),
            timeout_graceful_shutdown=options["graceful_timeout"],
            log_level=options["log_level"],
            log_config=uvicorn_log_config(),
            server_header=False,
        )
