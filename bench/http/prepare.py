"""Prepare the HTTP load: API tokens for the generated users, and who submits or unlocks what.

    python -m bench.http.prepare --slug bench-large --out DIR [--runs 3] [--correct-per-run N]
                                 [--hints-per-run N] [--visible 10] [--seed 1]

Run with the same settings as the servers (``bench.http.load`` runs it with the topology's
environment). It writes, in ``DIR``, one line per request for wrk's Lua script to rotate through:

- ``tokens.txt``: a token per player (players of banned or hidden teams left out), shuffled;
- ``wrong.txt``: ``token<TAB>challenge`` per player, a challenge the player's team has not solved;
- ``correct-R.txt`` for each run R: ``token<TAB>challenge<TAB>flag``, every (team, challenge) pair
  unsolved and used once in all the files, so every line is a new solve;
- ``hints-R.txt``: ``token<TAB>hint``, a hint the team has not unlocked and can afford (its score is
  at least the minimum values of its solves, less its awards and unlocks), each pair used once;
- ``visible.txt``: ``token<TAB>team<TAB>challenge<TAB>flag`` for the solve-visibility samples, one team each;
- ``bench.json``: the event, the organiser's token (for the announcement), the counts.
"""

import argparse
import json
import random
from collections import defaultdict
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

from bench.common import fail, setup


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.http.prepare", description=__doc__.split("\n\n")[0])
    parser.add_argument("--slug", default="bench-large")
    parser.add_argument("--out", required=True, help="directory for the files")
    parser.add_argument("--runs", type=int, default=3, help="files of correct flags and hint unlocks (one per run)")
    parser.add_argument("--correct-per-run", type=int, default=40_000, help="new solves available to each run")
    parser.add_argument("--hints-per-run", type=int, default=40_000, help="new unlocks available to each run")
    parser.add_argument("--visible", type=int, default=10, help="solves kept for the visibility samples")
    parser.add_argument("--seed", type=int, default=1)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:  # noqa: PLR0912, PLR0915  (one straight script)
    args = parse(argv)
    setup()
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.db.models import Sum
    from django.utils import timezone

    from kakehashi.accounts import tokens
    from kakehashi.accounts.models import ApiToken, User
    from kakehashi.ctf.models import Award, Challenge, Event, EventStaff, Hint, HintUnlock, Participant, Solve

    event = Event.objects.filter(slug=args.slug).first()
    if event is None:
        fail(f"no event {args.slug!r}: run python -m bench.generate first")
        return 2
    rng = random.Random(args.seed)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    expires = timezone.now() + timedelta(days=7)

    players = list(
        Participant.objects.filter(event=event, status="approved", team__banned=False, team__hidden=False)
        .order_by("user_id")
        .values_list("user_id", "team_id")
    )
    if not players:
        fail("the event has no players")
    with transaction.atomic():
        raw_by_user = {user_id: tokens.generate() for user_id, _team in players}
        ApiToken.objects.bulk_create(
            [
                ApiToken(
                    user_id=user_id,
                    name="bench-http",
                    prefix=tokens.display_prefix(raw),
                    digest=tokens.digest(raw),
                    expires_at=expires,
                )
                for user_id, raw in raw_by_user.items()
            ],
            batch_size=2_000,
        )
        organiser, _created = User.objects.get_or_create(
            username=f"{args.slug}.organiser",
            defaults={"display_name": "Benchmark organiser", "password": make_password(None), "country": "GB"},
        )
        EventStaff.objects.get_or_create(event=event, user=organiser, defaults={"role": "organiser"})
        organiser_raw = tokens.generate()
        ApiToken.objects.create(
            user=organiser,
            name="bench-http",
            prefix=tokens.display_prefix(organiser_raw),
            digest=tokens.digest(organiser_raw),
            expires_at=expires,
        )

    challenges = list(Challenge.objects.filter(event=event, state="visible").values_list("pk", "value", "minimum"))
    flags = {pk: f"bench{{{pk}}}" for pk, _value, _minimum in challenges}
    floor = {pk: minimum if minimum is not None else value for pk, value, minimum in challenges}
    solved: dict[int, set[int]] = defaultdict(set)
    for team_id, challenge_id in Solve.objects.filter(challenge__event=event).values_list("team_id", "challenge_id"):
        solved[team_id].add(challenge_id)
    unlocked: dict[int, set[int]] = defaultdict(set)
    spent: dict[int, int] = defaultdict(int)
    for team_id, hint_id, cost in HintUnlock.objects.filter(hint__challenge__event=event).values_list(
        "team_id", "hint_id", "cost"
    ):
        unlocked[team_id].add(hint_id)
        spent[team_id] += cost
    awards = dict(
        Award.objects.filter(event=event).values("team_id").annotate(total=Sum("value")).values_list("team_id", "total")
    )
    hints = list(Hint.objects.filter(challenge__event=event, challenge__state="visible").values_list("pk", "cost"))

    order = list(players)
    rng.shuffle(order)
    team_of = dict(players)
    challenge_ids = [pk for pk, _value, _minimum in challenges]

    def write(name: str, rows: Sequence[Sequence[object]]) -> None:
        (out / name).write_text("".join("\t".join(str(item) for item in row) + "\n" for row in rows))

    write("tokens.txt", [(raw_by_user[user_id],) for user_id, _team in order])
    wrong = []
    for user_id, team_id in order:
        open_challenges = [pk for pk in challenge_ids if pk not in solved[team_id]]
        if open_challenges:
            wrong.append((raw_by_user[user_id], rng.choice(open_challenges)))
    write("wrong.txt", wrong)

    # Every unsolved (team, challenge) pair at most once, dealt round-robin over the players so
    # that each file spreads its solves over many teams.
    pending = {user_id: [pk for pk in challenge_ids if pk not in solved[team_id]] for user_id, team_id in order}
    for remaining in pending.values():
        rng.shuffle(remaining)
    visible_rows = []
    for user_id, team_id in order[: args.visible]:
        if pending[user_id]:
            challenge_id = pending[user_id].pop()
            visible_rows.append((raw_by_user[user_id], team_id, challenge_id, flags[challenge_id]))
    write("visible.txt", visible_rows)
    deal = [user_id for user_id, _team in order[args.visible :]]
    correct_per_run = min(args.correct_per_run, sum(len(pending[user_id]) for user_id in deal) // args.runs)
    correct_counts = []
    for run in range(1, args.runs + 1):
        rows: list[tuple[str, int, str]] = []
        while len(rows) < correct_per_run:
            dealt = False
            for user_id in deal:
                if pending[user_id] and len(rows) < correct_per_run:
                    challenge_id = pending[user_id].pop()
                    rows.append((raw_by_user[user_id], challenge_id, flags[challenge_id]))
                    dealt = True
            if not dealt:
                break
        write(f"correct-{run}.txt", rows)
        correct_counts.append(len(rows))

    budget = {
        team_id: sum(floor[pk] for pk in solved[team_id]) + min(0, awards.get(team_id, 0)) - spent[team_id]
        for team_id in set(team_of.values())
    }
    hint_pending = {
        user_id: [(pk, cost) for pk, cost in hints if pk not in unlocked[team_of[user_id]]] for user_id in deal
    }
    for pairs in hint_pending.values():
        rng.shuffle(pairs)
    hints_per_run = min(args.hints_per_run, sum(len(pairs) for pairs in hint_pending.values()) // args.runs)
    hint_counts = []
    for run in range(1, args.runs + 1):
        hint_rows: list[tuple[str, int]] = []
        while len(hint_rows) < hints_per_run:
            dealt = False
            for user_id in deal:
                team_id = team_of[user_id]
                while hint_pending[user_id] and len(hint_rows) < hints_per_run:
                    hint_id, cost = hint_pending[user_id].pop()
                    if cost <= budget[team_id]:
                        budget[team_id] -= cost
                        hint_rows.append((raw_by_user[user_id], hint_id))
                        dealt = True
                        break
            if not dealt:
                break
        write(f"hints-{run}.txt", hint_rows)
        hint_counts.append(len(hint_rows))

    info = {
        "slug": event.slug,
        "event_id": event.pk,
        "languages": list(event.languages),
        "wrong_attempts_per_minute": event.wrong_attempts_per_minute,
        "organiser_token": organiser_raw,
        "players": len(order),
        "wrong": len(wrong),
        "correct_per_run": correct_counts,
        "hints_per_run": hint_counts,
        "visible": len(visible_rows),
    }
    (out / "bench.json").write_text(json.dumps(info, indent=2) + "\n")
    print(
        f"prepared {len(order)} tokens, {len(wrong)} wrong-flag lines, correct flags per run {correct_counts},"
        f" hint unlocks per run {hint_counts}, {len(visible_rows)} visibility samples in {out}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
