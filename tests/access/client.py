"""Sending one request of the matrix as one role, and saying what the answer means."""

import re
from dataclasses import dataclass
from typing import Any

from django.contrib.messages import constants as message_levels
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponseBase
from django.test import Client

from tests.access.matrix import ALLOW, FORBID, HIDE, LOGIN, Case
from tests.access.routes import Route
from tests.access.world import MISSING_ID, World

LOGIN_PAGES = ("/accounts/login/", "/django-admin/login/")
DEFAULTS = {
    "slug": "@event:target",
    "challenge_id": "@challenge:visible",
    "hint_id": "@hint:open",
    "flag_id": "@flag:visible",
    "attachment_id": "@attachment:visible",
    "file_id": "@attachment:visible",
    "tag_id": "@tag",
    "team_id": "@team:A",
    "user_id": "@user:player",
    "username": "@username:player",
    "participant_id": "@participant:rival",
    "award_id": "@award",
    "announcement_id": "@announcement",
    "token_id": "@token:player",
    "organisation_id": "@organisation",
    "language": "ja",
    "count": "10",
    "key": "start",
    "route": "rules",
    "uid": "x",
    "token": "y",
    "path": "nothing",
    "url": "nothing/",
    "app_label": "accounts",
    "object_id": "@user:admin",
    "id": "@user:admin",
    "content_type_id": "1",
}


def resolve(world: World, value: Any) -> Any:
    """A world reference (``@challenge:hidden``) as the id, slug or text it names."""
    if isinstance(value, dict):
        return {key: resolve(world, item) for key, item in value.items()}
    if isinstance(value, list):
        return [resolve(world, item) for item in value]
    if not isinstance(value, str) or not value.startswith("@"):
        return value
    kind, _sep, name = value[1:].partition(":")
    refs: dict[str, Any] = {
        "event": lambda: (world.target if name == "target" else world.other).slug,
        "challenge": lambda: world.challenges[name].pk,
        "hint": lambda: world.hints[name].pk,
        "flag": lambda: world.flags[name].pk,
        "attachment": lambda: world.attachments[name].pk,
        "team": lambda: world.teams[name].pk,
        "invite": lambda: world.teams[name].invite_code,
        "user": lambda: world.users[name].pk,
        "username": lambda: world.users[name].username,
        "participant": lambda: world.extra[f"{name}_participant"],
        "token": lambda: world.extra["player_token"],
        "organisation": lambda: world.extra["organisation"],
        "award": lambda: world.award.pk,
        "announcement": lambda: world.announcement.pk,
        "bracket": lambda: world.bracket.pk,
        "tag": lambda: world.challenges["visible"].tags.get().pk,
        "topic": lambda: world.challenges["hidden"].topics.get().pk,
        "missing": lambda: MISSING_ID,
        "file": lambda: SimpleUploadedFile("notes.txt", b"notes"),
    }
    return refs[kind]()


_CONVERTER = re.compile(r"<(?:\w+:)?(\w+)>")
_GROUP = re.compile(r"\(\?P<(\w+)>[^)]*\)")
_LOOKAHEAD = re.compile(r"\(\?!.*?\)")


def url_of(world: World, route: Route, case: Case) -> str:
    params = {**DEFAULTS, **case.params}
    if "name" in _CONVERTER.findall(route.pattern) and "name" not in params:
        wanted = resolve(world, params["attachment_id"])
        names = [a.name for a in world.attachments.values() if a.pk == wanted]
        params["name"] = names[0] if names else "file.txt"

    def value(name: str) -> str:
        return str(resolve(world, params[name]))

    path = _LOOKAHEAD.sub("", route.pattern)
    path = _GROUP.sub(lambda match: value(match.group(1)), path)
    path = _CONVERTER.sub(lambda match: value(match.group(1)), path)
    path = "/" + path.replace("^", "").replace("$", "")
    query = case.query
    if "@" in query:
        query = re.sub(r"@[\w:]+", lambda match: str(resolve(world, match.group(0))), query)
    return f"{path}?{query}" if query else path


@dataclass(frozen=True)
class Outcome:
    kind: str  # ALLOW, LOGIN, FORBID, HIDE, or "error" / "other"
    status: int
    detail: str


def _refused_with_message(response: HttpResponseBase) -> bool:
    request = getattr(response, "wsgi_request", None)
    storage = getattr(request, "_messages", None)
    queued = getattr(storage, "_queued_messages", [])
    return any(message.level >= message_levels.ERROR for message in queued)


# Refusals of the input (the caller got past the access checks) count as allowed.
STATUS_KINDS = {403: FORBID, 404: HIDE, 400: ALLOW, 409: ALLOW, 422: ALLOW}


def classify(response: HttpResponseBase, *, page: bool) -> Outcome:
    status = response.status_code
    location = response.get("Location", "") or ""
    detail = f"{status} {location}".strip()
    redirect = 300 <= status < 400
    kind = "other"
    if status >= 500:
        kind = "error"
    elif status == 401 or (redirect and location.startswith(LOGIN_PAGES)):
        kind = LOGIN
    elif redirect:
        kind = FORBID if page and _refused_with_message(response) else ALLOW
    elif status in STATUS_KINDS:
        kind = STATUS_KINDS[status]
    elif 200 <= status < 300:
        kind = ALLOW
    return Outcome(kind, status, detail)


def send(client: Client, method: str, url: str, body: Any, *, api: bool, multipart: bool, **headers: str) -> Any:
    """One request. API writes send JSON (multipart for uploads); page writes send a form. A route
    that takes any method (``*``) is sent a GET."""
    verb = "get" if method == "*" else method.lower()
    call = getattr(client, verb)
    if verb == "get":
        return call(url, headers=headers)
    if multipart or not api:
        if verb == "post":
            return call(url, data=body or {}, headers=headers)
        return call(url, headers=headers)
    return call(url, data=body if body is not None else {}, content_type="application/json", headers=headers)
