"""Flag submission throughput through ``submission_attempt``, in-process, on a generated event.

    python -m bench.submissions [--slug bench-large] [--wrong 2000] [--wrong-users 1000] [--repeat 3]
                                [--correct 500] [--seed 1] [--profile 0] [--json PATH] [--keep]

Four kinds of run, each on its own players, so no rate limit is reached (10 wrong flags per user
and minute by default; here each user sends ``repeat x wrong / wrong-users`` of them):

- wrong flags, single-threaded: ``--wrong`` attempts spread over ``--wrong-users`` users;
- wrong flags, two threads: the same on other users, every other attempt in each thread;
- correct flags, single-threaded: ``--correct`` new solves (team and challenge not yet solved);
- correct flags, two threads: as many other new solves.

The two wrong-flag runs alternate ``--repeat`` times so that both see the same noise of the
machine; their attempts per second are the median over the repetitions. The correct-flag runs
are made once: each attempt is a sample of its own.

A correct flag commits a solve, and its ``on_commit`` hook asks for a standings refresh
(``standings_changed``): inline before ``submission_attempt`` returns, or in a background thread
that coalesces the requests, as ``STANDINGS_IN_BACKGROUND`` says. Either way the refreshes are
timed and counted, and a correct-flag run also reports when the standings had caught up with its
last solve. Each thread closes its database connection at the end. Challenge, team and user
objects are loaded once beforehand, as a view would have them.

Reports attempts per second (attempts / wall time of a run) and p50/p99 latency per attempt.
Everything the benchmark submitted is deleted at the end unless ``--keep``.
"""

import argparse
import random
import sys
import threading
import time
from collections import Counter
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bench.common import (
    fail,
    machine_description,
    median,
    ms,
    percentile,
    profile_report,
    setup,
    write_json,
)

if TYPE_CHECKING:
    from kakehashi.accounts.models import User
    from kakehashi.ctf.models import Challenge, Team


@dataclass(frozen=True)
class Job:
    challenge: "Challenge"
    team: "Team"
    user: "User"
    provided: str


@dataclass
class Outcome:
    latencies: list[float]
    results: Counter[str]
    submission_ids: list[int]
    started: float = 0.0  # perf_counter() when the run began
    wall_s: float = 0.0


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.submissions", description=__doc__.split("\n\n")[0])
    parser.add_argument("--slug", default="bench-large", help="the generated event (default bench-large)")
    parser.add_argument("--wrong", type=int, default=2_000, help="wrong attempts per run (default 2000)")
    parser.add_argument("--wrong-users", type=int, default=1_000, help="users sending them (default 1000)")
    parser.add_argument(
        "--correct",
        type=int,
        default=None,
        help="correct attempts (new solves) per run (default 500 with background refreshes, else 30)",
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs of each wrong-flag variant (default 3)")
    parser.add_argument(
        "--switch-interval",
        type=float,
        default=None,
        metavar="SECONDS",
        help="sys.setswitchinterval for the run (Python's default is 0.005): how soon a thread back from"
        " the database gets the interpreter from a busy one",
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="print the top N of a profile")
    parser.add_argument("--json", default=None, metavar="PATH", help="also write the results as JSON")
    parser.add_argument("--keep", action="store_true", help="keep what the benchmark submitted")
    args = parser.parse_args(argv)
    if args.wrong < 0 or (args.correct or 0) < 0 or args.wrong_users < 1 or args.repeat < 1:
        fail("--wrong and --correct cannot be negative, --wrong-users and --repeat must be at least 1")
    return args


def run(jobs: Sequence[Job], *, threads: int) -> Outcome:
    """Submit ``jobs`` in ``threads`` threads (job i goes to thread i mod threads); time each attempt."""
    from django.db import connection

    from kakehashi.ctf.services.play import submission_attempt

    def worker(mine: Sequence[Job], outcome: Outcome, barrier: threading.Barrier | None) -> None:
        try:
            if barrier is not None:
                barrier.wait()
            for job in mine:
                start = time.perf_counter()
                attempt = submission_attempt(
                    challenge=job.challenge, team=job.team, user=job.user, provided=job.provided
                )
                outcome.latencies.append(time.perf_counter() - start)
                outcome.results[str(attempt.result)] += 1
                outcome.submission_ids.append(attempt.submission.pk)
        finally:
            if barrier is not None:
                connection.close()  # this thread's own connection

    total = Outcome(latencies=[], results=Counter(), submission_ids=[])
    if threads == 1:
        total.started = time.perf_counter()
        worker(jobs, total, None)
        total.wall_s = time.perf_counter() - total.started
        return total
    parts = [Outcome(latencies=[], results=Counter(), submission_ids=[]) for _ in range(threads)]
    barrier = threading.Barrier(threads + 1)
    workers = [
        threading.Thread(target=worker, args=(jobs[index::threads], parts[index], barrier), name=f"bench-{index}")
        for index in range(threads)
    ]
    for thread in workers:
        thread.start()
    barrier.wait()
    total.started = time.perf_counter()
    for thread in workers:
        thread.join()
    total.wall_s = time.perf_counter() - total.started
    for part in parts:
        total.latencies += part.latencies
        total.results += part.results
        total.submission_ids += part.submission_ids
    return total


def summary(outcomes: Sequence[Outcome]) -> dict[str, Any]:
    """Attempts per second: the median over the runs. Latencies: every attempt of every run, pooled."""
    latencies = [latency for outcome in outcomes for latency in outcome.latencies]
    results: Counter[str] = Counter()
    for outcome in outcomes:
        results += outcome.results
    rates = [len(outcome.latencies) / outcome.wall_s for outcome in outcomes if outcome.wall_s]
    data: dict[str, Any] = {
        "runs": len(outcomes),
        "attempts": len(latencies),
        "wall_s": sum(outcome.wall_s for outcome in outcomes),
        "per_second": median(rates),
        "per_second_runs": rates,
        "p50_s": percentile(latencies, 0.5),
        "p99_s": percentile(latencies, 0.99),
        "max_s": max(latencies, default=0.0),
        "results": dict(results),
    }
    return data


def main(argv: Sequence[str] | None = None) -> int:  # noqa: PLR0912, PLR0915  (one straight script, run after run)
    args = parse(argv)
    if args.switch_interval is not None:
        sys.setswitchinterval(args.switch_interval)
    setup()

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from bench.refreshes import in_background, watch
    from kakehashi.accounts.models import User
    from kakehashi.ctf import phases
    from kakehashi.ctf.choices import SubmissionResult
    from kakehashi.ctf.models import Challenge, Event, Participant, Solve, Submission, Team
    from kakehashi.ctf.services import play, standings

    event = Event.objects.filter(slug=args.slug).first()
    if event is None:
        fail(f"no event '{args.slug}': run `python -m bench.generate --slug {args.slug}` first")
        return 2
    schedule = phases.Schedule(event.starts_at, event.ends_at, event.freeze_at, event.paused)
    if phases.phase(schedule, timezone.now()) != phases.Phase.RUNNING:
        fail(f"event '{args.slug}' is not running now: generate it again with --replace")
    rng = random.Random(args.seed)  # noqa: S311  (who submits what, not secrets)

    challenges = list(Challenge.objects.filter(event=event).select_related("event").order_by("pk"))
    teams = {team.pk: team for team in Team.objects.filter(event=event, hidden=False, banned=False)}
    players = list(
        Participant.objects.filter(event=event, team__in=list(teams), status="approved")
        .values_list("user_id", "team_id")
        .order_by("user_id")
    )
    users = User.objects.in_bulk([user_id for user_id, _team in players])
    rng.shuffle(players)
    needed = 2 * args.wrong_users + 1
    if len(players) < needed:
        fail(f"need at least {needed} ranked players for two runs of --wrong-users {args.wrong_users}")
    per_user = args.repeat * -(-args.wrong // args.wrong_users)  # within about a minute
    if args.wrong and 0 < event.wrong_attempts_per_minute < per_user:
        fail(
            f"each user would send {per_user} wrong flags within a minute, the event accepts"
            f" {event.wrong_attempts_per_minute}: raise --wrong-users or lower --repeat"
        )
    solved = set(Solve.objects.filter(challenge__event=event).values_list("team_id", "challenge_id"))
    machine = machine_description()
    print(f"{machine['version']}, Python {machine['python']}, {machine['cpus']} CPUs, cache {machine['cache']}")
    print(f"event '{event.slug}': {len(solved)} solves, {len(teams)} ranked teams, {len(challenges)} challenges")

    def unsolved_challenge(team_id: int) -> "Challenge":
        while True:  # every generated team has unsolved challenges unless the event is saturated
            challenge = rng.choice(challenges)
            if (team_id, challenge.pk) not in solved:
                return challenge

    def wrong_jobs(pool: Sequence[tuple[int, int]], count: int) -> list[Job]:
        jobs: list[Job] = []
        for index in range(count):
            user_id, team_id = pool[index % len(pool)]
            jobs.append(
                Job(
                    challenge=unsolved_challenge(team_id),
                    team=teams[team_id],
                    user=users[user_id],
                    provided=f"bench{{wrong-{rng.getrandbits(40):010x}}}",
                )
            )
        return jobs

    def correct_jobs(count: int) -> list[Job]:
        jobs: list[Job] = []
        while len(jobs) < count:
            user_id, team_id = rng.choice(players)
            challenge = rng.choice(challenges)
            if (team_id, challenge.pk) in solved:
                continue
            solved.add((team_id, challenge.pk))
            jobs.append(
                Job(challenge=challenge, team=teams[team_id], user=users[user_id], provided=f"bench{{{challenge.pk}}}")
            )
        return jobs

    submitted: list[int] = []
    results: dict[str, Any] = {}
    queries: dict[str, int] = {}
    profiled = ""
    mode = "background" if in_background() else "inline"
    if args.correct is None:  # inline, every correct flag waits for a full refresh: keep the run short
        args.correct = 500 if mode == "background" else 30
    print(f"standings refresh after a solve: {mode} (STANDINGS_IN_BACKGROUND)")
    stack = ExitStack()
    recorder = stack.enter_context(watch(play))  # ``_announce_solve`` looks ``standings_changed`` up in ``play``
    try:
        # Queries per attempt, measured once outside the timed runs (capturing slows the cursor down).
        probe_wrong, probe_correct = wrong_jobs(players[-1:], 1)[0], correct_jobs(1)[0]
        for name, job in (("wrong", probe_wrong), ("correct", probe_correct)):
            with CaptureQueriesContext(connection) as captured:
                attempt = play.submission_attempt(
                    challenge=job.challenge, team=job.team, user=job.user, provided=job.provided
                )
            submitted.append(attempt.submission.pk)
            queries[name] = len(captured.captured_queries)
        recorder.wait_current(since=recorder.last_request())  # let the probe's refresh finish first
        print(
            f"queries per attempt in the submitting thread: wrong {queries['wrong']}, correct {queries['correct']}"
            + (" (with the refresh)" if mode == "inline" else " (the refresh runs in the background)")
        )

        # Wrong flags: the two variants alternate, ``--repeat`` times, so both see the same machine noise.
        runs: dict[str, list[Outcome]] = {}
        refresh_stats: dict[str, dict[str, Any]] = {}
        pools = {1: players[: args.wrong_users], 2: players[args.wrong_users : 2 * args.wrong_users]}
        variants = [(f"wrong, {threads} thread{'s' if threads > 1 else ''}", threads) for threads in (1, 2)]
        for _repeat in range(args.repeat if args.wrong else 0):
            for name, threads in variants:
                outcome = run(wrong_jobs(pools[threads], args.wrong), threads=threads)
                submitted += outcome.submission_ids
                runs.setdefault(name, []).append(outcome)
        # Correct flags: each attempt is a sample of its own. The run ends when the last attempt has
        # answered; the standings have caught up when a refresh begun after the last solve has stored.
        for threads in (1, 2) if args.correct else ():
            name = f"correct, {threads} thread{'s' if threads > 1 else ''}"
            recorder.clear()
            outcome = run(correct_jobs(args.correct), threads=threads)
            submitted += outcome.submission_ids
            current = recorder.wait_current(since=recorder.last_request())
            runs[name] = [outcome]
            durations = recorder.durations()
            refresh_stats[name] = {
                "refresh_count": len(durations),
                "refresh_median_s": median(durations),
                "caught_up_s": current - outcome.started,
                "caught_up_after_last_answer_s": max(0.0, current - outcome.started - outcome.wall_s),
            }
        for name, outcomes in runs.items():
            threads = 2 if "2 threads" in name else 1
            results[name] = summary(outcomes) | {"threads": threads} | refresh_stats.get(name, {})
            expected = SubmissionResult.CORRECT if name.startswith("correct") else SubmissionResult.INCORRECT
            data = results[name]
            line = (
                f"{name:<19} {data['per_second']:8.1f} attempts/s (median of {data['runs']})"
                f"  p50 {ms(data['p50_s'])}  p99 {ms(data['p99_s'])}  ({data['attempts']} attempts)"
            )
            if "refresh_count" in data:
                line += (
                    f"; {data['refresh_count']} refreshes of median {ms(data['refresh_median_s'])},"
                    f" standings current {data['caught_up_s']:.1f} s after the first attempt"
                )
            print(line)
            if set(data["results"]) != {expected}:
                print(f"  warning: unexpected results {data['results']}")
        if args.profile:
            import cProfile

            profiler = cProfile.Profile()
            jobs = wrong_jobs(players[2 * args.wrong_users :] or players, 200)
            profiler.enable()
            outcome = run(jobs, threads=1)
            profiler.disable()
            submitted += outcome.submission_ids
            profiled = profile_report(profiler, args.profile)
            print(f"profile of {len(jobs)} wrong attempts (cProfile; profiling slows it down):\n{profiled}")
    finally:
        stack.close()
        if not args.keep and submitted:
            for start in range(0, len(submitted), 500):
                Submission.objects.filter(pk__in=submitted[start : start + 500]).delete()  # solves go with them
            standings.refresh_now(event.pk)
            print(f"removed the {len(submitted)} submissions made by the benchmark")

    write_json(
        args.json,
        {
            "benchmark": "submissions",
            "machine": machine,
            "event": event.slug,
            "queries_per_attempt": queries,
            "runs": results,
            "profile": profiled,
        },
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
