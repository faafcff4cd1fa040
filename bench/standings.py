"""Standings benchmark on a generated event (see ``bench.generate``).

    python -m bench.standings [--slug bench-large] [--runs 7] [--solves 10] [--seed 1]
                              [--profile 25] [--json PATH] [--keep]

Measures, on the event as it is in the database:

1. Full recomputation: ``standings.compute`` for the live and for the public view, and
   ``standings.refresh_now`` from nothing (the process's memory of the event dropped: both views
   from one load, stored in the cache, announced), and ``refresh_now`` with the event in memory and
   nothing new (the fixed cost of every incremental refresh), each the median of ``--runs`` runs
   after one warm-up run, with the number of SQL queries of one run.
2. A new solve committed → both refreshed snapshots stored: a new solve (submission + solve, as
   ``submission_attempt`` writes them) is committed, then ``standings_changed`` is called as the
   solve's ``on_commit`` hook does, and the clock stops when a refresh that started after it has
   stored the snapshots (inline, or in the background thread when ``STANDINGS_IN_BACKGROUND`` is
   on; the background thread waits ``STANDINGS_MIN_INTERVAL`` after a refresh before the next one).
   Median over ``--solves`` different new solves; the stored snapshot must show each solve. The
   refresh itself (the incremental update: new rows read, tally updated, both views stored) is
   reported separately.
3. Where the time goes: loading the rows (the queries and their conversion), building one view from
   them (pure scoring), and pickling the snapshot (what the cache stores).

The solves it adds are deleted at the end (unless ``--keep``), and the standings refreshed again.
"""

import argparse
import cProfile
import pickle
import random
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from bench.common import fail, machine_description, median, ms, percentile, profile_report, setup, write_json

if TYPE_CHECKING:
    from kakehashi.ctf.models import Event


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.standings", description=__doc__.split("\n\n")[0])
    parser.add_argument("--slug", default="bench-large", help="the generated event (default bench-large)")
    parser.add_argument("--runs", type=int, default=7, help="full recomputations of each kind (default 7)")
    parser.add_argument("--solves", type=int, default=10, help="new solves, one refresh each (default 10)")
    parser.add_argument("--seed", type=int, default=1, help="random seed for the new solves (default 1)")
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="print the top N of a profile")
    parser.add_argument("--json", default=None, metavar="PATH", help="also write the results as JSON")
    parser.add_argument("--keep", action="store_true", help="keep the solves added by the benchmark")
    args = parser.parse_args(argv)
    if args.runs < 1 or args.solves < 1:
        fail("--runs and --solves must be at least 1")
    return args


def repeat(function: Callable[[], object], runs: int) -> tuple[list[float], int]:
    """One warm-up call with its SQL queries counted, then ``runs`` timed calls."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        function()
    durations = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        durations.append(time.perf_counter() - start)
    return durations, len(queries.captured_queries)


def main(argv: Sequence[str] | None = None) -> int:  # noqa: PLR0915  (one straight script, step after step)
    args = parse(argv)
    setup()

    from django.db import transaction
    from django.utils import timezone

    from bench.refreshes import in_background, watch
    from kakehashi.ctf.choices import SubmissionResult
    from kakehashi.ctf.models import Award, Challenge, Event, HintUnlock, Participant, Solve, Submission, Team
    from kakehashi.ctf.services import standings

    event = Event.objects.filter(slug=args.slug).first()
    if event is None:
        fail(f"no event '{args.slug}': run `python -m bench.generate --slug {args.slug}` first")
        return 2
    rng = random.Random(args.seed)  # noqa: S311  (which pairs to solve, not secrets)

    sizes = {
        "teams": Team.objects.filter(event=event).count(),
        "ranked_teams": Team.objects.filter(event=event, hidden=False, banned=False).count(),
        "challenges": Challenge.objects.filter(event=event).count(),
        "solves": Solve.objects.filter(challenge__event=event).count(),
        "submissions": Submission.objects.filter(event=event).count(),
        "awards": Award.objects.filter(event=event).count(),
        "hint_unlocks": HintUnlock.objects.filter(hint__challenge__event=event).count(),
    }
    machine = machine_description()
    mode = "background" if in_background() else "inline"
    print(f"{machine['version']}, Python {machine['python']}, {machine['cpus']} CPUs, cache {machine['cache']}")
    print("event '{}': {solves} solves, {teams} teams ({ranked_teams} ranked), {challenges} challenges".format(
        event.slug, **sizes
    ))  # fmt: skip
    print(f"standings refresh after a change: {mode} (STANDINGS_IN_BACKGROUND)")

    def from_nothing(event_id: int) -> None:
        standings.forget()  # as a process that has not read the event yet
        standings.refresh_now(event_id)

    # --- 1. full recomputation ---------------------------------------------------------------
    recompute: dict[str, dict[str, Any]] = {}
    kinds: list[tuple[str, Callable[[], object]]] = [
        ("compute(view='live')", lambda: standings.compute(event, view="live")),
        ("compute(view='public')", lambda: standings.compute(event, view="public")),
        ("refresh_now: both views, stored", lambda: from_nothing(event.pk)),
        ("refresh_now, event in memory, nothing new", lambda: standings.refresh_now(event.pk)),
    ]
    for name, function in kinds:
        durations, queries = repeat(function, args.runs)
        recompute[name] = {
            "median_s": median(durations),
            "min_s": min(durations),
            "max_s": max(durations),
            "runs": args.runs,
            "queries": queries,
        }
        print(
            f"{name:<44} median {ms(median(durations))} (min {ms(min(durations))}, max {ms(max(durations))},"
            f" {args.runs} runs), {queries} queries"
        )
    entries = len(standings.compute(event, view="live").entries)

    # --- 3. where the time goes (before adding solves, so it sees the same data as step 1) ------
    breakdown = _breakdown(event, runs=max(3, args.runs // 2))
    print(
        f"of one refresh: loading the rows {ms(breakdown['load_s'])}, building one view {ms(breakdown['build_s'])};"
        f" pickled snapshot {breakdown['pickle_bytes'] / 1024:.0f} KiB in {ms(breakdown['pickle_s'])}"
    )

    # --- 2. a new solve committed → snapshots stored ---------------------------------------------
    solved = set(Solve.objects.filter(challenge__event=event).values_list("team_id", "challenge_id"))
    players = list(
        Participant.objects.filter(event=event, team__hidden=False, team__banned=False, status="approved")
        .values_list("team_id", "user_id")
        .order_by("team_id", "user_id")
    )
    challenge_ids = list(Challenge.objects.filter(event=event).values_list("pk", flat=True).order_by("pk"))
    if not players or not challenge_ids:
        fail("the event has no ranked participant or no challenge")
    added: list[int] = []
    latencies: list[float] = []
    with watch(standings) as recorder:
        for _ in range(args.solves):
            team_id, user_id = rng.choice(players)
            free = [pk for pk in challenge_ids if (team_id, pk) not in solved]
            while not free:
                team_id, user_id = rng.choice(players)
                free = [pk for pk in challenge_ids if (team_id, pk) not in solved]
            challenge_id = rng.choice(free)
            solved.add((team_id, challenge_id))
            before = standings.snapshot(event, "live")
            old_solves = next((entry.solves for entry in before.entries if entry.team_id == team_id), 0)
            now = timezone.now()
            with transaction.atomic():
                submission = Submission.objects.create(
                    event=event, challenge_id=challenge_id, team_id=team_id, user_id=user_id,
                    provided=f"bench{{{challenge_id}}}", result=SubmissionResult.CORRECT, created_at=now,
                )  # fmt: skip
                solve = Solve.objects.create(
                    challenge_id=challenge_id, team_id=team_id, user_id=user_id, submission=submission, created_at=now
                )
            committed = time.perf_counter()
            standings.standings_changed(event.pk, kind="append")  # what the solve's on_commit hook does
            stored = recorder.wait_current(since=committed)
            latencies.append(stored - committed)
            added.append(solve.pk)
            after = standings.snapshot(event, "live")
            new_solves = next((entry.solves for entry in after.entries if entry.team_id == team_id), 0)
            if after.version <= before.version or new_solves != old_solves + 1:
                fail(f"the stored snapshot does not show the new solve of team {team_id} (version {after.version})")
        refresh_durations = recorder.durations()
    refresh = {
        "mode": mode,
        "median_s": median(latencies),
        "p90_s": percentile(latencies, 0.9),
        "min_s": min(latencies),
        "max_s": max(latencies),
        "solves": args.solves,
        "refresh_median_s": median(refresh_durations),
        "queries": recompute["refresh_now: both views, stored"]["queries"],
    }
    print(
        f"new solve committed → both snapshots stored ({mode}): median {ms(refresh['median_s'])}"
        f" (p90 {ms(refresh['p90_s'])}, max {ms(refresh['max_s'])}, {args.solves} solves);"
        f" the refresh itself {ms(refresh['refresh_median_s'])}"
    )

    profile_text = ""
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        standings.refresh_now(event.pk)  # inline, so that the profiler (of this thread) sees it
        profiler.disable()
        profile_text = profile_report(profiler, args.profile)
        print(f"profile of one refresh_now (cProfile; profiling slows it down):\n{profile_text}")

    if not args.keep:
        Submission.objects.filter(solve__pk__in=added).delete()  # deletes the solves with them
        standings.forget()
        standings.refresh_now(event.pk)
        print(f"removed the {len(added)} solves added by the benchmark")

    write_json(
        args.json,
        {
            "benchmark": "standings",
            "machine": machine,
            "event": event.slug,
            "sizes": sizes | {"standings_rows": entries},
            "recompute": recompute,
            "refresh_after_solve": refresh,
            "breakdown": breakdown,
            "profile": profile_text,
        },
    )
    return 0


def _breakdown(event: "Event", *, runs: int) -> dict[str, float]:
    """Times the two halves of a refresh separately: loading the rows, and building one view from them."""
    from django.utils import timezone

    from kakehashi.ctf.services import standings

    loads, builds = [], []
    facts = standings._load(event)
    for _ in range(runs):
        start = time.perf_counter()
        facts = standings._load(event)
        loads.append(time.perf_counter() - start)
        start = time.perf_counter()
        snapshot = standings._build(event, facts, view="live", cut_off=None, now=timezone.now(), version=0)
        builds.append(time.perf_counter() - start)
    start = time.perf_counter()
    pickled = pickle.dumps(snapshot, pickle.HIGHEST_PROTOCOL)
    pickle_s = time.perf_counter() - start
    return {
        "load_s": median(loads),
        "build_s": median(builds),
        "pickle_s": pickle_s,
        "pickle_bytes": float(len(pickled)),
    }


if __name__ == "__main__":
    raise SystemExit(main())
