"""Personal API tokens: generation, digest and header parsing — pure, no I/O."""

import hashlib
import secrets

TOKEN_PREFIX = "kkh_"  # noqa: S105  (a public marker, not a secret)
PREFIX_LENGTH = 12


def generate() -> str:
    """A new token: a recognisable prefix and 256 bits of randomness."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def digest(raw: str) -> str:
    """Tokens carry full entropy, so one SHA-256 round is enough; the digest is what is stored."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def display_prefix(raw: str) -> str:
    return raw[:PREFIX_LENGTH]


def from_authorization(header: str | None) -> str | None:
    """The token in ``Authorization: Token <token>`` (``Bearer`` is accepted too)."""
    if not header:
        return None
    scheme, _space, value = header.strip().partition(" ")
    if scheme.lower() not in {"token", "bearer"}:
        return None
    value = value.strip()
    return value or None
