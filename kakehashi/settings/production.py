"""Production: everything from base, hardened. Refuses to start without a secret key.

Kakehashi runs behind a reverse proxy that terminates TLS and sets ``X-Forwarded-Proto``
(see ``docs/security.md``). Each TLS setting can be changed through its ``KAKEHASHI_SECURE_*``
variable, for example to serve a plain-HTTP load test on 127.0.0.1.
"""

from django.core.exceptions import ImproperlyConfigured

from kakehashi.settings.base import *  # noqa: F403
from kakehashi.settings.base import DATABASES, SECRET_KEY
from kakehashi.settings.env import env_bool, env_int

if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured(
        "KAKEHASHI_SECRET_KEY must be set to a random value of at least 50 characters in production."
    )

DEBUG = False

# Cookies travel only over HTTPS (turned off only for a plain-HTTP topology such as a local load test).
SESSION_COOKIE_SECURE = env_bool("KAKEHASHI_SECURE_COOKIES", default=True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE

# The proxy in front terminates TLS and tells us the original scheme in X-Forwarded-Proto; it must
# set (not pass on) that header, or a client could claim HTTPS over plain HTTP.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Plain-HTTP requests are redirected to HTTPS (the health check is exempt for the proxy's probes).
# The older name KAKEHASHI_SSL_REDIRECT is still read when the new one is not set.
SECURE_SSL_REDIRECT = env_bool(
    "KAKEHASHI_SECURE_SSL_REDIRECT", default=env_bool("KAKEHASHI_SSL_REDIRECT", default=True)
)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# HSTS: browsers use HTTPS only for this long after one HTTPS answer (sent on HTTPS answers only).
SECURE_HSTS_SECONDS = env_int(
    "KAKEHASHI_SECURE_HSTS_SECONDS", default=env_int("KAKEHASHI_HSTS_SECONDS", default=31_536_000)
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("KAKEHASHI_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env_bool(
    "KAKEHASHI_SECURE_HSTS_PRELOAD", default=env_bool("KAKEHASHI_HSTS_PRELOAD", default=True)
)

# PostgreSQL connections come from a pool in each process. Under ASGI every request runs its
# synchronous code in a thread of its own, so a connection kept per thread (CONN_MAX_AGE) is never
# reused: each request would open a new one and leave the old one open until the thread is
# collected (hundreds of idle server processes under load). The pool also bounds how many
# connections a process holds: nodes × processes × KAKEHASHI_DB_POOL_SIZE must stay below the
# server's max_connections.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 2,
        "max_size": env_int("KAKEHASHI_DB_POOL_SIZE", default=16),
        "timeout": 10,
    }
