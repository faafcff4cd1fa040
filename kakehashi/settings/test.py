"""Test settings: development settings with a fast password hasher and an isolated data directory."""

import tempfile
from pathlib import Path

import dj_database_url

from kakehashi.settings.development import *  # noqa: F403
from kakehashi.settings.env import env_str

DATA_DIR = Path(tempfile.mkdtemp(prefix="kakehashi-test-"))
MEDIA_ROOT = DATA_DIR / "media"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
SECRET_KEY = "test-only-secret-key-not-used-anywhere-else-0123456789abcdef"  # noqa: S105

_test_database_url = env_str("KAKEHASHI_TEST_DATABASE_URL")
if _test_database_url:
    DATABASES = {"default": dj_database_url.parse(_test_database_url)}
    allow_prepared_statements(DATABASES["default"])
else:
    DATABASES = {
        "default": {
            "ENGINE": "kakehashi.core.sqlite",
            "NAME": str(DATA_DIR / "test.sqlite3"),
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
            "TEST": {"NAME": str(DATA_DIR / "test.sqlite3")},
        }
    }

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Deterministic tests: standings are recomputed before the changing call returns.
STANDINGS_IN_BACKGROUND = False
TOKEN_USE_WRITE_SECONDS = 0  # written at once, so that tests see them
