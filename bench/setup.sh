#!/usr/bin/env bash
# Install everything the benchmarks need on Debian or Ubuntu: the system programs of the HTTP load
# benchmark (wrk, nginx, Redis, PostgreSQL) and the project's virtual environment (.venv).
#   bench/setup.sh            then: bench/http/run.sh sqlite | postgres [--quick]
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive

echo "== system packages: wrk nginx redis-server postgresql"
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends \
    make python3-venv wrk nginx redis-server postgresql postgresql-contrib >/dev/null

echo "== virtual environment (.venv)"
make .venv/.installed

echo "== ready: bench/http/run.sh sqlite   and   bench/http/run.sh postgres   (add --quick for a small try)"
