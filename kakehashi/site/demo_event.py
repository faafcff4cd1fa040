"""The bilingual demo event, built from :mod:`kakehashi.ctf.demo_content` through the services.

It starts an hour before loading and runs for a week, so the board is live as soon as the demo
serves. Loading is idempotent: an existing event of the same short name is left as it is.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from kakehashi.accounts import services as accounts
from kakehashi.accounts.models import User
from kakehashi.ctf import demo_content, flags
from kakehashi.ctf.models import Bracket, Challenge, Event, Participant, Team
from kakehashi.ctf.services import announcements, challenges, events, play, teams

DEMO_SOLVES = (  # team index → challenge keys it has already solved, to give the scoreboard some life
    (0, ("misc-welcome", "crypto-not-encryption", "web-cookie", "forensics-tidewater-1")),
    (1, ("misc-welcome", "crypto-not-encryption", "misc-glossary-sprint")),
    (2, ("misc-welcome",)),
    (3, ("misc-welcome", "crypto-not-encryption")),
    (4, ("misc-welcome", "web-cookie")),
)


def _user(username: str, display_name: str, country: str, language: str, password: str) -> User:
    existing = User.objects.filter(username=username).first()
    if existing is not None:
        return existing
    return accounts.user_create(
        actor=None,
        username=username,
        email=f"{username}@demo.kakehashi.invalid",
        password=password,
        display_name=display_name,
        preferred_language=language,
        country=country,
        time_zone="Asia/Tokyo" if country == "JP" else "Europe/London",
    )


def _flag_text(spec: demo_content.ChallengeSpec, challenge: Challenge, team_id: int) -> str | None:
    for flag in spec.flags:
        if flag.kind == "static":
            return flag.content
        if flag.kind == "generated":
            event = challenge.event
            return flags.generated_flag(event.flag_secret, team_id, challenge.pk, fmt=event.generated_flag_format)
    return None


def _challenges(event: Event) -> dict[str, Challenge]:
    languages = demo_content.EVENT.languages
    made: dict[str, Challenge] = {}
    for position, item in enumerate(demo_content.CHALLENGES):
        connection = item.connection_info or {}
        translations = {
            code: {
                "title": item.titles[code],
                "description": item.descriptions[code],
                "connection_info": connection.get(code, ""),
            }
            for code in languages
        }
        challenge = challenges.challenge_create(
            event=event, category=item.category, value=item.value, translations=translations,
            function=item.function, minimum=item.minimum, decay=item.decay, difficulty=item.difficulty,
            author=item.author, tags=item.tags, max_attempts=item.max_attempts, position=position,
        )  # fmt: skip
        for flag in item.flags:
            challenges.flag_create(
                challenge=challenge, kind=flag.kind, content=flag.content, case_insensitive=flag.case_insensitive
            )
        for hint in item.hints:
            hint_texts = {code: {"content": hint.contents[code]} for code in languages}
            challenges.hint_create(challenge=challenge, translations=hint_texts, cost=hint.cost)
        made[item.key] = challenge
    for item in demo_content.CHALLENGES:
        if item.prerequisites:
            required = [made[key] for key in item.prerequisites]
            challenges.prerequisites_set(challenge=made[item.key], prerequisites=required)
        challenges.challenge_publish(challenge=made[item.key])
    return made


def _teams(event: Event, brackets: dict[str, Bracket], password: str) -> list[tuple[Team, Participant]]:
    for person in demo_content.EXTRA_PARTICIPANTS:
        _user(person.username, person.display_name, person.country, person.preferred_language, password)
    playing = []
    for team_spec in demo_content.TEAMS:
        members = [User.objects.get(username=username) for username in team_spec.members]
        registered = [teams.participant_register(event=event, user=member) for member in members]
        team = teams.team_create(participant=registered[0], name=team_spec.name)
        for participant in registered[1:]:
            teams.team_join(participant=participant, invite_code=team.invite_code)
        if team_spec.bracket:
            teams.team_set_bracket(team=team, bracket=brackets[team_spec.bracket])
        playing.append((team, registered[0]))
    return playing


def _solves(made: dict[str, Challenge], playing: list[tuple[Team, Participant]], now: datetime) -> None:
    by_key = {item.key: item for item in demo_content.CHALLENGES}
    for index, keys in DEMO_SOLVES:
        if index >= len(playing):
            continue
        team, captain = playing[index]
        for offset, key in enumerate(keys):
            text = _flag_text(by_key[key], made[key], team.pk) if key in made else None
            if text is not None:  # regex-only challenges are left for the players
                moment = now - timedelta(minutes=50 - 7 * offset - index)
                play.submission_attempt(challenge=made[key], team=team, user=captain.user, provided=text, now=moment)


@transaction.atomic
def load_demo_event(*, organiser: User, judge: User, password: str, now: datetime | None = None) -> Event:
    existing = Event.objects.filter(slug=demo_content.EVENT.slug).first()
    if existing is not None:
        return existing
    now = now or timezone.now()
    spec = demo_content.EVENT
    event = events.event_create(
        creator=organiser,
        slug=spec.slug,
        names=spec.names,
        descriptions=spec.descriptions,
        languages=spec.languages,
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(days=7),
        team_size_limit=spec.team_size_limit,
        generated_flag_format=spec.generated_flag_format,
        blood_bonuses=(30, 20, 10),
    )
    events.event_set_default(event=event)
    events.staff_set(event=event, user=judge, role="judge")
    brackets: dict[str, Bracket] = {
        b.slug: events.bracket_create(event=event, slug=b.slug, names=b.names, descriptions=b.descriptions)
        for b in demo_content.BRACKETS
    }
    made = _challenges(event)
    _solves(made, _teams(event, brackets, password), now)
    for note in demo_content.ANNOUNCEMENTS:
        texts = {code: {"title": note.titles[code], "body": note.bodies[code]} for code in spec.languages}
        announcements.announcement_create(event=event, author=organiser, translations=texts)
    return event


def demo_players() -> list[Participant]:
    return list(Participant.objects.filter(event__slug=demo_content.EVENT.slug).select_related("user", "team"))
