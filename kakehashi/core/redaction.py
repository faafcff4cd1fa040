"""Masking of secrets in log records: reset links, API tokens, credentials in query strings, cookies.

Request paths are logged by Django (``Bad Request: /accounts/reset/…``) and by the server's
access log; a password-reset link carries its token in the path, a client may put a token or a
password in a query string. ``RedactSecrets`` rewrites each record before any handler writes it.
"""

import logging
import re
from typing import Any

MASK = "[redacted]"
# Loggers whose formatter reads the record's arguments by position.
POSITIONAL_LOGGERS = {"uvicorn.access"}

# Query-string and form parameters whose value is a secret.
SECRET_PARAMETERS = (
    "password",
    "password1",
    "password2",
    "new_password1",
    "new_password2",
    "old_password",
    "token",
    "access_token",
    "api_key",
    "key",
    "secret",
    "flag",
    "submission",
    "invite_code",
    "code",
)

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # /accounts/reset/<uid>/<token>/: the user id may show, the token may not.
    (re.compile(r"(/reset/[^/\s?#\"']+/)[^/\s?#\"']+"), r"\g<1>" + MASK),
    # /accounts/register/confirm/<token>/: a sign-up confirmation link.
    (re.compile(r"(/register/confirm/)[^/\s?#\"']+"), r"\g<1>" + MASK),
    # ?token=…&password=… (also in a logged form body).
    (
        re.compile(r"(?i)((?:^|[?&;\s])(?:" + "|".join(SECRET_PARAMETERS) + r")=)[^&;\s\"']*"),
        r"\g<1>" + MASK,
    ),
    # Authorization: Token …/Bearer … as written in a header dump.
    (re.compile(r"(?i)\b((?:token|bearer)\s+)[A-Za-z0-9._~+/=-]{16,}"), r"\g<1>" + MASK),
    # Kakehashi's personal API tokens anywhere (they start with a public marker).
    (re.compile(r"\bkkh_[A-Za-z0-9_-]{8,}"), "kkh_" + MASK),
    # Session and CSRF cookies in a logged Cookie header.
    (re.compile(r"(?i)(\b[a-z_]*(?:session|csrftoken)[a-z_]*=)[^;\s\"']+"), r"\g<1>" + MASK),
)


def redact(text: str, *, extra_secrets: tuple[str, ...] = ()) -> str:
    """``text`` with every recognisable secret replaced by ``[redacted]``; ``extra_secrets`` literally."""
    for secret in extra_secrets:
        if secret:
            text = text.replace(secret, MASK)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactSecrets(logging.Filter):
    """Masks secrets in a record's arguments, then in the message they make together.

    Arguments are masked in place first, keeping their number and order, because uvicorn's access
    formatter takes the client, method and path from ``record.args`` by position. When a secret is
    only recognisable in the finished message (``"password=%s"``), the record carries the masked
    message instead of its template.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        secrets = _configured_secrets()
        if isinstance(record.args, tuple):
            record.args = tuple(_redact_value(value, secrets) for value in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: _redact_value(value, secrets) for key, value in record.args.items()}
        if record.name in POSITIONAL_LOGGERS:
            return True
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            return True  # a malformed record; logging reports it on its own
        cleaned = redact(message, extra_secrets=secrets)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


def _redact_value(value: Any, secrets: tuple[str, ...]) -> Any:
    return redact(value, extra_secrets=secrets) if isinstance(value, str) else value


def _configured_secrets() -> tuple[str, ...]:
    from django.conf import settings

    if not settings.configured:
        return ()
    key = getattr(settings, "SECRET_KEY", "")
    return (key,) if isinstance(key, str) and len(key) >= 16 else ()
