"""Through which way in, and from which address, the current change arrives.

The request being served is bound by :class:`kakehashi.audit.middleware.OriginMiddleware`; outside a
request (management commands, the ``kakehashi`` CLI, imports) the origin is the command line.
"""

import ipaddress
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from kakehashi.audit.choices import Channel


@dataclass(frozen=True)
class Origin:
    channel: str
    source_address: str | None = None


COMMAND_LINE = Origin(channel=Channel.CLI)
_current: ContextVar[Origin | None] = ContextVar("kakehashi_audit_origin", default=None)


def channel_for_path(path: str) -> str:
    """The CTFd-compatible API lives under /api/v1/, the native API under the rest of /api/."""
    if path.startswith("/api/v1/"):
        return Channel.CTFD
    if path == "/api" or path.startswith("/api/"):
        return Channel.API
    return Channel.WEB


def valid_address(value: str | None) -> str | None:
    """The address if it is an IP address (what the server saw), otherwise nothing."""
    if not value:
        return None
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def current() -> Origin:
    return _current.get() or COMMAND_LINE


@contextmanager
def bound(origin: Origin) -> Iterator[Origin]:
    token = _current.set(origin)
    try:
        yield origin
    finally:
        _current.reset(token)
