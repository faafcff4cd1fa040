"""The fixture world of the access matrix and the leak suite.

Two running events. The target event (the default event, so the CTFd-compatible API addresses it)
froze its public scoreboard an hour ago. In it: teams A and B, and team C whose only solve came after
the freeze; a visible, a hidden, a scheduled (released tomorrow), a locked and a per-team generated
challenge; a free hint team A unlocked and a costed hint nobody unlocked; files on the visible and the
hidden challenge; solves before the freeze (team A: visible, generated, and the hidden challenge,
solved while it was still shown) and after it (teams B and C); an award, an announcement, a public,
a hidden and a signed-in-only page, a custom bracket, an organisers' topic.

Eight roles, each with an API token: anonymous, a participant of the other event (``outsider``), a
participant of team B (``rival``), a participant of team A (``player``), a judge, an organiser of the
other event (``foreign_organiser``), an organiser, and a platform administrator (``admin``).

Every secret carries a canary (``KKLEAK…``) so that the leak suite can look for it in any answer.
"""

import io
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client
from django.utils import timezone

from kakehashi.accounts import services as account_services
from kakehashi.accounts.models import User
from kakehashi.accounts.tests.factories import UserFactory
from kakehashi.ctf import flags
from kakehashi.ctf.models import (
    Announcement,
    Attachment,
    Award,
    Bracket,
    Challenge,
    Event,
    EventStaff,
    Flag,
    Hint,
    Page,
    Participant,
    Team,
)
from kakehashi.ctf.services import announcements, awards, challenges, events, pages, play, teams, topics
from kakehashi.ctf.tests.factories import EventFactory, EventTranslationFactory

ROLES = (
    "anonymous",
    "outsider",
    "rival",
    "player",
    "judge",
    "foreign_organiser",
    "organiser",
    "admin",
)
STAFF_ROLES = frozenset({"judge", "organiser", "admin"})
NON_STAFF_ROLES = tuple(role for role in ROLES if role not in STAFF_ROLES)

TARGET = "kk-target"
OTHER = "kk-other"
MISSING_ID = 987_654  # no object has this id


def canary(name: str) -> str:
    return f"KKLEAK{name.upper()}"


# Secrets that no non-staff role may ever see.
HIDDEN_TITLE = canary("hiddentitle")
HIDDEN_TITLE_JA = canary("hiddentitleja")
HIDDEN_TEXT = canary("hiddentext")
HIDDEN_FLAG = f"flag{{{canary('hiddenflag')}}}"
HIDDEN_HINT = canary("hiddenhint")
HIDDEN_FILE_NAME = "kkleakhiddenfile.txt"
HIDDEN_FILE_BODY = canary("hiddenfilebody")
SCHEDULED_TITLE = canary("scheduledtitle")
SCHEDULED_TEXT = canary("scheduledtext")
SCHEDULED_FLAG = f"flag{{{canary('scheduledflag')}}}"
VISIBLE_FLAG = f"flag{{{canary('visibleflag')}}}"
LOCKED_FLAG = f"flag{{{canary('lockedflag')}}}"
LOCKED_HINT = canary("lockedhint")
OPEN_HINT = canary("openhint")  # unlocked by team A: only team A (and staff) may read it
TOPIC = canary("topic")
HIDDEN_PAGE = canary("hiddenpage")
MEMBERS_PAGE = canary("memberspage")  # signed-in users only
LATE_TEAM = "KKLEAK Late Team"  # team C: on no public scoreboard, it scored only after the freeze

VISIBLE_VALUE = 100
HIDDEN_VALUE = 7
GENERATED_VALUE = 50
AWARD_VALUE = 5


def email_of(role: str) -> str:
    return f"kkleakmail{role.replace('_', '')}@example.org"


@dataclass
class World:
    now: datetime
    target: Event
    other: Event
    users: dict[str, User]
    late: User  # team C's only member
    tokens: dict[str, str]
    sessions: dict[str, str]
    teams: dict[str, Team]
    challenges: dict[str, Challenge]
    hints: dict[str, Hint]
    flags: dict[str, Flag]
    attachments: dict[str, Attachment]
    generated: dict[str, str]  # team letter → its generated flag of the generated challenge
    award: Award
    announcement: Announcement
    bracket: Bracket
    extra: dict[str, int] = field(default_factory=dict)

    def user(self, role: str) -> User | None:
        return self.users.get(role)

    def session_client(self, role: str) -> Client:
        client = Client(raise_request_exception=False)
        if role in self.sessions:
            client.cookies["kakehashi_session"] = self.sessions[role]
        return client

    def token_headers(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Token {self.tokens[role]}"} if role in self.tokens else {}

    def secrets_for(self, role: str) -> dict[str, str]:
        """What ``role`` must not find in any answer: a name for each canary."""
        found = {
            "hidden challenge title": HIDDEN_TITLE,
            "hidden challenge Japanese title": HIDDEN_TITLE_JA,
            "hidden challenge description": HIDDEN_TEXT,
            "hidden challenge flag": HIDDEN_FLAG,
            "hidden challenge hint": HIDDEN_HINT,
            "hidden attachment name": HIDDEN_FILE_NAME,
            "hidden attachment content": HIDDEN_FILE_BODY,
            "scheduled challenge title": SCHEDULED_TITLE,
            "scheduled challenge description": SCHEDULED_TEXT,
            "scheduled challenge flag": SCHEDULED_FLAG,
            "visible challenge flag": VISIBLE_FLAG,
            "locked challenge flag": LOCKED_FLAG,
            "locked costed hint": LOCKED_HINT,
            "organisers' topic": TOPIC,
            "hidden page": HIDDEN_PAGE,
            "event flag secret": self.target.flag_secret,
            "team A's generated flag": self.generated["A"],
            "team B's generated flag": self.generated["B"],
            "team C's generated flag": self.generated["C"],
        }
        if role != "player":
            found["team A's unlocked hint"] = OPEN_HINT
            found["team A's invitation code"] = self.teams["A"].invite_code
        if role != "rival":
            found["team B's invitation code"] = self.teams["B"].invite_code
        if role != "outsider":
            found["other event team's invitation code"] = self.teams["O"].invite_code
        found["team C's invitation code"] = self.teams["C"].invite_code
        if role == "anonymous":
            found["signed-in-only page"] = MEMBERS_PAGE
        for other_role, user in self.users.items():
            if other_role != role:
                found[f"e-mail address of {other_role}"] = user.email
        found["e-mail address of team C's member"] = self.late.email
        return found


def _session(user: User) -> str:
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    store["_auth_user_hash"] = user.get_session_auth_hash()
    store.create()
    assert store.session_key is not None
    return store.session_key


def _challenge(
    event: Event, title: str, text: str, *, value: int, state: str, release_at: datetime | None = None
) -> Challenge:
    translations = {
        "en": {"title": title, "description": text},
        "ja": {"title": f"{title}JA" if title.startswith("KKLEAK") else f"{title}（日本語）", "description": text},
    }
    return challenges.challenge_create(
        event=event, category="web", value=value, translations=translations, state=state, release_at=release_at
    )


def _hint(challenge: Challenge, content: str, cost: int) -> Hint:
    texts = {"en": {"title": "", "content": content}, "ja": {"title": "", "content": content}}
    return challenges.hint_create(challenge=challenge, translations=texts, cost=cost)


def build() -> World:
    now = timezone.now()
    target = EventFactory.create(
        slug=TARGET,
        is_default=True,
        starts_at=now - timedelta(hours=3),
        ends_at=now + timedelta(days=1),
        freeze_at=now - timedelta(hours=1),
    )
    EventTranslationFactory.create(event=target, language_code="ja", name="対象演習")
    other = EventFactory.create(slug=OTHER)
    EventTranslationFactory.create(event=other, language_code="ja", name="別の演習")
    target.refresh_from_db()

    users: dict[str, User] = {}
    for role in ROLES[1:]:
        powers = {"role": "admin", "is_staff": True, "is_superuser": True} if role == "admin" else {}
        users[role] = UserFactory.create(username=f"kk-{role.replace('_', '-')}", email=email_of(role), **powers)
    late = UserFactory.create(username="kk-late", email=email_of("late"))

    EventStaff.objects.create(event=target, user=users["organiser"], role="organiser")
    EventStaff.objects.create(event=target, user=users["judge"], role="judge")
    EventStaff.objects.create(event=other, user=users["foreign_organiser"], role="organiser")

    def join(event: Event, user: User, team_name: str) -> Team:
        participant = teams.participant_register(event=event, user=user)
        return teams.team_create(participant=participant, name=team_name)

    team_a = join(target, users["player"], "Team A")
    team_b = join(target, users["rival"], "Team B")
    team_c = join(target, late, LATE_TEAM)
    team_o = join(other, users["outsider"], "Team O")

    visible = _challenge(target, "Bridge", "Cross the bridge.", value=VISIBLE_VALUE, state="visible")
    hidden = _challenge(target, HIDDEN_TITLE, HIDDEN_TEXT, value=HIDDEN_VALUE, state="visible")
    scheduled = _challenge(
        target, SCHEDULED_TITLE, SCHEDULED_TEXT, value=30, state="visible", release_at=now + timedelta(days=1)
    )
    locked = _challenge(target, "Gate", "Opens later.", value=40, state="locked")
    generated = _challenge(target, "Own flag", "Each team has its own flag.", value=GENERATED_VALUE, state="visible")
    elsewhere = _challenge(other, "Elsewhere", "A challenge of the other event.", value=10, state="visible")
    flag_rows = {
        "visible": challenges.flag_create(challenge=visible, kind="static", content=VISIBLE_FLAG),
        "hidden": challenges.flag_create(challenge=hidden, kind="static", content=HIDDEN_FLAG),
        "scheduled": challenges.flag_create(challenge=scheduled, kind="static", content=SCHEDULED_FLAG),
        "locked": challenges.flag_create(challenge=locked, kind="static", content=LOCKED_FLAG),
        "generated": challenges.flag_create(challenge=generated, kind="generated"),
        "elsewhere": challenges.flag_create(challenge=elsewhere, kind="static", content="flag{elsewhere}"),
    }
    challenges.tags_set(challenge=visible, values=["bridges"])
    topics.topic_add(challenge=hidden, value=TOPIC)
    hint_rows = {
        "open": _hint(visible, OPEN_HINT, 0),
        "locked": _hint(visible, LOCKED_HINT, 500),
        "hidden": _hint(hidden, HIDDEN_HINT, 0),
    }
    files = {
        "visible": challenges.attachment_add(
            challenge=visible, name="bridge.txt", content=io.BytesIO(b"the bridge is public")
        ),
        "hidden": challenges.attachment_add(
            challenge=hidden, name=HIDDEN_FILE_NAME, content=io.BytesIO(HIDDEN_FILE_BODY.encode())
        ),
    }
    generated_flags = {
        letter: flags.generated_flag(target.flag_secret, team.pk, generated.pk, fmt=target.generated_flag_format)
        for letter, team in (("A", team_a), ("B", team_b), ("C", team_c))
    }

    before = target.starts_at + timedelta(minutes=30)
    after = now - timedelta(minutes=20)
    player, rival = users["player"], users["rival"]

    def solve(challenge: Challenge, team: Team, user: User, text: str, when: datetime) -> None:
        outcome = play.submission_attempt(challenge=challenge, team=team, user=user, provided=text, now=when)
        assert outcome.correct, outcome.result

    solve(visible, team_a, player, VISIBLE_FLAG, before)
    solve(generated, team_a, player, generated_flags["A"], before + timedelta(minutes=1))
    solve(hidden, team_a, player, HIDDEN_FLAG, before + timedelta(minutes=2))  # while it was still shown
    challenges.challenge_hide(challenge=hidden)
    play.hint_unlock(hint=hint_rows["open"], team=team_a, user=player, now=before + timedelta(minutes=3))
    award = awards.award_create(
        team=team_a, value=AWARD_VALUE, reason="Helpful report", by=users["organiser"], now=before
    )
    solve(visible, team_b, rival, VISIBLE_FLAG, after)
    solve(generated, team_b, rival, generated_flags["B"], after + timedelta(minutes=1))
    solve(visible, team_c, late, VISIBLE_FLAG, after + timedelta(minutes=2))
    # Team B tries team A's flag: the judges' flag-sharing list shows it, nobody else.
    play.submission_attempt(challenge=generated, team=team_b, user=rival, provided=generated_flags["A"], now=after)

    announcement = announcements.announcement_create(
        event=target,
        author=users["organiser"],
        translations={
            "en": {"title": "Welcome", "body": "Good luck."},
            "ja": {"title": "ようこそ", "body": "頑張って。"},
        },
    )
    pages.page_create(event=target, route="rules", translations={"en": {"title": "Rules", "content": "Be kind."}})
    pages.page_create(
        event=target, route="secret", hidden=True, translations={"en": {"title": "Plans", "content": HIDDEN_PAGE}}
    )
    pages.page_create(
        event=target,
        route="members",
        auth_required=True,
        translations={"en": {"title": "Members", "content": MEMBERS_PAGE}},
    )
    bracket = events.bracket_create(event=target, slug="students", names={"en": "Students", "ja": "学生"})

    tokens = {role: account_services.api_token_create(user=user)[1] for role, user in users.items()}
    sessions = {role: _session(user) for role, user in users.items()}
    organisation = account_services.organisation_create(kind="company", country="GB", names={"en": "Acme"})
    token_row = account_services.api_token_create(user=users["player"], name="player's second token")[0]
    extra: dict[str, int] = {
        "organisation": organisation.pk,
        "player_token": token_row.pk,
        "rival_participant": Participant.objects.get(event=target, user=rival).pk,
        "late_participant": Participant.objects.get(event=target, user=late).pk,
        "hidden_page": Page.objects.get(event=target, route="secret").pk,
    }
    return World(
        now=now,
        target=target,
        other=other,
        users=users,
        late=late,
        tokens=tokens,
        sessions=sessions,
        teams={"A": team_a, "B": team_b, "C": team_c, "O": team_o},
        challenges={
            "visible": visible,
            "hidden": hidden,
            "scheduled": scheduled,
            "locked": locked,
            "generated": generated,
            "elsewhere": elsewhere,
        },
        hints=hint_rows,
        flags=flag_rows,
        attachments=files,
        generated=generated_flags,
        award=award,
        announcement=announcement,
        bracket=bracket,
        extra=extra,
    )
