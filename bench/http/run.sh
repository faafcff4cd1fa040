#!/usr/bin/env bash
# The HTTP load benchmark in one command (install first with bench/setup.sh):
#   bench/http/run.sh sqlite   [--quick] [more options of python -m bench.http.load]
#   bench/http/run.sh postgres [--quick] ...
# Full size takes about 15 minutes per database on two cores; --quick about three.
set -euo pipefail
cd "$(dirname "$0")/../.."
DB=${1:?usage: bench/http/run.sh sqlite|postgres [options]}
shift
exec "${PYTHON:-.venv/bin/python}" -m bench.http.load --db "$DB" "$@"
