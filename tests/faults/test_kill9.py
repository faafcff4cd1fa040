"""kill -9 of a server process under submission load (PostgreSQL, two servers).

Clients send correct and wrong flags for many teams through both servers, each team's correct flag
several times at once; one server is SIGKILLed mid-load and clients retry what got no answer on
the other. Afterwards, from the database: every acknowledged submission is stored with the result
the client was told, no team solved a challenge twice, and the standings equal the scores implied
by the stored solves, recomputed here independently.
"""

import random
import threading
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from kakehashi.ctf.choices import SubmissionResult
from kakehashi.ctf.models import Event, Solve, Submission
from kakehashi.ctf.services import standings
from tests.faults.support import (
    Seeded,
    SeededChallenge,
    SeededTeam,
    call,
    postgres_only,
    seed,
    server_env,
    servers,
    shared_database_url,
    token_headers,
)

pytestmark = [pytest.mark.slow, pytest.mark.postgres, postgres_only, pytest.mark.django_db(transaction=True)]

TEAMS = 16
CHALLENGES = 3
CORRECT_COPIES = 3  # each team's correct flag for a challenge, sent at once
WRONG_PER_CHALLENGE = 2
KILL_AFTER = 0.35  # share of the jobs answered before the kill


@dataclass(frozen=True)
class Job:
    team: SeededTeam
    challenge: SeededChallenge
    flag: str
    correct: bool


@dataclass(frozen=True)
class Acknowledged:
    team_id: int
    challenge_id: int
    flag: str
    result: str


def _jobs(seeded: Seeded) -> list[Job]:
    rng = random.Random(7)
    groups: list[list[Job]] = []
    for team in seeded.teams:
        for challenge in seeded.challenges:
            groups.append([Job(team, challenge, challenge.flag, True) for _ in range(CORRECT_COPIES)])
            for n in range(WRONG_PER_CHALLENGE):
                wrong = f"flag{{wrong-{team.team_id}-{challenge.challenge_id}-{n}}}"
                groups.append([Job(team, challenge, wrong, False)])
    rng.shuffle(groups)
    return [job for group in groups for job in group]  # a group's copies run side by side


def test_kill_9_of_a_server_loses_no_acknowledged_submission(tmp_path: Path) -> None:
    seeded = seed(teams=TEAMS, challenges=CHALLENGES)
    jobs = _jobs(seeded)
    acknowledged: list[Acknowledged] = []
    unanswered = Counter[str]()
    other_answers: list[str] = []
    answered = 0
    guard = threading.Lock()
    killed = threading.Event()

    with servers(server_env(tmp_path, shared_database_url()), tmp_path) as (first, second):
        urls = [first.url, second.url]

        def send(index: int) -> None:
            nonlocal answered
            job = jobs[index]
            order = [index % 2, 1 - index % 2]
            for attempt, server in enumerate(order):
                answer = call(
                    "POST",
                    f"{urls[server]}/api/challenges/{job.challenge.challenge_id}/attempts",
                    body={"flag": job.flag},
                    headers=token_headers(job.team.token),
                    timeout=30,
                )
                if answer.status == 200 and answer.is_json and "result" in answer.json():
                    with guard:
                        acknowledged.append(
                            Acknowledged(
                                job.team.team_id, job.challenge.challenge_id, job.flag, answer.json()["result"]
                            )
                        )
                        answered += 1
                    return
                with guard:
                    if answer.status == 0:
                        unanswered[f"server {server} attempt {attempt}"] += 1
                    else:
                        other_answers.append(f"{answer.status} {answer.body[:200]!r}")
            with guard:
                answered += 1

        def killer() -> None:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                with guard:
                    progress = answered
                if progress >= KILL_AFTER * len(jobs):
                    first.kill()
                    killed.set()
                    return
                time.sleep(0.01)

        watcher = threading.Thread(target=killer)
        watcher.start()
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=12) as pool:
            list(pool.map(send, range(len(jobs))))
        elapsed = time.monotonic() - started
        watcher.join(timeout=30)
        assert killed.is_set(), "the server was not killed during the load"

    assert not other_answers, other_answers[:5]
    assert unanswered, "some requests should have met the killed server"

    # 1. Every acknowledged submission is stored with the acknowledged result.
    stored = list(
        Submission.objects.filter(event_id=seeded.event_id).values_list("team_id", "challenge_id", "provided", "result")
    )
    stored_counts = Counter(stored)
    acked_counts = Counter((a.team_id, a.challenge_id, a.flag, a.result) for a in acknowledged)
    missing = {key: count for key, count in acked_counts.items() if stored_counts[key] < count}
    assert not missing, missing
    wrong_acked = [a for a in acknowledged if a.flag.startswith("flag{wrong-")]
    assert {a.result for a in wrong_acked} <= {SubmissionResult.INCORRECT, SubmissionResult.ALREADY_SOLVED}
    assert len({a.flag for a in wrong_acked}) == len(wrong_acked), "a wrong flag is acknowledged once"

    # 2. No duplicate solve; each correct submission has exactly its solve, and what was acknowledged correct is solved.
    solves = list(
        Solve.objects.filter(challenge__event_id=seeded.event_id).values_list(
            "team_id", "challenge_id", "submission__result"
        )
    )
    pairs = Counter((team, challenge) for team, challenge, _result in solves)
    assert max(pairs.values()) == 1
    assert {result for _t, _c, result in solves} == {SubmissionResult.CORRECT}
    correct_rows = Counter((t, c) for t, c, _p, result in stored if result == SubmissionResult.CORRECT)
    assert correct_rows == pairs
    acked_correct = Counter((a.team_id, a.challenge_id) for a in acknowledged if a.result == SubmissionResult.CORRECT)
    assert max(acked_correct.values()) == 1
    assert set(acked_correct) <= set(pairs)
    solved_or_told = {(a.team_id, a.challenge_id) for a in acknowledged if a.result == SubmissionResult.ALREADY_SOLVED}
    assert solved_or_told <= set(pairs)

    # 3. The standings equal the scores implied by the stored solves.
    values = {c.challenge_id: c.value for c in seeded.challenges}
    expected: dict[int, int] = defaultdict(int)
    for team, challenge in pairs:
        expected[team] += values[challenge]
    board = standings.compute(Event.objects.get(pk=seeded.event_id), view="live")
    assert {entry.team_id: entry.score for entry in board.entries} == dict(expected)

    print(
        f"\nkill -9: {len(jobs)} submissions in {elapsed:.1f}s, {len(acknowledged)} acknowledged, "
        f"{len(stored)} stored, {sum(unanswered.values())} requests unanswered ({dict(unanswered)}), "
        f"{len(pairs)} solves, killed after {KILL_AFTER:.0%}"
    )
