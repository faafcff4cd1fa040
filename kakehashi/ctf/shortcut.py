"""A token holder's challenge list and flag submissions, answered without Django's machinery once
Django has allowed the same request.

In the first minute of an event every player's client asks for its challenge list and submits
flags, each with its own API token. Django answers one such request in several milliseconds, much
of it spent on its own machinery (middleware, URL resolution, the API's parameter handling) and on
the same three reads per request: the token, the registration with its team, the staff role.

This module keeps, per process, what Django decided for a request (a *grant*: whose token, which
event, which team, staff or not, which language, and the answer's headers) and answers the same
kind of request again from it, in front of Django, for as long as nothing the decision read has
changed:

- Only ``GET /api/events/<slug>/challenges`` and ``POST /api/challenges/<id>/attempts`` (JSON) with
  a token in ``Authorization``, no cookie and no query string take this path. A grant is kept under
  the token's digest, the event's address name (lists; flags share one grant per token for every
  challenge of the grant's event) and every header Django's answer depended on (``Accept-Language``,
  host, scheme).
- Django makes the grant, in the view, after its own access rules allowed the request
  (:func:`begin` and :func:`offer`): the shared versions of the account and of the event are read
  *before* the registration and the staff role are read, and the token and the account are read
  once more after them, so a change committed after those reads changes a version the grant holds.
- Versions are shared-cache keys changed by every save and deletion of an account, a token, a staff
  role, a registration or a team (signals, so the admin and imports are included), once at once and
  once more after the commit. The bulk updates of registrations in the code (a team disbanded, a
  CTFd import) are each followed by a save or deletion of the team, which changes the event's
  version. A version that is missing (the cache was cleared) or a shared cache that is unreachable
  sends every request to Django; a grant is also made again after :data:`MAX_AGE` seconds (which
  bounds a change made by raw SQL), and the token's expiry, the event's start and, for a flag, that
  the challenge is open are checked on every request.
- The answer is the one Django would give: the same prepared list, headers, ``ETag`` and ``304``;
  for a flag, the same service judges it in the same transaction, and a body Django's parser or
  schema would refuse is left to Django. Anything unexpected before a flag is judged (an error, a
  deleted event) sends the request to Django, which answers it as always.
"""

import io
import json
import logging
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.http import HttpRequest
from django.utils import timezone, translation
from ninja.responses import NinjaJSONEncoder
from pydantic import ValidationError

from kakehashi.accounts import services as account_services
from kakehashi.accounts import tokens
from kakehashi.accounts.models import ApiToken, User
from kakehashi.accounts.selectors import LAST_USED_PRECISION
from kakehashi.core import unavailable, versions
from kakehashi.core.api import MalformedBody, parse_json_object
from kakehashi.core.conditional import names_etag
from kakehashi.core.memo import Memo
from kakehashi.core.queries import only_row
from kakehashi.core.unavailable import DATABASE_ERRORS
from kakehashi.ctf import access, known_challenges, known_events, outcomes, prepared
from kakehashi.ctf.choices import SubmissionResult
from kakehashi.ctf.models import Challenge, Event, Team
from kakehashi.ctf.schemas import AttemptIn, AttemptOut
from kakehashi.ctf.services import play

logger = logging.getLogger(__name__)

BOARD_ROUTE = re.compile(r"^/api/events/([^/]+)/challenges$")
ATTEMPT_ROUTE = re.compile(r"^/api/challenges/([0-9]{1,18})/attempts$")
ROUTES = (BOARD_ROUTE, ATTEMPT_ROUTE)
LARGEST_ATTEMPT = 16 * 1024  # bytes; a larger body is Django's to refuse
ELIGIBLE = "kakehashi.shortcut.key"  # in the WSGI environ: the request may be answered from a grant
CANDIDATE = "kakehashi.shortcut.candidate"  # in the WSGI environ: the grant Django offers
CHALLENGE_ID = "kakehashi.shortcut.challenge"  # in the WSGI environ: the challenge a flag is for
MAX_AGE = 600.0  # seconds a grant is used at most, whatever the versions say (bounds raw SQL)
MAX_GRANTS = 20_000  # per process; the oldest go first
KEY_HEADERS = ("HTTP_ACCEPT_LANGUAGE", "HTTP_HOST", "HTTP_X_FORWARDED_HOST", "HTTP_X_FORWARDED_PROTO")
NOT_KEPT_HEADERS = {"etag", "content-length", "set-cookie", "retry-after"}
NOT_MODIFIED_DROPS = {"content-type", "content-length"}

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
WSGIApp = Callable[[Environ, StartResponse], Iterable[bytes]]
Versions = tuple[str, ...]  # of the account, of the event


def _account_key(user_id: int) -> str:
    return f"ctf:grants:account:{user_id}"


def _event_key(event_id: int) -> str:
    return f"ctf:grants:event:{event_id}"


def _keys(user_id: int, event_id: int) -> list[str]:
    return [_account_key(user_id), _event_key(event_id)]


def _shared_cache_down() -> bool:
    return bool(getattr(cache, "redis_down", False))


def _versions(user_id: int, event_id: int, *, create: bool, found: Mapping[str, Any] | None = None) -> Versions | None:
    """The current versions of what a grant for this account and event depends on (``None`` if one
    is missing and not ``create``). ``found``: what the caller already read of the shared cache."""
    if _shared_cache_down():
        return None
    keys = _keys(user_id, event_id)
    if create:
        current = versions.current(keys, known=found)
        return None if current is None else tuple(current[key] for key in keys)
    found = cache.get_many(keys) if found is None else found
    if any(found.get(key) is None for key in keys):
        return None
    return tuple(str(found[key]) for key in keys)


# --- what changes a version --------------------------------------------------------------------


def grants_changed(*, user_ids: Iterable[int] = (), event_ids: Iterable[int] = ()) -> None:
    """Accounts, registrations or teams changed: grants that read them are made again.

    Changed at once, and once more when the transaction commits, so that no grant made from what
    was read in between survives."""
    versions.change([*(_account_key(pk) for pk in user_ids), *(_event_key(pk) for pk in event_ids)])


def on_account_write(sender: type, instance: Any, **kwargs: Any) -> None:
    """Signal receiver: an account was saved or deleted (a sign-in's ``last_login`` alone is not a change)."""
    fields = kwargs.get("update_fields")
    if fields is not None and set(fields) <= {"last_login"}:
        return
    grants_changed(user_ids=[instance.pk])


def on_user_row_write(sender: type, instance: Any, **kwargs: Any) -> None:
    """Signal receiver: a token or a staff role of an account was saved or deleted."""
    fields = kwargs.get("update_fields")
    if fields is not None and set(fields) <= {"last_used_at"}:
        return
    grants_changed(user_ids=[instance.user_id])


def on_event_row_write(sender: type, instance: Any, **kwargs: Any) -> None:
    """Signal receiver: a registration or a team of an event was saved or deleted."""
    grants_changed(event_ids=[instance.event_id])


# --- Django's side: making a grant ---------------------------------------------------------------


@dataclass(frozen=True)
class Pending:
    user_id: int
    event_id: int
    versions: Versions


@dataclass(frozen=True)
class Candidate:
    digest: str
    user_id: int
    token_id: int
    expires_at: datetime
    event_id: int
    team_id: int | None
    staff: bool
    language: str
    versions: Versions


def begin(request: HttpRequest, event_id: int) -> Pending | None:
    """Before the access rules read anything: the versions a grant for this request would hold."""
    if ELIGIBLE not in request.META or not getattr(request, "api_token_used", False):
        return None
    user_id = request.user.pk
    if user_id is None:
        return None
    versions = _versions(user_id, event_id, create=True)
    return None if versions is None else Pending(user_id=user_id, event_id=event_id, versions=versions)


def offer(request: HttpRequest, pending: Pending | None, *, team_id: int | None, staff: bool, language: str) -> None:
    """After the access rules allowed the request: offer the grant, the token and account read again."""
    if pending is None:
        return
    raw = tokens.from_authorization(request.headers.get("Authorization"))
    if raw is None:
        return
    digest = tokens.digest(raw)
    row = only_row(ApiToken.objects.select_related("user").filter(digest=digest))
    if row is None or row.user_id != pending.user_id or not row.is_active_at(timezone.now()):
        return
    account = row.user
    seen = request.user
    if (
        not account.is_active
        or account.role != getattr(seen, "role", None)
        or account.is_superuser != getattr(seen, "is_superuser", None)
        or account.preferred_language != getattr(seen, "preferred_language", None)
    ):
        return
    request.META[CANDIDATE] = Candidate(
        digest=digest,
        user_id=pending.user_id,
        token_id=row.pk,
        expires_at=row.expires_at,
        event_id=pending.event_id,
        team_id=team_id,
        staff=staff,
        language=language,
        versions=pending.versions,
    )


# --- the shortcut in front of Django -------------------------------------------------------------


@dataclass
class Grant:
    candidate: Candidate
    headers: list[tuple[str, str]]
    made_at: float
    use_noted_at: float


_grants = Memo(MAX_GRANTS)


def forget() -> None:
    """Drop every grant of this process (tests)."""
    _grants.clear()


def _request_key(environ: Environ) -> tuple[Any, ...] | None:
    """The key a grant for this request is kept under, or ``None`` if it is not for this path."""
    if environ.get("QUERY_STRING") or "HTTP_COOKIE" in environ:
        return None
    method, path = environ.get("REQUEST_METHOD"), environ.get("PATH_INFO", "")
    target: tuple[str, Any]
    if method == "GET" and (found := BOARD_ROUTE.match(path)) is not None:
        target = ("board", found.group(1))
    elif method == "POST" and (found := ATTEMPT_ROUTE.match(path)) is not None:
        if not str(environ.get("CONTENT_TYPE", "")).startswith("application/json"):
            return None
        # One grant per token for every challenge: the challenge's event is checked against it.
        target = ("attempt", None)
        environ[CHALLENGE_ID] = int(found.group(1))
    else:
        return None
    raw = tokens.from_authorization(environ.get("HTTP_AUTHORIZATION"))
    if raw is None:
        return None
    headers = tuple(environ.get(name, "") for name in KEY_HEADERS)
    return (tokens.digest(raw), *target, environ.get("wsgi.url_scheme"), *headers)


def _read_body(environ: Environ) -> bytes | None:
    """The request body, left readable again for Django; ``None`` (nothing read) if its length is
    not given or is over :data:`LARGEST_ATTEMPT`."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or "")
    except ValueError:
        return None
    if not 0 <= length <= LARGEST_ATTEMPT:
        return None
    raw = environ["wsgi.input"].read(length)
    environ["wsgi.input"] = io.BytesIO(raw)
    return bytes(raw)


def _flag_of(raw: bytes) -> str | None:
    """The flag of a body Django's parser and schema would accept, or ``None`` (Django answers)."""
    try:
        data = parse_json_object(raw)
        return AttemptIn.model_validate(data).flag if set(data) == {"flag"} else None
    except (MalformedBody, ValidationError):
        return None


Answer = tuple[str, list[tuple[str, str]], bytes]


class Shortcut:
    """WSGI middleware in front of Django; see the module's description."""

    def __init__(self, app: WSGIApp, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.app = app
        self.clock = clock

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        key = _request_key(environ)
        if key is None:
            return self.app(environ, start_response)
        raw = b""
        if key[1] == "attempt":
            body = _read_body(environ)
            if body is None:
                return self.app(environ, start_response)
            raw = body
        grant: Grant | None = _grants.get(key)
        if grant is not None:
            answer = (
                self._board(grant, environ)
                if key[1] == "board"
                else self._attempt(grant, environ[CHALLENGE_ID], raw, environ.get("REMOTE_ADDR"))
            )
            if answer is not None:
                status, headers, content = answer
                start_response(status, headers)
                return [content]
            _grants.drop(key)
        environ[ELIGIBLE] = key
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            captured["status"] = status
            captured["headers"] = headers
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        result = self.app(environ, capture)
        candidate = environ.get(CANDIDATE)
        if isinstance(candidate, Candidate) and candidate.digest == key[0]:
            self._keep(key, candidate, captured)
        return result

    def _keep(self, key: tuple[Any, ...], candidate: Candidate, captured: dict[str, Any]) -> None:
        status = str(captured.get("status", ""))
        headers: list[tuple[str, str]] = list(captured.get("headers", []))
        if not status.startswith("200"):
            return
        if any(name.lower() == "set-cookie" for name, _value in headers):
            return
        kept = [(name, value) for name, value in headers if name.lower() not in NOT_KEPT_HEADERS]
        now = self.clock()
        _grants.put(key, Grant(candidate=candidate, headers=kept, made_at=now, use_noted_at=now))

    def _current(self, grant: Grant, extra_keys: list[str]) -> tuple[Event, dict[str, Any]] | None:
        """The grant's event when nothing the grant depends on has changed, with what was read of
        the shared cache (the grant's versions and ``extra_keys``, in one round trip)."""
        candidate = grant.candidate
        now = self.clock()
        if now - grant.made_at >= MAX_AGE or timezone.now() >= candidate.expires_at or _shared_cache_down():
            return None
        keys = [*_keys(candidate.user_id, candidate.event_id), known_events.VERSION_KEY, *extra_keys]
        found = cache.get_many(keys)
        if _versions(candidate.user_id, candidate.event_id, create=False, found=found) != candidate.versions:
            return None
        event = known_events.shared_by_id(candidate.event_id, known=found)
        if event is None or (not candidate.staff and not access.can_see_challenges(event)):
            return None
        if now - grant.use_noted_at > LAST_USED_PRECISION:
            grant.use_noted_at = now
            account_services.api_token_used(token_id=candidate.token_id)
        return event, found

    def _board(self, grant: Grant, environ: Environ) -> Answer | None:
        """The challenge list; ``None`` sends the request to Django."""
        candidate = grant.candidate
        try:
            current = self._current(grant, prepared.read_ahead_keys(candidate.event_id, staff=candidate.staff))
            if current is None:
                return None
            event, found = current
            document = prepared.challenge_list(
                event, team_id=candidate.team_id, staff=candidate.staff, language=candidate.language, known=found
            )
        except Exception:  # Django answers instead, and reports whatever this was
            logger.exception("shortcut: answering a challenge list from a grant failed; Django answers")
            return None
        condition = environ.get("HTTP_IF_NONE_MATCH")
        if condition and names_etag(condition, document.etag):
            headers = [(n, v) for n, v in grant.headers if n.lower() not in NOT_MODIFIED_DROPS]
            return "304 Not Modified", [*headers, ("ETag", document.etag)], b""
        headers = [*grant.headers, ("ETag", document.etag), ("Content-Length", str(len(document.body)))]
        return "200 OK", headers, document.body

    def _attempt(self, grant: Grant, challenge_id: int, raw: bytes, address: str | None) -> Answer | None:
        """A flag submission, judged by the same service as Django's view; ``None`` sends the request
        to Django, which only happens before anything is written."""
        candidate = grant.candidate
        flag = _flag_of(raw)
        target = self._open_challenge(grant, challenge_id) if flag is not None else None
        if flag is None or target is None or candidate.team_id is None:
            return None
        event, challenge, found = target
        with translation.override(candidate.language):
            try:
                outcome = play.submission_attempt(
                    challenge=challenge,
                    team=Team(pk=candidate.team_id, event_id=event.pk),
                    user=User(pk=candidate.user_id),
                    provided=flag,
                    source_address=address,
                    event=event,
                    known=found,
                )
            except DATABASE_ERRORS:
                body = json.dumps(unavailable.api_body()).encode()
                headers = self._headers(grant, body, retry_after=unavailable.RETRY_AFTER_SECONDS)
                return "503 Service Unavailable", headers, body
            finally:
                request_finished.send(sender=Shortcut)
            out = AttemptOut(
                result=outcome.result,
                message=outcomes.message(outcome.result),
                retry_after=outcome.retry_after,
                blood=outcome.blood,
            )
            body = json.dumps(out.model_dump(), cls=NinjaJSONEncoder).encode()
        if outcome.result == SubmissionResult.RATE_LIMITED:
            return "429 Too Many Requests", self._headers(grant, body, retry_after=outcome.retry_after), body
        return "200 OK", self._headers(grant, body), body

    def _open_challenge(self, grant: Grant, challenge_id: int) -> tuple[Event, Challenge, dict[str, Any]] | None:
        """The grant's event and the challenge (read only: kept by this process), if the grant holds
        and the challenge is open to play, with what was read of the shared cache."""
        try:
            request_started.send(sender=Shortcut)  # as Django does: a broken or old connection is replaced
            current = self._current(grant, [known_challenges.version_key(challenge_id)])
            if current is None:
                return None
            event, found = current
            rules = known_challenges.rules(challenge_id, known=found)
        except Exception:
            logger.exception("shortcut: checking a flag submission's grant failed; Django answers")
            return None
        if rules is None:
            return None
        challenge = rules.challenge
        if challenge.event_id != event.pk or not access.challenge_open(challenge, event):
            return None
        return event, challenge, found

    @staticmethod
    def _headers(grant: Grant, body: bytes, *, retry_after: int | None = None) -> list[tuple[str, str]]:
        headers = [*grant.headers, ("Content-Length", str(len(body)))]
        if retry_after is not None:
            headers.append(("Retry-After", str(retry_after)))
        return headers
