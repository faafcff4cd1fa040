"""Development and the embedded demo: a secret key is generated once and kept in the data directory."""

import secrets

from kakehashi.settings.base import *  # noqa: F403
from kakehashi.settings.base import DATA_DIR, SECRET_KEY, STATIC_ROOT


def _stored_secret_key() -> str:
    path = DATA_DIR / "secret_key"
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    path.touch(mode=0o600)
    path.write_text(key, encoding="ascii")
    return key


if not SECRET_KEY:
    SECRET_KEY = _stored_secret_key()

# WhiteNoise serves static files from the apps; it expects this folder to exist.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
