#!/usr/bin/env bash
# Runs every test (PostgreSQL and Redis must be reachable; see .ci/run for a bare machine).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
source scripts/ensure_env.sh
export DJANGO_SETTINGS_MODULE=config.settings.test
exec python -m pytest "$@"
