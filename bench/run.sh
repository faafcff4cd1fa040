#!/usr/bin/env bash
# End to end: migrate a scratch database, generate the large event, run the standings and the
# submission benchmarks, print a Markdown table of the results and write it to
# bench/results/latest.md. Takes two to four minutes on two cores.
#
# SQLite in a temporary data directory by default. BENCH_DATABASE_URL=postgres://... runs against
# that (empty or scratch) PostgreSQL database instead, replacing the event if it exists, and writes
# bench/results/latest-postgresql.md. Extra options for each step: BENCH_GENERATE_ARGS,
# BENCH_STANDINGS_ARGS, BENCH_SUBMISSIONS_ARGS (e.g. BENCH_GENERATE_ARGS="--solves 20000" for a
# quick try). KAKEHASHI_REDIS_URL, when set, is used as the cache, as the server would.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-.venv/bin/python}
KAKEHASHI=${KAKEHASHI:-.venv/bin/kakehashi}
DATA_DIR=$(mktemp -d "${TMPDIR:-/tmp}/kakehashi-bench.XXXXXX")
cleanup() { rm -rf "$DATA_DIR"; }
trap cleanup EXIT

export DJANGO_SETTINGS_MODULE=kakehashi.settings.development
export KAKEHASHI_DATA_DIR="$DATA_DIR"
unset KAKEHASHI_DATABASE_URL
RESULTS=${BENCH_RESULTS:-bench/results/latest.md}
TITLE="Benchmark results (SQLite)"
REPLACE=""
if [ -n "${BENCH_DATABASE_URL:-}" ]; then
    export KAKEHASHI_DATABASE_URL="$BENCH_DATABASE_URL"
    RESULTS=${BENCH_RESULTS:-bench/results/latest-postgresql.md}
    TITLE="Benchmark results (PostgreSQL)"
    REPLACE="--replace"
fi
if [ -n "${KAKEHASHI_REDIS_URL:-}" ]; then
    TITLE="${TITLE%)} + Redis)"
fi

echo "== data directory $DATA_DIR"
echo "== migrate"
"$KAKEHASHI" migrate --no-input -v 0
echo "== generate"
# shellcheck disable=SC2086  # the extra arguments are meant to be split
"$PYTHON" -m bench.generate $REPLACE --json "$DATA_DIR/generate.json" ${BENCH_GENERATE_ARGS:-}
echo "== standings"
# shellcheck disable=SC2086
"$PYTHON" -m bench.standings --json "$DATA_DIR/standings.json" ${BENCH_STANDINGS_ARGS:-}
echo "== submissions"
# shellcheck disable=SC2086
"$PYTHON" -m bench.submissions --json "$DATA_DIR/submissions.json" ${BENCH_SUBMISSIONS_ARGS:-}
echo "== results (also in $RESULTS)"
echo
"$PYTHON" -m bench.report --title "$TITLE" --output "$RESULTS" \
    "$DATA_DIR/generate.json" "$DATA_DIR/standings.json" "$DATA_DIR/submissions.json"
