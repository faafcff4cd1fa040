#!/usr/bin/env bash
# Thin wrapper: deploy/topology.sh start|status|stop|manage [options] runs python -m deploy.topology.
set -euo pipefail
cd "$(dirname "$0")/.."
exec "${PYTHON:-.venv/bin/python}" -m deploy.topology "$@"
