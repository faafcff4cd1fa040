"""The access matrix: for every route of the URL configuration, who may use it.

Keys are the route keys of :mod:`tests.access.routes` (``METHOD /pattern``). Each entry is a list of
cases; a case names the objects of the fixture world that fill the URL (``@challenge:hidden``), the
body of a write, and the expected outcome for each of the eight roles:

``ALLOW``   the request got past the access checks: a 2xx answer, a redirect that is not a refusal, or
            a 400/409/422 refusal of the input by the service (the caller was allowed to ask);
``LOGIN``   sign in first: 401 from an API, a redirect to a sign-in page from a page;
``FORBID``  403; for participant pages also the redirect back to the event page with the reason; the
            CTFd-compatible API answers 403 without credentials, as CTFd does;
``HIDE``    404, so that the object's existence does not leak.

The policy: events, public teams, the scoreboard (of a public-scoreboard event), announcements and
event pages are public. Everything of a challenge (text, hints, files, solvers) needs an approved
participant with a team once the challenge is shown and released; hidden or scheduled challenges, and
their hints and files, are *not found* for everyone but the event's staff. Event-scoped staff paths
refuse with 403 (the event is public); staff objects reached by their own id (``/api/manage/flags/7``)
are not found (404) for anyone who does not organise their event. Judges read the live scoreboard,
the submission log and flag sharing, but change nothing. A platform administrator organises every event.

Django's admin site is one rule (:data:`ADMIN_SITE`): Django itself lets only ``is_staff`` accounts in.
"""

from dataclasses import dataclass, field
from typing import Any

ALLOW = "allow"
LOGIN = "login"
FORBID = "forbid"
HIDE = "hide"

ROLES = ("anonymous", "outsider", "rival", "player", "judge", "foreign_organiser", "organiser", "admin")


def expect(anonymous: str, others: str, **roles: str) -> dict[str, str]:
    """``anonymous``'s outcome, ``others`` for every signed-in role not named."""
    unknown = set(roles) - set(ROLES)
    assert not unknown, unknown
    return {"anonymous": anonymous} | {role: roles.get(role, others) for role in ROLES[1:]}


@dataclass(frozen=True)
class Case:
    expect: dict[str, str]
    params: dict[str, str] = field(default_factory=dict)  # URL keyword → world reference
    body: dict[str, Any] | None = None  # JSON for APIs, form fields for pages
    query: str = ""
    multipart: bool = False
    method: str = ""  # the method to send to a route that takes any (``*``); GET if not given
    sessions: bool = True  # an API route is also called with the browser session, not only the token
    note: str = ""


# --- common rows ----------------------------------------------------------------------------------

EVERYONE = expect(ALLOW, ALLOW)
SIGNED_IN = expect(LOGIN, ALLOW)
ADMINS = expect(LOGIN, FORBID, admin=ALLOW)
# An event-scoped organiser path (the event is public): 403.
ORGANISERS = expect(LOGIN, FORBID, organiser=ALLOW, admin=ALLOW)
# Judges and organisers of the event.
JUDGES = expect(LOGIN, FORBID, judge=ALLOW, organiser=ALLOW, admin=ALLOW)
# A staff object reached by its own id: not found for anyone who does not organise its event.
ORGANISERS_BY_ID = expect(LOGIN, HIDE, organiser=ALLOW, admin=ALLOW)
# The challenge board: participants once the event started, and the event's staff.
BOARD = expect(LOGIN, FORBID, rival=ALLOW, player=ALLOW, judge=ALLOW, organiser=ALLOW, admin=ALLOW)
# Playing a shown challenge: approved participants with a team (staff are not participants here).
PLAYERS = expect(LOGIN, FORBID, rival=ALLOW, player=ALLOW)
# Playing a hidden or scheduled challenge: not found, except for staff, who are told to register.
PLAYERS_HIDDEN = expect(HIDE, HIDE, judge=FORBID, organiser=FORBID, admin=FORBID)
# The native API asks anonymous callers for credentials before it looks at anything.
API_PLAYERS_HIDDEN = PLAYERS_HIDDEN | {"anonymous": LOGIN}
# Registration: anyone signed in, once (the two participants are registered already: refused input).
REGISTER = expect(LOGIN, ALLOW)
# Team changes: a registered participant; those not registered are refused.
REGISTERED = expect(LOGIN, FORBID, rival=ALLOW, player=ALLOW)

# The CTFd-compatible API answers 403 without credentials, as CTFd does.
CTFD_EVERYONE = EVERYONE
CTFD_SIGNED_IN = expect(FORBID, ALLOW)
CTFD_ORGANISERS = expect(FORBID, FORBID, organiser=ALLOW, admin=ALLOW)
CTFD_BOARD = expect(FORBID, FORBID, rival=ALLOW, player=ALLOW, judge=ALLOW, organiser=ALLOW, admin=ALLOW)
CTFD_PLAYERS = expect(FORBID, FORBID, rival=ALLOW, player=ALLOW)
CTFD_PLAYERS_HIDDEN = expect(FORBID, HIDE, judge=FORBID, organiser=FORBID, admin=FORBID)

# Files: signed in first (401); then like the challenge, except that refusals are 404; staff always.
FILES_SHOWN = expect(LOGIN, HIDE, rival=ALLOW, player=ALLOW, judge=ALLOW, organiser=ALLOW, admin=ALLOW)
FILES_HIDDEN = expect(LOGIN, HIDE, judge=ALLOW, organiser=ALLOW, admin=ALLOW)

HIDDEN = {"challenge_id": "@challenge:hidden"}
SCHEDULED = {"challenge_id": "@challenge:scheduled"}
MISSING = {"challenge_id": "@missing"}
ELSEWHERE = {"challenge_id": "@challenge:elsewhere"}
NOBODY = expect(HIDE, HIDE)
API_NOBODY = expect(LOGIN, HIDE)


def one(row: dict[str, str], **options: Any) -> list[Case]:
    return [Case(expect=row, **options)]


EVENT_BODY = {
    "slug": "kk-new",
    "names": {"en": "New", "ja": "新規"},
    "starts_at": "2030-01-01T00:00:00Z",
    "ends_at": "2030-01-02T00:00:00Z",
}
CHALLENGE_BODY = {
    "category": "web",
    "value": 10,
    "translations": {"en": {"title": "New", "description": "New."}, "ja": {"title": "新", "description": "新。"}},
}
HINT_BODY = {"translations": {"en": {"content": "More."}, "ja": {"content": "もっと。"}}, "cost": 0}

# --- the native API: accounts and organisations ----------------------------------------------------------

ACCOUNTS_API: dict[str, list[Case]] = {
    "GET /api/accounts/csrf": one(EVERYONE),
    "POST /api/accounts/register": one(
        EVERYONE, body={"username": "kk-fresh", "email": "fresh@example.org", "password": "a long fresh password 1"}
    ),
    "POST /api/accounts/register/confirm": one(EVERYONE, body={"token": "not-a-confirmation-token"}),
    "POST /api/accounts/login": one(
        EVERYONE, body={"username": "kk-player", "password": "correct-horse-battery-staple"}
    ),
    "POST /api/accounts/logout": one(SIGNED_IN),
    "GET /api/accounts/me": one(SIGNED_IN),
    "PATCH /api/accounts/me": one(SIGNED_IN, body={"display_name": "Someone"}),
    "POST /api/accounts/me/password": one(
        SIGNED_IN, body={"old_password": "wrong", "new_password": "a long new password 2"}
    ),
    "POST /api/accounts/password-reset": one(EVERYONE, body={"email": "kkleakmailplayer@example.org"}),
    "POST /api/accounts/password-reset/confirm": one(
        EVERYONE, body={"uid": "x", "token": "y", "new_password": "a long new password 3"}
    ),
    "GET /api/accounts/tokens": one(SIGNED_IN),
    "POST /api/accounts/tokens": one(SIGNED_IN, body={"name": "new"}),
    "DELETE /api/accounts/tokens/<token_id>": one(
        expect(LOGIN, HIDE, player=ALLOW), note="another person's token does not exist for the caller"
    ),
    "GET /api/organisations/": one(EVERYONE),
    "POST /api/organisations/": one(ADMINS, body={"kind": "company", "country": "GB", "names": {"en": "New"}}),
    "GET /api/organisations/<organisation_id>": one(EVERYONE),
    "PUT /api/organisations/<organisation_id>/members/<user_id>": one(ADMINS, body={"role": "member"}),
}

# --- the native API: exercises for participants ---------------------------------------------------------

EXERCISES_API: dict[str, list[Case]] = {
    "GET /api/events": one(EVERYONE),
    "GET /api/events/<slug>": one(EVERYONE),
    "POST /api/events/<slug>/registration": one(REGISTER, body={}),
    "GET /api/events/<slug>/me": one(expect(LOGIN, HIDE, rival=ALLOW, player=ALLOW)),
    "POST /api/events/<slug>/teams": one(REGISTERED, body={"name": "Another team"}),
    "POST /api/events/<slug>/teams/join": one(REGISTERED, body={"invite_code": "@invite:A"}),
    "POST /api/events/<slug>/teams/leave": one(REGISTERED),
    "GET /api/events/<slug>/teams/<team_id>": one(EVERYONE),
    "GET /api/events/<slug>/challenges": one(BOARD),
    "GET /api/challenges/<challenge_id>": [
        Case(PLAYERS),
        Case(API_PLAYERS_HIDDEN, params=HIDDEN),
        Case(API_PLAYERS_HIDDEN, params=SCHEDULED),
        Case(API_NOBODY, params=MISSING),
        Case(
            expect(LOGIN, FORBID, outsider=ALLOW),
            params=ELSEWHERE,
            note="no event in the address: a shown challenge of another event asks to register for it",
        ),
    ],
    "POST /api/challenges/<challenge_id>/attempts": [
        Case(PLAYERS, body={"flag": "flag{wrong}"}),
        Case(API_PLAYERS_HIDDEN, params=HIDDEN, body={"flag": "flag{wrong}"}),
        Case(API_PLAYERS_HIDDEN, params=SCHEDULED, body={"flag": "flag{wrong}"}),
    ],
    "POST /api/hints/<hint_id>/unlock": [
        Case(PLAYERS),
        Case(API_PLAYERS_HIDDEN, params={"hint_id": "@hint:hidden"}),
    ],
    "GET /api/events/<slug>/scoreboard": one(EVERYONE),
    "GET /api/events/<slug>/announcements": one(EVERYONE),
}

# --- the native API: organisers and judges ---------------------------------------------------------------

MANAGE_API: dict[str, list[Case]] = {
    "POST /api/events": one(ADMINS, body=EVENT_BODY, note="platform organisers and administrators create events"),
    "PATCH /api/events/<slug>": one(ORGANISERS, body={"names": {"en": "Renamed", "ja": "改名"}}),
    "POST /api/events/<slug>/announcements": one(
        ORGANISERS, body={"translations": {"en": {"title": "T", "body": "B"}, "ja": {"title": "題", "body": "本文"}}}
    ),
    "GET /api/events/<slug>/settings": one(ORGANISERS),
    "POST /api/events/<slug>/pause": one(ORGANISERS, body={"paused": True}),
    "PUT /api/events/<slug>/staff/<user_id>": one(
        ORGANISERS, params={"user_id": "@user:rival"}, body={"role": "judge"}
    ),
    "DELETE /api/events/<slug>/staff/<user_id>": one(ORGANISERS, params={"user_id": "@user:judge"}),
    "POST /api/events/<slug>/brackets": one(ORGANISERS, body={"slug": "pros", "names": {"en": "Pros"}}),
    "GET /api/events/<slug>/manage/challenges": one(ORGANISERS),
    "POST /api/events/<slug>/manage/challenges": one(ORGANISERS, body=CHALLENGE_BODY),
    "GET /api/manage/challenges/<challenge_id>": [
        Case(ORGANISERS_BY_ID),
        Case(ORGANISERS_BY_ID, params=HIDDEN),
        Case(API_NOBODY, params=MISSING),
    ],
    "PATCH /api/manage/challenges/<challenge_id>": one(ORGANISERS_BY_ID, params=HIDDEN, body={"difficulty": 2}),
    "DELETE /api/manage/challenges/<challenge_id>": one(ORGANISERS_BY_ID, params=HIDDEN),
    "PUT /api/manage/challenges/<challenge_id>/translations/<language>": one(
        ORGANISERS_BY_ID, params=HIDDEN, body={"title": "題"}
    ),
    "POST /api/manage/challenges/<challenge_id>/publish": one(ORGANISERS_BY_ID, params=HIDDEN, body={}),
    "POST /api/manage/challenges/<challenge_id>/hide": one(ORGANISERS_BY_ID),
    "PUT /api/manage/challenges/<challenge_id>/prerequisites": one(
        ORGANISERS_BY_ID, body={"challenge_ids": ["@challenge:locked"]}
    ),
    "PUT /api/manage/challenges/<challenge_id>/tags": one(ORGANISERS_BY_ID, body={"values": ["new"]}),
    "POST /api/manage/challenges/<challenge_id>/flags": one(
        ORGANISERS_BY_ID, body={"kind": "static", "content": "flag{new}"}
    ),
    "PATCH /api/manage/flags/<flag_id>": one(ORGANISERS_BY_ID, params={"flag_id": "@flag:hidden"}, body={}),
    "DELETE /api/manage/flags/<flag_id>": one(ORGANISERS_BY_ID, params={"flag_id": "@flag:hidden"}),
    "POST /api/manage/challenges/<challenge_id>/hints": one(ORGANISERS_BY_ID, body=HINT_BODY),
    "PATCH /api/manage/hints/<hint_id>": one(ORGANISERS_BY_ID, params={"hint_id": "@hint:hidden"}, body={"cost": 1}),
    "PUT /api/manage/hints/<hint_id>/translations/<language>": one(
        ORGANISERS_BY_ID, params={"hint_id": "@hint:hidden"}, body={"content": "もっと。"}
    ),
    "DELETE /api/manage/hints/<hint_id>": one(ORGANISERS_BY_ID, params={"hint_id": "@hint:locked"}),
    "POST /api/manage/challenges/<challenge_id>/attachments": one(
        ORGANISERS_BY_ID, body={"file": "@file"}, multipart=True
    ),
    "DELETE /api/manage/attachments/<attachment_id>": one(
        ORGANISERS_BY_ID, params={"attachment_id": "@attachment:hidden"}
    ),
    "GET /api/events/<slug>/participants": one(ORGANISERS),
    "POST /api/manage/participants/<participant_id>/status": one(ORGANISERS_BY_ID, body={"status": "banned"}),
    "POST /api/manage/participants/<participant_id>/move": one(
        ORGANISERS_BY_ID, params={"participant_id": "@participant:late"}, body={"team_id": "@team:B"}
    ),
    "POST /api/manage/teams/<team_id>/visibility": one(ORGANISERS_BY_ID, body={"hidden": True}),
    "PUT /api/manage/teams/<team_id>/bracket": one(ORGANISERS_BY_ID, body={"bracket_id": "@bracket"}),
    "GET /api/events/<slug>/submissions": one(JUDGES),
    "GET /api/events/<slug>/flag-sharing": one(JUDGES),
    "POST /api/events/<slug>/awards": one(ORGANISERS, body={"team_id": "@team:B", "value": 3, "reason": "Kind"}),
    "DELETE /api/manage/awards/<award_id>": one(ORGANISERS_BY_ID),
}

API_PLUMBING: dict[str, list[Case]] = {
    "* /api/openapi.json": one(EVERYONE, sessions=False, note="public documentation: once per role is enough"),
    "* /api/docs": one(EVERYONE, sessions=False),
    "* /api/": one(NOBODY, note="the API's root is no resource"),
    "* /^api/(?P<path>.*)$": one(NOBODY, params={"path": "nothing/here"}),
    "* /api/v1/openapi.json": one(EVERYONE, sessions=False),
    "* /api/v1/docs": one(EVERYONE, sessions=False),
    "* /api/v1/": one(NOBODY),
}

# --- the CTFd-compatible API (the default event) -----------------------------------------------------------

CTFD_API: dict[str, list[Case]] = {
    "GET /api/v1/challenges": [Case(CTFD_BOARD), Case(CTFD_ORGANISERS, query="view=admin")],
    "POST /api/v1/challenges": one(CTFD_ORGANISERS, body={"name": "New", "category": "web", "value": 5}),
    "GET /api/v1/challenges/<int:challenge_id>": [
        Case(CTFD_PLAYERS),
        Case(CTFD_PLAYERS_HIDDEN, params=HIDDEN),
        Case(CTFD_PLAYERS_HIDDEN, params=SCHEDULED),
        Case(expect(FORBID, HIDE), params=MISSING),
        Case(expect(FORBID, HIDE), params=ELSEWHERE, note="the CTFd API addresses the default event only"),
        Case(CTFD_ORGANISERS, params=HIDDEN, query="view=admin"),
    ],
    "PATCH /api/v1/challenges/<int:challenge_id>": one(CTFD_ORGANISERS, params=HIDDEN, body={"value": 8}),
    "DELETE /api/v1/challenges/<int:challenge_id>": one(CTFD_ORGANISERS, params=HIDDEN),
    "POST /api/v1/challenges/attempt": [
        Case(CTFD_PLAYERS, body={"challenge_id": "@challenge:visible", "submission": "flag{wrong}"}),
        Case(CTFD_PLAYERS_HIDDEN, body={"challenge_id": "@challenge:hidden", "submission": "flag{wrong}"}),
    ],
    "GET /api/v1/flags": one(CTFD_ORGANISERS),
    "POST /api/v1/flags": one(CTFD_ORGANISERS, body={"challenge_id": "@challenge:hidden", "content": "flag{x}"}),
    "DELETE /api/v1/flags/<flag_id>": one(CTFD_ORGANISERS, params={"flag_id": "@flag:hidden"}),
    "GET /api/v1/tags": one(CTFD_ORGANISERS),
    "POST /api/v1/tags": one(CTFD_ORGANISERS, body={"challenge_id": "@challenge:hidden", "value": "new"}),
    "DELETE /api/v1/tags/<tag_id>": one(CTFD_ORGANISERS),
    "GET /api/v1/hints": one(CTFD_ORGANISERS),
    "POST /api/v1/hints": one(CTFD_ORGANISERS, body={"challenge_id": "@challenge:hidden", "content": "More."}),
    "DELETE /api/v1/hints/<hint_id>": one(CTFD_ORGANISERS, params={"hint_id": "@hint:locked"}),
    "GET /api/v1/files": one(CTFD_ORGANISERS),
    "POST /api/v1/files": one(
        CTFD_ORGANISERS, body={"challenge_id": "@challenge:hidden", "file": "@file"}, multipart=True
    ),
    "DELETE /api/v1/files/<file_id>": one(CTFD_ORGANISERS, params={"file_id": "@attachment:hidden"}),
    "GET /api/v1/topics": one(CTFD_ORGANISERS),
    "POST /api/v1/topics": one(CTFD_ORGANISERS, body={"challenge_id": "@challenge:hidden", "value": "SQL injection"}),
    "DELETE /api/v1/topics": one(CTFD_ORGANISERS, query="type=challenge&target_id=@topic"),
    "GET /api/v1/solutions": one(CTFD_ORGANISERS),
    "GET /api/v1/challenges/<int:challenge_id>/flags": one(CTFD_ORGANISERS, params=HIDDEN),
    "GET /api/v1/challenges/<int:challenge_id>/tags": one(CTFD_ORGANISERS, params=HIDDEN),
    "GET /api/v1/challenges/<int:challenge_id>/hints": one(CTFD_ORGANISERS, params=HIDDEN),
    "GET /api/v1/challenges/<int:challenge_id>/topics": one(CTFD_ORGANISERS, params=HIDDEN),
    "GET /api/v1/challenges/<int:challenge_id>/requirements": one(CTFD_ORGANISERS, params=HIDDEN),
    "GET /api/v1/challenges/<int:challenge_id>/solves": [
        Case(CTFD_PLAYERS),
        Case(CTFD_PLAYERS_HIDDEN, params=HIDDEN),
    ],
    "GET /api/v1/scoreboard": one(CTFD_EVERYONE),
    "GET /api/v1/scoreboard/top/<count>": one(CTFD_EVERYONE),
    "GET /api/v1/users/me": one(CTFD_SIGNED_IN),
    "GET /api/v1/teams/me": one(CTFD_PLAYERS),
    "POST /api/v1/tokens": [
        Case(CTFD_SIGNED_IN, body={"description": "mine"}),
        Case(expect(FORBID, FORBID, player=ALLOW, admin=ALLOW), body={"user_id": "@user:player"}),
    ],
    "GET /api/v1/notifications": one(CTFD_EVERYONE),
    "POST /api/v1/notifications": one(CTFD_ORGANISERS, body={"title": "T", "content": "C"}),
    "POST /api/v1/users": one(
        CTFD_ORGANISERS, body={"name": "kk-made", "email": "made@example.org", "password": "a long made password 4"}
    ),
    "GET /api/v1/users/<int:user_id>": one(CTFD_EVERYONE),
    "POST /api/v1/teams": one(CTFD_ORGANISERS, body={"name": "Made team"}),
    "GET /api/v1/teams/<int:team_id>": one(CTFD_EVERYONE),
    "POST /api/v1/teams/<int:team_id>/members": one(CTFD_ORGANISERS, body={"user_id": "@user:rival"}),
    "GET /api/v1/configs": one(CTFD_ORGANISERS),
    "PATCH /api/v1/configs": one(CTFD_ORGANISERS, body={"paused": True}),
    "GET /api/v1/configs/<key>": one(CTFD_ORGANISERS),
    "POST /api/v1/unlocks": [
        Case(CTFD_PLAYERS, body={"target": "@hint:open", "type": "hints"}),
        Case(CTFD_PLAYERS_HIDDEN, body={"target": "@hint:hidden", "type": "hints"}),
    ],
}

# --- files, live streams, feeds -----------------------------------------------------------------------------

FILES_AND_FEEDS: dict[str, list[Case]] = {
    "GET /files/<int:attachment_id>/<str:name>": [
        Case(FILES_SHOWN),
        Case(FILES_HIDDEN, params={"attachment_id": "@attachment:hidden"}),
        Case(expect(LOGIN, HIDE), params={"attachment_id": "@missing"}),
    ],
    "* /events/<slug:slug>/stream": one(EVERYONE, note="the public scoreboard's stream; staff hear the live one"),
    "GET /events/<slug:slug>/ctftime.json": one(EVERYONE),
}

# --- participant pages --------------------------------------------------------------------------------------

PARTICIPANT_PAGES: dict[str, list[Case]] = {
    "GET /^events/(?!new/$)(?P<slug>[-a-zA-Z0-9_]+)/$": one(EVERYONE),
    "GET /events/<slug:slug>/pages/<slug:route>/": [
        Case(EVERYONE),
        Case(expect(HIDE, HIDE, judge=ALLOW, organiser=ALLOW, admin=ALLOW), params={"route": "secret"}),
        Case(SIGNED_IN, params={"route": "members"}),
    ],
    "POST /events/<slug:slug>/register/": one(REGISTER, body={}),
    "POST /events/<slug:slug>/team/create/": one(REGISTERED, body={"name": "Another team"}),
    "POST /events/<slug:slug>/team/join/": one(REGISTERED, body={"invite_code": "@invite:A"}),
    "GET /events/<slug:slug>/team/leave/": one(REGISTERED),
    "POST /events/<slug:slug>/team/leave/": one(REGISTERED, body={}),
    "GET /events/<slug:slug>/challenges/": one(BOARD),
    "GET /events/<slug:slug>/challenges/<int:challenge_id>/": [
        Case(PLAYERS),
        Case(PLAYERS_HIDDEN, params=HIDDEN),
        Case(PLAYERS_HIDDEN, params=SCHEDULED),
        Case(NOBODY, params=MISSING),
        Case(NOBODY, params=ELSEWHERE, note="another event's challenge, under this event's address"),
    ],
    "POST /events/<slug:slug>/challenges/<int:challenge_id>/flag/": [
        Case(PLAYERS, body={"flag": "flag{wrong}"}),
        Case(PLAYERS_HIDDEN, params=HIDDEN, body={"flag": "flag{wrong}"}),
    ],
    "GET /events/<slug:slug>/hints/<int:hint_id>/unlock/": [
        Case(PLAYERS, params={"hint_id": "@hint:locked"}),
        Case(PLAYERS_HIDDEN, params={"hint_id": "@hint:hidden"}),
    ],
    "POST /events/<slug:slug>/hints/<int:hint_id>/unlock/": [
        Case(PLAYERS, body={}),
        Case(PLAYERS_HIDDEN, params={"hint_id": "@hint:hidden"}, body={}),
    ],
    "GET /events/<slug:slug>/scoreboard/": one(EVERYONE),
    "GET /events/<slug:slug>/teams/<int:team_id>/": one(EVERYONE),
    "GET /users/<str:username>/": one(EVERYONE),
}

# --- organiser and judge pages ------------------------------------------------------------------------------

PAGE_ORGANISERS = ORGANISERS
PAGE_ORGANISERS_BY_ID = expect(LOGIN, FORBID, organiser=ALLOW, admin=ALLOW)

ORGANISER_PAGES: dict[str, list[Case]] = {
    "GET /events/new/": one(ADMINS),
    "POST /events/new/": one(ADMINS, body={}),
    "GET /events/<slug:slug>/judge/": one(JUDGES),
    "GET /events/<slug:slug>/manage/": one(PAGE_ORGANISERS),
    "GET /events/<slug:slug>/manage/settings/": one(PAGE_ORGANISERS),
    "POST /events/<slug:slug>/manage/settings/": one(PAGE_ORGANISERS, body={}),
    "POST /events/<slug:slug>/manage/settings/pause/": one(PAGE_ORGANISERS, body={"paused": "1"}),
    "POST /events/<slug:slug>/manage/settings/staff/": one(
        PAGE_ORGANISERS, body={"username": "kk-rival", "role": "judge"}
    ),
    "POST /events/<slug:slug>/manage/settings/staff/<int:user_id>/remove/": one(
        PAGE_ORGANISERS, params={"user_id": "@user:judge"}, body={}
    ),
    "POST /events/<slug:slug>/manage/settings/brackets/": one(PAGE_ORGANISERS, body={"slug": "pros"}),
    "POST /events/<slug:slug>/manage/preview/": one(PAGE_ORGANISERS, body={"text": "*hi*"}),
    "GET /events/<slug:slug>/manage/challenges/new/": one(PAGE_ORGANISERS),
    "POST /events/<slug:slug>/manage/challenges/new/": one(PAGE_ORGANISERS, body={}),
    "GET /events/<slug:slug>/manage/challenges/<int:challenge_id>/": [
        Case(PAGE_ORGANISERS_BY_ID, params=HIDDEN),
        Case(expect(LOGIN, FORBID, organiser=HIDE, admin=HIDE), params={"challenge_id": "@challenge:elsewhere"}),
    ],
    "POST /events/<slug:slug>/manage/challenges/<int:challenge_id>/": one(
        PAGE_ORGANISERS_BY_ID, params=HIDDEN, body={}
    ),
    "POST /events/<slug:slug>/manage/challenges/<int:challenge_id>/publish/": one(
        PAGE_ORGANISERS_BY_ID, params=HIDDEN, body={}
    ),
    "POST /events/<slug:slug>/manage/challenges/<int:challenge_id>/hide/": one(PAGE_ORGANISERS_BY_ID, body={}),
    "POST /events/<slug:slug>/manage/challenges/<int:challenge_id>/flags/": one(
        PAGE_ORGANISERS_BY_ID, params=HIDDEN, body={"kind": "static", "content": "flag{new}"}
    ),
    "POST /events/<slug:slug>/manage/challenges/<int:challenge_id>/flags/<int:flag_id>/": one(
        PAGE_ORGANISERS_BY_ID, params={**HIDDEN, "flag_id": "@flag:hidden"}, body={}
    ),
    "POST /events/<slug:slug>/manage/challenges/<int:challenge_id>/flags/<int:flag_id>/delete/": one(
        PAGE_ORGANISERS_BY_ID, params={**HIDDEN, "flag_id": "@flag:hidden"}, body={}
    ),
    "POST /events/<slug:slug>/manage/challenges/<int:challenge_id>/hints/": one(
        PAGE_ORGANISERS_BY_ID, params=HIDDEN, body={}
    ),
    "POST /events/<slug:slug>/manage/challenges/<int:challenge_id>/hints/<int:hint_id>/": one(
        PAGE_ORGANISERS_BY_ID, params={**HIDDEN, "hint_id": "@hint:hidden"}, body={}
    ),
    "POST /events/<slug:slug>/manage/challenges/<int:challenge_id>/hints/<int:hint_id>/delete/": one(
        PAGE_ORGANISERS_BY_ID, params={**HIDDEN, "hint_id": "@hint:hidden"}, body={}
    ),
    "POST /events/<slug:slug>/manage/challenges/<int:challenge_id>/attachments/": one(
        PAGE_ORGANISERS_BY_ID, params=HIDDEN, body={"file": "@file"}, multipart=True
    ),
    "POST /events/<slug:slug>/manage/challenges/<int:challenge_id>/attachments/<int:attachment_id>/delete/": one(
        PAGE_ORGANISERS_BY_ID, params={**HIDDEN, "attachment_id": "@attachment:hidden"}, body={}
    ),
    "GET /events/<slug:slug>/manage/participants/": one(PAGE_ORGANISERS),
    "POST /events/<slug:slug>/manage/participants/<int:participant_id>/status/": one(
        PAGE_ORGANISERS, body={"status": "banned"}
    ),
    "POST /events/<slug:slug>/manage/participants/move/": one(
        PAGE_ORGANISERS, body={"participant": "@participant:late", "team": "@team:B"}
    ),
    "POST /events/<slug:slug>/manage/teams/<int:team_id>/visibility/": one(PAGE_ORGANISERS, body={"hidden": "1"}),
    "POST /events/<slug:slug>/manage/teams/<int:team_id>/bracket/": one(PAGE_ORGANISERS, body={"bracket": "@bracket"}),
    "GET /events/<slug:slug>/manage/submissions/": one(JUDGES),
    "GET /events/<slug:slug>/manage/awards/": one(PAGE_ORGANISERS),
    "POST /events/<slug:slug>/manage/awards/": one(
        PAGE_ORGANISERS, body={"team": "@team:B", "value": "3", "reason": "x"}
    ),
    "POST /events/<slug:slug>/manage/awards/<int:award_id>/delete/": one(PAGE_ORGANISERS, body={}),
    "GET /events/<slug:slug>/manage/announcements/": one(PAGE_ORGANISERS),
    "POST /events/<slug:slug>/manage/announcements/": one(PAGE_ORGANISERS, body={}),
    "POST /events/<slug:slug>/manage/announcements/<int:announcement_id>/delete/": one(PAGE_ORGANISERS, body={}),
}

# --- accounts pages and the site ----------------------------------------------------------------------------

ACCOUNT_PAGES: dict[str, list[Case]] = {
    "GET /accounts/login/": one(EVERYONE),
    "POST /accounts/login/": one(EVERYONE, body={"username": "kk-player", "password": "correct-horse-battery-staple"}),
    "PUT /accounts/login/": one(EVERYONE, note="Django's login view handles PUT as POST; no CSRF-less write results"),
    "POST /accounts/logout/": one(EVERYONE, body={}),
    "GET /accounts/register/": one(EVERYONE),
    "POST /accounts/register/": one(EVERYONE, body={}),
    "GET /accounts/register/confirm/<str:token>/": one(EVERYONE),
    "POST /accounts/register/confirm/<str:token>/": one(EVERYONE, body={}),
    "GET /accounts/profile/": one(SIGNED_IN),
    "POST /accounts/profile/": one(SIGNED_IN, body={}),
    "GET /accounts/password/": one(SIGNED_IN),
    "POST /accounts/password/": one(SIGNED_IN, body={}),
    "GET /accounts/reset/": one(EVERYONE),
    "POST /accounts/reset/": one(EVERYONE, body={"email": "kkleakmailplayer@example.org"}),
    "GET /accounts/reset/<str:uid>/<str:token>/": one(EVERYONE),
    "POST /accounts/reset/<str:uid>/<str:token>/": one(EVERYONE, body={}),
    "GET /accounts/tokens/": one(SIGNED_IN),
    "POST /accounts/tokens/": one(SIGNED_IN, body={"name": "new"}),
    "POST /accounts/tokens/<int:token_id>/revoke/": one(
        expect(LOGIN, HIDE, player=ALLOW), body={}, note="another person's token does not exist for the caller"
    ),
}

# The audit log: administrators read every entry, organisers those of their own events (the organiser
# of another event is let in and sees only that event's entries; kakehashi/audit/tests check which).
AUDIT_READERS = expect(LOGIN, FORBID, foreign_organiser=ALLOW, organiser=ALLOW, admin=ALLOW)
AUDIT: dict[str, list[Case]] = {
    "GET /audit/": one(AUDIT_READERS),
    "GET /audit/export.csv": one(AUDIT_READERS),
    "GET /audit/export.jsonl": one(AUDIT_READERS),
    "GET /api/audit": one(AUDIT_READERS),
}

SITE: dict[str, list[Case]] = {
    "GET /": one(EVERYONE),
    "POST /display/": one(EVERYONE, body={"mode": "ja"}),
    "* /organisations/": one(EVERYONE),
    "GET /healthz": one(EVERYONE),
}

MATRIX: dict[str, list[Case]] = {
    **ACCOUNTS_API,
    **EXERCISES_API,
    **MANAGE_API,
    **API_PLUMBING,
    **CTFD_API,
    **FILES_AND_FEEDS,
    **PARTICIPANT_PAGES,
    **ORGANISER_PAGES,
    **ACCOUNT_PAGES,
    **AUDIT,
    **SITE,
}

# --- Django's admin site ----------------------------------------------------------------------------------

ADMIN_PREFIX = "django-admin/"
# Django's admin lets only staff accounts in; everyone else is sent to its sign-in page.
ADMIN_SITE = expect(LOGIN, LOGIN, admin=ALLOW)
ADMIN_EXCEPTIONS: dict[str, list[Case]] = {
    "* /django-admin/login/": one(EVERYONE, note="the sign-in page itself"),
    "* /django-admin/logout/": one(EVERYONE, method="POST", body={}),
    "* /django-admin/autocomplete/": one(
        expect(LOGIN, LOGIN, admin=FORBID), note="without a model to complete, Django refuses even staff"
    ),
    "* /django-admin/r/<path:content_type_id>/<path:object_id>/": one(
        expect(LOGIN, LOGIN, admin=HIDE), note="view on site: no such object"
    ),
    "* /django-admin/(?P<url>.*)$": one(expect(LOGIN, LOGIN, admin=HIDE)),
    **{
        route: one(expect(LOGIN, LOGIN, admin=FORBID), note="the audit log is never written or deleted by hand")
        for route in ("* /django-admin/audit/entry/add/", "* /django-admin/audit/entry/<path:object_id>/delete/")
    },
    **{
        f"* /django-admin/axes/{model}/add/": one(
            expect(LOGIN, LOGIN, admin=FORBID), note="django-axes records are not added by hand"
        )
        for model in ("accessattempt", "accesslog", "accessfailurelog")
    },
}
