"""What an audit entry stores of a change: JSON values only, only what differs, never a secret.
Pure functions: no database, no settings."""

import json
from collections.abc import Mapping
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

# Keys whose values are never stored, wherever they appear; services record fingerprints instead.
SECRET_WORDS = ("password", "token", "secret", "digest", "api_key")
REDACTED = "[redacted]"


def is_secret(key: str) -> bool:
    lowered = key.lower()
    return any(word in lowered for word in SECRET_WORDS) and not lowered.endswith("_fingerprint")


def jsonable(value: Any) -> Any:
    """The value as it reads back from a JSON column (times as ISO text, tuples as lists)."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def redact(value: Any) -> Any:
    """The value with every secret-named key's value replaced, at any depth."""
    if isinstance(value, Mapping):
        return {key: REDACTED if is_secret(str(key)) else redact(item) for key, item in value.items()}
    if isinstance(value, list):
        return [redact(item) for item in value]
    return value


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the keys whose values differ, on each side; a key missing on one side is left out there.
    Nested mappings (texts by language) are compared key by key in the same way."""
    old: dict[str, Any] = {}
    new: dict[str, Any] = {}
    for key in [*before, *(key for key in after if key not in before)]:
        was, now = before.get(key), after.get(key)
        if key in before and key in after and isinstance(was, Mapping) and isinstance(now, Mapping):
            inner_old, inner_new = diff(was, now)
            if inner_old or inner_new:
                old[key], new[key] = inner_old, inner_new
        elif key not in after:
            old[key] = was
        elif key not in before:
            new[key] = now
        elif was != now:
            old[key], new[key] = was, now
    return old, new
