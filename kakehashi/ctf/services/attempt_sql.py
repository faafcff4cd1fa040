"""The statements of a flag submission, in SQL: the team's lock, what the judgement reads under it,
the submission's row and, for a correct flag, the solve.

Every attempt runs them, and at the start of an event that is hundreds a second. Through the query
builder, compiling them cost more than the database spent on them, and reading what the judgement
needs took five statements; here it is one, after the lock. Each text is built once per database
and shape, and on PostgreSQL they are prepared statements on the connection (planned once per
connection, not per attempt). The solve writes nothing if the team already has one.
The rules themselves stay in :mod:`kakehashi.ctf.services.play` and the pure modules it calls.
"""

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any, cast

from django.db import connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper
from django.db.models import Field, Model
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from kakehashi.ctf import phases
from kakehashi.ctf.choices import SubmissionResult
from kakehashi.ctf.models import Challenge, Event, Solve, Submission, Team


@dataclass(frozen=True)
class Locked:
    """What an attempt reads with its team's row locked, in one statement."""

    team_name: str
    ranked: bool
    schedule: phases.Schedule
    wrong_limit: int
    solved: bool  # this challenge, by this team
    prerequisites_solved: int
    boundary: datetime | None  # the ``limit``-th newest wrong attempt of the user (see ratelimit)
    attempts_used: int  # wrong attempts of the team at this challenge
    earlier_ranked_solves: int  # of this challenge, by ranked teams, counted up to 3


def _database() -> BaseDatabaseWrapper:
    return connections[router.db_for_write(Submission)]


@contextmanager
def _cursor(db: BaseDatabaseWrapper) -> Iterator[CursorWrapper]:
    """Django's cursor (its error translation and query log), on PostgreSQL one that binds
    parameters on the server and prepares every statement it runs."""
    if db.vendor != "postgresql":
        with db.cursor() as cursor:
            yield cursor
        return
    db.ensure_connection()
    with db.wrap_database_errors:
        raw = _prepared_cursor_class()(db.connection)
    wrapper = _LoggedCursor(raw, db) if db.queries_logged else CursorWrapper(raw, db)
    with wrapper as cursor:
        yield cursor


class _LoggedCursor(CursorDebugWrapper):
    """Django's logging cursor, logging the statement's text: the driver keeps none for the
    execution of a prepared statement, where Django would read it."""

    def execute(self, sql: Any, params: Any = None) -> Any:
        with self.debug_sql(sql, params):
            return super(CursorDebugWrapper, self).execute(sql, params)


@cache
def _prepared_cursor_class() -> type:
    from django.db.backends.postgresql.base import ServerBindingCursor  # only where psycopg is the driver

    class PreparedCursor(ServerBindingCursor):
        def execute(self, query: Any, params: Any = None, *, prepare: bool | None = None, binary: Any = None) -> Any:
            return super().execute(query, params, prepare=True if prepare is None else prepare, binary=binary)  # type: ignore[misc]

    return PreparedCursor


def _aware(value: object) -> datetime | None:
    """A time as the cursor returns it (SQLite: text in UTC), aware."""
    moment = value if isinstance(value, datetime) or value is None else parse_datetime(str(value))
    if moment is not None and timezone.is_naive(moment):
        moment = moment.replace(tzinfo=UTC)
    return moment


_statements: dict[tuple[Any, ...], str] = {}  # (database, statement, shape) → text, built once


def _statement(db: BaseDatabaseWrapper, name: str, *shape: Any) -> str:
    key = (db.alias, db.vendor, name, *shape)
    sql = _statements.get(key)
    if sql is None:
        builders: dict[str, Callable[..., str]] = {"read": _read_sql, "lock": _lock_team_sql, "insert": _insert_sql}
        sql = _statements[key] = builders[name](db, *shape)
    return sql


def _read_sql(db: BaseDatabaseWrapper, required: int, boundary: bool, attempts: bool, blood: bool) -> str:
    """The reading statement of :func:`lock_and_read` for one shape."""
    quote = db.ops.quote_name
    team, event, solve, submission = (quote(model._meta.db_table) for model in (Team, Event, Solve, Submission))
    met = "0"
    if required:
        met = (
            f"(SELECT COUNT(*) FROM {solve} p WHERE p.team_id = t.id"  # noqa: S608  (names from the models)
            f" AND p.challenge_id IN ({', '.join(['%s'] * required)}))"
        )
    last = "NULL"
    if boundary:
        last = (
            f"(SELECT w.created_at FROM {submission} w WHERE w.user_id = %s AND w.event_id = e.id"  # noqa: S608
            " AND w.result = %s AND w.created_at > %s ORDER BY w.created_at DESC LIMIT 1 OFFSET %s)"
        )
    used = "0"
    if attempts:
        used = (
            f"(SELECT COUNT(*) FROM {submission} a WHERE a.team_id = t.id AND a.challenge_id = %s"  # noqa: S608
            " AND a.result = %s)"
        )
    earlier = "0"
    if blood:
        earlier = (
            f"(SELECT COUNT(*) FROM (SELECT 1 FROM {solve} b JOIN {team} bt ON bt.id = b.team_id"  # noqa: S608
            " WHERE b.challenge_id = %s AND bt.hidden = %s AND bt.banned = %s AND b.created_at <= %s LIMIT 3) f)"
        )
    return (
        "SELECT t.name, t.hidden, t.banned, e.starts_at, e.ends_at, e.freeze_at, e.paused,"  # noqa: S608
        f" e.wrong_attempts_per_minute,"
        f" (SELECT COUNT(*) FROM {solve} s WHERE s.team_id = t.id AND s.challenge_id = %s),"
        f" {met}, {last}, {used}, {earlier}"
        f" FROM {team} t JOIN {event} e ON e.id = t.event_id WHERE t.id = %s"
    )


def _lock_team_sql(db: BaseDatabaseWrapper) -> str:
    return f"SELECT 1 FROM {db.ops.quote_name(Team._meta.db_table)} WHERE id = %s FOR UPDATE"  # noqa: S608


def lock_and_read(
    *,
    team_id: int,
    user_id: int,
    challenge_id: int,
    required: Sequence[int],
    wrong_limit: int,
    since: datetime,
    attempts: bool,
    blood: bool,
    solved_up_to: datetime,
) -> Locked:
    """Locks the team's row, then reads in one statement everything the judgement needs from the
    database: the event's schedule read afresh, the team's solves of this challenge and its
    prerequisites, the rate limit's boundary (for ``wrong_limit``, wrong attempts after ``since``),
    the team's wrong attempts at this challenge (if ``attempts``) and how many ranked teams solved it
    before ``solved_up_to`` (if ``blood``; counted up to 3). On SQLite the write transaction
    (``IMMEDIATE``) is the lock. Call inside a transaction."""
    db = _database()
    incorrect = SubmissionResult.INCORRECT.value
    adapt = db.ops.adapt_datetimefield_value
    params: list[Any] = [challenge_id, *required]
    if wrong_limit > 0:
        params += [user_id, incorrect, adapt(since), wrong_limit - 1]
    if attempts:
        params += [challenge_id, incorrect]
    if blood:
        params += [challenge_id, False, False, adapt(solved_up_to)]
    params.append(team_id)
    with _cursor(db) as cursor:
        if db.features.has_select_for_update:
            # The lock first, in a statement of its own: PostgreSQL reads a statement from what was
            # committed when it started, so reads made in the statement that waited for the lock
            # would miss what the lock's previous holder committed (its wrong attempts, its solve).
            cursor.execute(_statement(db, "lock"), [team_id])
            if cursor.fetchone() is None:
                raise Team.DoesNotExist(f"team {team_id} no longer exists")
        cursor.execute(_statement(db, "read", len(required), wrong_limit > 0, attempts, blood), params)
        row = cursor.fetchone()
    if row is None:
        raise Team.DoesNotExist(f"team {team_id} no longer exists")
    name, hidden, banned, starts_at, ends_at, freeze_at, paused, limit, solved, met, last, used_count, place = row
    return Locked(
        team_name=str(name),
        ranked=not (bool(hidden) or bool(banned)),
        schedule=phases.Schedule(
            starts_at=cast(datetime, _aware(starts_at)),
            ends_at=cast(datetime, _aware(ends_at)),
            freeze_at=_aware(freeze_at),
            paused=bool(paused),
        ),
        wrong_limit=int(limit),
        solved=bool(solved),
        prerequisites_solved=int(met),
        boundary=_aware(last),
        attempts_used=int(used_count),
        earlier_ranked_solves=int(place),
    )


def _fields(model: type[Model]) -> list[Field[Any, Any]]:
    return [field for field in model._meta.concrete_fields if not field.primary_key]


def _insert_sql(db: BaseDatabaseWrapper, model: type[Model], unique: tuple[str, ...]) -> str:
    """``INSERT`` of one row of ``model`` returning its id; with ``unique`` columns, a row that
    would break their uniqueness is not written (and no id returned)."""
    quote = db.ops.quote_name
    fields = _fields(model)
    columns = ", ".join(quote(cast(str, field.column)) for field in fields)
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"  # noqa: S608
    if unique:
        sql += f" ON CONFLICT ({', '.join(quote(column) for column in unique)}) DO NOTHING"
    if db.features.can_return_columns_from_insert:  # SQLite before 3.35 cannot
        sql += f" RETURNING {quote(cast(str, model._meta.pk.column))}"
    return sql


def _insert(db: BaseDatabaseWrapper, instance: Model, unique: tuple[str, ...] = ()) -> bool:
    """Writes ``instance`` and sets its id; ``False`` (nothing written) on a conflict over ``unique``."""
    model = type(instance)
    values = [field.get_db_prep_save(getattr(instance, field.attname), db) for field in _fields(model)]
    with _cursor(db) as cursor:
        cursor.execute(_statement(db, "insert", model, unique), values)
        if db.features.can_return_columns_from_insert:
            row = cursor.fetchone()
        else:
            row = (cursor.lastrowid,) if cursor.rowcount else None
    if row is None:
        return False
    instance.pk = row[0]
    instance._state.adding = False
    instance._state.db = db.alias
    return True


def record(
    *,
    challenge: Challenge,
    team_id: int,
    user_id: int,
    provided: str,
    result: SubmissionResult,
    source_address: str | None,
    now: datetime,
    shared_from: int | None = None,
    limit: int,
) -> Submission:
    """Stores one submission (``provided`` cut to ``limit`` characters) and returns it, saved."""
    db = _database()
    submission = Submission(
        event_id=challenge.event_id,
        challenge_id=challenge.pk,
        team_id=team_id,
        user_id=user_id,
        provided=provided[:limit],
        result=result,
        source_address=source_address or None,
        shared_from_id=shared_from,
        created_at=now,
    )
    _insert(db, submission)
    return submission


def record_solve(*, submission: Submission) -> Solve | None:
    """Stores the solve that ``submission`` (correct, saved) makes, or returns ``None`` when the team
    has already solved the challenge. Call under the team's lock, inside the attempt's transaction:
    only a writer that does not take the lock (an import) can make it ``None``."""
    solve = Solve(
        challenge_id=submission.challenge_id,
        team_id=submission.team_id,
        user_id=submission.user_id,
        submission=submission,
        created_at=submission.created_at,
    )
    return solve if _insert(_database(), solve, unique=("challenge_id", "team_id")) else None
