"""Build a large capture-the-flag event in the configured database, fast, for the benchmarks.

    python -m bench.generate [--users 5000] [--challenges 200] [--solves 100000] [--teams N]
                             [--wrong 50000] [--seed 1] [--slug bench-large] [--replace]

Without ``--teams`` the event is individual-style: one solo team per user. Everything is written
with ``bulk_create`` inside one transaction, so a failure leaves nothing behind. Users get an
unusable password (no password hashing at all). The event runs from two days before generation
to fourteen days after it, so the benchmarks can submit flags; every generated solve and
submission lies in the past, at least an hour before generation, so no rate limit is hit later.

Flags are static and known: ``bench{<challenge id>}``. Popularity is skewed as in a real event:
challenges are ordered from easy to hard, the easiest are solved by most teams and the hardest by
a handful, and stronger teams (a log-normal skill) solve more. Easy challenges are solved early.
"""

import argparse
import math
import random
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from bench.common import fail, machine_description, setup, write_json

T = TypeVar("T")
Row = tuple[datetime, int, int, int, bool, str]  # time, challenge, team, user, correct, provided

BATCH = 2_000
CHUNK = 10_000  # submissions per round trip of "insert submissions, then their solves"
CATEGORIES = ("web", "crypto", "pwn", "rev", "forensics", "misc", "osint")
CATEGORIES_JA = {
    "web": "ウェブ",
    "crypto": "暗号",
    "pwn": "バイナリ",
    "rev": "リバース",
    "forensics": "フォレンジック",
    "misc": "その他",
    "osint": "オシント",
}
EASY_TO_HARD = 8.0  # the hardest challenge is e^-8 times as popular as the easiest, before capping


@dataclass(frozen=True)
class Options:
    users: int
    challenges: int
    solves: int
    teams: int | None
    wrong: int
    awards: int
    hint_unlocks: int
    seed: int
    slug: str
    replace: bool
    json: str | None


def parse(argv: Sequence[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=5_000, help="accounts (default 5000)")
    parser.add_argument("--challenges", type=int, default=200, help="challenges (default 200)")
    parser.add_argument("--solves", type=int, default=100_000, help="solves (default 100000)")
    parser.add_argument("--teams", type=int, default=None, help="teams (default: individual, one per user)")
    parser.add_argument("--wrong", type=int, default=50_000, help="wrong submissions (default 50000)")
    parser.add_argument("--awards", type=int, default=50, help="organiser awards (default 50)")
    parser.add_argument("--hint-unlocks", type=int, default=2_000, help="hint unlocks (default 2000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--slug", default="bench-large", help="event short name (default bench-large)")
    parser.add_argument("--replace", action="store_true", help="delete an existing event of that slug first")
    parser.add_argument("--json", default=None, metavar="PATH", help="also write the phase timings as JSON")
    args = parser.parse_args(argv)
    options = Options(
        users=args.users,
        challenges=args.challenges,
        solves=args.solves,
        teams=args.teams,
        wrong=args.wrong,
        awards=args.awards,
        hint_unlocks=args.hint_unlocks,
        seed=args.seed,
        slug=args.slug,
        replace=args.replace,
        json=args.json,
    )
    team_count = options.users if options.teams is None else options.teams
    if options.users < 1 or options.challenges < 1 or team_count < 1:
        fail("--users, --challenges and --teams must be at least 1")
    if team_count > options.users:
        fail(f"--teams ({team_count}) cannot exceed --users ({options.users}): every team needs a member")
    if min(options.solves, options.wrong, options.awards, options.hint_unlocks) < 0:
        fail("counts cannot be negative")
    if options.solves > team_count * options.challenges:
        fail(f"--solves ({options.solves}) exceeds teams x challenges ({team_count * options.challenges})")
    return options


class Phases:
    """Prints the duration of each phase as it ends, and the total at the end."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.durations: dict[str, float] = {}

    def run(self, name: str, function: Callable[[], T]) -> T:
        start = time.perf_counter()
        result = function()
        elapsed = time.perf_counter() - start
        self.durations[name] = elapsed
        print(f"  {name:<34} {elapsed:8.2f} s", flush=True)
        return result

    def total(self) -> float:
        return time.perf_counter() - self.started


def chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def solve_counts(total: int, challenges: int, teams: int) -> list[int]:
    """Solves per challenge, easiest first: ``min(teams, s · e^(-8·i/n))`` scaled so they add up to ``total``."""
    weights = [math.exp(-EASY_TO_HARD * index / challenges) for index in range(challenges)]

    def filled(scale: float) -> float:
        return sum(min(float(teams), scale * weight) for weight in weights)

    low, high = 0.0, float(teams) / weights[-1] + 1.0  # at ``high`` every challenge is capped
    for _ in range(200):
        middle = (low + high) / 2
        if filled(middle) < total:
            low = middle
        else:
            high = middle
    exact = [min(float(teams), high * weight) for weight in weights]
    counts = [math.floor(value) for value in exact]
    missing = total - sum(counts)
    by_remainder = sorted(range(challenges), key=lambda index: counts[index] - exact[index])
    for index in by_remainder:
        if missing <= 0:
            break
        if counts[index] < teams:
            counts[index] += 1
            missing -= 1
    for index in by_remainder:  # floating point left us short: give to any challenge with room
        while missing > 0 and counts[index] < teams:
            counts[index] += 1
            missing -= 1
    while missing < 0:
        index = max(range(challenges), key=counts.__getitem__)
        counts[index] -= 1
        missing += 1
    return counts


def main(argv: Sequence[str] | None = None) -> int:  # noqa: PLR0915  (one straight script, phase after phase)
    options = parse(argv)
    setup()

    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction
    from django.utils import timezone

    from kakehashi.accounts.models import User
    from kakehashi.ctf.brackets import country_bracket
    from kakehashi.ctf.choices import ChallengeState, EventMode, SubmissionResult
    from kakehashi.ctf.models import (
        Award,
        Bracket,
        BracketTranslation,
        Challenge,
        ChallengeTranslation,
        Event,
        EventTranslation,
        Flag,
        Hint,
        HintTranslation,
        HintUnlock,
        Participant,
        Solve,
        Submission,
        Team,
    )

    if Event._meta.db_table not in connection.introspection.table_names():
        fail("the database has no tables yet: run `kakehashi migrate` first (same environment variables)")

    rng = random.Random(options.seed)  # noqa: S311  (reproducible test data, not secrets)
    individual = options.teams is None
    team_count = options.users if options.teams is None else options.teams
    user_prefix = f"{options.slug}."
    now = timezone.now().replace(microsecond=0)
    starts_at = now - timedelta(days=2)
    ends_at = now + timedelta(days=14)
    last_activity = now - timedelta(hours=1)
    span = (last_activity - starts_at).total_seconds()
    phases = Phases()
    print(f"database: {connection.vendor} ({connection.settings_dict['NAME']})")
    print(
        f"generating '{options.slug}': {options.users} users, {team_count} teams"
        f" ({'individual' if individual else 'team'} event), {options.challenges} challenges,"
        f" {options.solves} solves, {options.wrong} wrong submissions, seed {options.seed}"
    )

    def moment(fraction: float) -> datetime:
        return starts_at + timedelta(seconds=span * fraction)

    def address() -> str:
        return f"198.51.100.{rng.randrange(1, 255)}"  # TEST-NET-2: documentation addresses, stored only

    with transaction.atomic():
        existing = Event.objects.filter(slug=options.slug).first()
        stale_users = User.objects.filter(username__startswith=user_prefix)
        if existing is not None or stale_users.exists():
            if not options.replace:
                what = f"an event '{options.slug}'" if existing else f"users named '{user_prefix}*'"
                fail(f"{what} already exists; pass --replace to delete it and generate again")

            def delete_previous() -> None:
                if existing is not None:
                    Solve.objects.filter(challenge__event=existing).delete()
                    HintUnlock.objects.filter(hint__challenge__event=existing).delete()
                    Award.objects.filter(event=existing).delete()
                    with connection.cursor() as cursor:  # no solve points at them any more: skip the ORM collector
                        table = connection.ops.quote_name(Submission._meta.db_table)
                        cursor.execute(f"DELETE FROM {table} WHERE event_id = %s", [existing.pk])  # noqa: S608
                    existing.delete()
                stale_users.delete()

            phases.run("delete the previous event", delete_previous)

        # --- users ---------------------------------------------------------------------
        def make_users() -> list[User]:
            unusable = make_password(None)  # "!" + random: no hashing, and nobody can sign in
            countries = rng.choices(["GB", "JP", "XX"], weights=[4, 4, 2], k=options.users)
            users = [
                User(
                    username=f"{user_prefix}{index:05d}",
                    display_name=f"Player {index:05d}",
                    password=unusable,
                    country=countries[index],
                    preferred_language=rng.choice(["", "en", "ja"]),
                    date_joined=starts_at - timedelta(days=rng.randrange(1, 30)),
                )
                for index in range(options.users)
            ]
            return User.objects.bulk_create(users, batch_size=BATCH)

        users = phases.run("users", make_users)

        # --- the event ---------------------------------------------------------------------
        def make_event() -> tuple[Event, list[Bracket]]:
            event = Event.objects.create(
                slug=options.slug,
                languages=["en", "ja"],
                starts_at=starts_at,
                ends_at=ends_at,
                mode=EventMode.INDIVIDUAL if individual else EventMode.TEAM,
                team_size_limit=None if individual else math.ceil(options.users / team_count),
                blood_bonuses=[30, 20, 10],
            )
            EventTranslation.objects.bulk_create(
                [
                    EventTranslation(
                        event=event,
                        language_code="en",
                        name="Benchmark Cup",
                        description="A large generated event for benchmarks.",
                    ),
                    EventTranslation(
                        event=event,
                        language_code="ja",
                        name="ベンチマーク杯",
                        description="ベンチマーク用に生成した大規模イベント。",
                    ),
                ]
            )
            brackets = Bracket.objects.bulk_create(
                [Bracket(event=event, slug="students"), Bracket(event=event, slug="professionals")]
            )
            names = {"students": ("Students", "学生"), "professionals": ("Professionals", "社会人")}
            BracketTranslation.objects.bulk_create(
                [
                    BracketTranslation(bracket=bracket, language_code=code, name=name)
                    for bracket in brackets
                    for code, name in zip(("en", "ja"), names[bracket.slug], strict=True)
                ]
            )
            return event, brackets

        event, brackets = phases.run("event, translations, brackets", make_event)

        # --- challenges, flags, hints ----------------------------------------------------
        def make_challenges() -> tuple[list[Challenge], list[Hint]]:
            challenges: list[Challenge] = []
            for index in range(options.challenges):
                difficulty = 1 + (5 * index) // options.challenges
                kind = ("static", "logarithmic", "linear")[index % 3]
                challenge = Challenge(
                    event=event,
                    category=CATEGORIES[index % len(CATEGORIES)],
                    difficulty=difficulty,
                    author="bench",
                    state=ChallengeState.VISIBLE,
                    function=kind,
                    value=100 * difficulty if kind == "static" else 500,
                    minimum=None if kind == "static" else 100,
                    decay={"static": None, "logarithmic": 300, "linear": 1}[kind],
                    position=index,
                )
                challenges.append(challenge)
            challenges = Challenge.objects.bulk_create(challenges, batch_size=BATCH)
            translations = []
            for index, challenge in enumerate(challenges):
                number = f"{index + 1:03d}"
                translations += [
                    ChallengeTranslation(
                        challenge=challenge,
                        language_code="en",
                        title=f"{challenge.category.title()} {number}",
                        description=f"Challenge {number} of the benchmark. The flag looks like `bench{{…}}`.",
                        connection_info=f"nc ctf.example 3{index:04d}" if challenge.category == "pwn" else "",
                    ),
                    ChallengeTranslation(
                        challenge=challenge,
                        language_code="ja",
                        title=f"{CATEGORIES_JA[challenge.category]} {number}",
                        description=f"ベンチマークの問題 {number}。フラグは `bench{{…}}` の形式です。",
                    ),
                ]
            ChallengeTranslation.objects.bulk_create(translations, batch_size=BATCH)
            Flag.objects.bulk_create(
                [
                    Flag(challenge=challenge, kind="static", content=f"bench{{{challenge.pk}}}")
                    for challenge in challenges
                ],
                batch_size=BATCH,
            )
            hints = Hint.objects.bulk_create(
                [
                    Hint(challenge=challenge, cost=10 * challenge.difficulty, position=0)
                    for challenge in challenges[::5]
                ],
                batch_size=BATCH,
            )
            HintTranslation.objects.bulk_create(
                [
                    HintTranslation(hint=hint, language_code=code, title=title, content=content)
                    for hint in hints
                    for code, title, content in (
                        ("en", "Hint", "Read the description again."),
                        ("ja", "ヒント", "問題文をもう一度読んでください。"),
                    )
                ],
                batch_size=BATCH,
            )
            return challenges, hints

        challenges, hints = phases.run("challenges, flags, hints", make_challenges)

        # --- teams and participants -----------------------------------------------------
        def make_teams() -> tuple[list[Team], list[list[User]]]:
            members: list[list[User]] = [[] for _ in range(team_count)]
            for index, user in enumerate(users):
                members[index % team_count].append(user)
            special = rng.sample(range(team_count), k=min(team_count, max(2, team_count // 100)))
            hidden = set(special[: len(special) // 2])
            banned = set(special[len(special) // 2 :][:2])
            teams = [
                Team(
                    event=event,
                    name=group[0].display_name if individual else f"Team {index + 1:04d}",
                    captain=group[0],
                    solo=individual,
                    country_bracket=country_bracket(user.country for user in group),
                    bracket=rng.choice([*brackets, None]),
                    hidden=index in hidden,
                    banned=index in banned,
                )
                for index, group in enumerate(members)
            ]
            teams = Team.objects.bulk_create(teams, batch_size=BATCH)
            Participant.objects.bulk_create(
                [
                    Participant(event=event, user=user, team=team, status="banned" if team.banned else "approved")
                    for team, group in zip(teams, members, strict=True)
                    for user in group
                ],
                batch_size=BATCH,
            )
            return teams, members

        teams, members = phases.run("teams, participants", make_teams)

        # --- who solves what, when ------------------------------------------------------
        def plan_submissions() -> list[Row]:
            counts = solve_counts(options.solves, options.challenges, team_count)
            skill = [rng.lognormvariate(0.0, 1.0) for _ in teams]
            rows: list[Row] = []
            for index, (challenge, count) in enumerate(zip(challenges, counts, strict=True)):
                if count == 0:
                    continue
                # Weighted sampling without replacement (Efraimidis-Spirakis): stronger teams solve more.
                keys = [rng.random() ** (1.0 / weight) for weight in skill]
                solvers = sorted(range(team_count), key=keys.__getitem__, reverse=True)[:count]
                earliness = 2.0 - 1.5 * index / options.challenges  # > 1: easy challenges are solved early
                flag = f"bench{{{challenge.pk}}}"
                for team_index in solvers:
                    user = rng.choice(members[team_index])
                    when = moment(rng.random() ** earliness)
                    rows.append((when, challenge.pk, teams[team_index].pk, user.pk, True, flag))
            for _ in range(options.wrong):
                team_index = rng.randrange(team_count)
                challenge = challenges[min(int(rng.expovariate(4.0) * options.challenges), options.challenges - 1)]
                user = rng.choice(members[team_index])
                provided = f"bench{{{rng.getrandbits(40):010x}}}"
                rows.append((moment(rng.random()), challenge.pk, teams[team_index].pk, user.pk, False, provided))
            rows.sort()
            return rows

        rows = phases.run("plan solves and wrong submissions", plan_submissions)

        def insert_submissions() -> tuple[int, int]:
            solves = 0
            for chunk in chunks(rows, CHUNK):
                submissions = Submission.objects.bulk_create(
                    [
                        Submission(
                            event=event,
                            challenge_id=challenge_id,
                            team_id=team_id,
                            user_id=user_id,
                            provided=provided,
                            result=SubmissionResult.CORRECT if correct else SubmissionResult.INCORRECT,
                            source_address=address(),
                            created_at=when,
                        )
                        for when, challenge_id, team_id, user_id, correct, provided in chunk
                    ],
                    batch_size=BATCH,
                )
                created = Solve.objects.bulk_create(
                    [
                        Solve(
                            challenge_id=submission.challenge_id,
                            team_id=submission.team_id,
                            user_id=submission.user_id,
                            submission=submission,
                            created_at=submission.created_at,
                        )
                        for submission in submissions
                        if submission.result == SubmissionResult.CORRECT
                    ],
                    batch_size=BATCH,
                )
                solves += len(created)
            return len(rows), solves

        submitted, solved = phases.run("submissions and solves", insert_submissions)

        # --- awards and hint unlocks -------------------------------------------------------
        def make_extras() -> tuple[int, int]:
            awards = Award.objects.bulk_create(
                [
                    Award(
                        event=event,
                        team=team,
                        value=rng.choice([50, 100, 150, -50]),
                        reason=rng.choice(["Write-up bonus / 解説ボーナス", "Infrastructure abuse / 不正利用"]),
                        created_at=moment(rng.random()),
                    )
                    for team in rng.sample(teams, k=min(options.awards, len(teams)))
                ],
                batch_size=BATCH,
            )
            wanted = min(options.hint_unlocks, len(hints) * team_count)
            pairs: set[tuple[int, int]] = set()
            while len(pairs) < wanted:
                pairs.add((rng.randrange(len(hints)), rng.randrange(team_count)))
            unlocks = HintUnlock.objects.bulk_create(
                [
                    HintUnlock(
                        hint=hints[hint_index],
                        team=teams[team_index],
                        user=rng.choice(members[team_index]),
                        cost=hints[hint_index].cost,
                        created_at=moment(rng.random()),
                    )
                    for hint_index, team_index in sorted(pairs)
                ],
                batch_size=BATCH,
            )
            return len(awards), len(unlocks)

        award_count, unlock_count = phases.run("awards, hint unlocks", make_extras)

        commit_start = time.perf_counter()
    phases.durations["commit"] = time.perf_counter() - commit_start
    print(f"  {'commit':<34} {phases.durations['commit']:8.2f} s")

    if connection.vendor == "postgresql":  # autovacuum would do this soon; do it now so plans are realistic
        phases.run("ANALYZE", lambda: connection.cursor().execute("ANALYZE"))

    print(
        f"done in {phases.total():.1f} s: event id {event.pk} '{event.slug}', {len(users)} users, {len(teams)} teams,"
        f" {len(challenges)} challenges, {solved} solves, {submitted} submissions"
        f" ({submitted - solved} wrong), {award_count} awards, {unlock_count} hint unlocks"
    )
    write_json(
        options.json,
        {
            "benchmark": "generate",
            "machine": machine_description(),
            "options": asdict(options) | {"teams": team_count},
            "counts": {
                "users": len(users),
                "teams": len(teams),
                "challenges": len(challenges),
                "solves": solved,
                "submissions": submitted,
                "awards": award_count,
                "hint_unlocks": unlock_count,
            },
            "phases_s": phases.durations,
            "total_s": phases.total(),
        },
    )
    print(f"next: python -m bench.standings --slug {options.slug} && python -m bench.submissions --slug {options.slug}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
