#!/usr/bin/env bash
# Runs every test (PostgreSQL and Redis must be reachable; see .ci/run for a bare machine).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
source scripts/ensure_env.sh
export DJANGO_SETTINGS_MODULE=config.settings.test
# The architecture's import contracts (pyproject.toml [tool.importlinter]) first: about a second.
lint-imports --no-cache --no-logo
# mypy with django-stubs ([tool.mypy]): strict on the typed core (platform/, services/, selectors/).
# Incremental: .mypy_cache (gitignored) keeps what did not change: a warm run takes about 4 s of CPU,
# a cold one (a fresh clone, as in CI) about 40 s.
mypy
# Two pytest-xdist workers by default (the machine kind has 2 cores; each worker gets its own test
# database); PYTEST_WORKERS=0 runs in one process; a -n/--numprocesses of your own wins.
# --dist loadgroup: tests/conftest.py orders the browser tests first, then the other slow tests; both
# workers share the browser tests out (each with its own chromium, gunicorn and Celery worker, started
# once); a --dist of your own wins.
workers=(-n "${PYTEST_WORKERS:-2}")
dist=(--dist loadgroup)
for arg in "$@"; do
  case "$arg" in
    -n|-n*|--numprocesses|--numprocesses=*) workers=() ;;
    --dist|--dist=*|-d) dist=() ;;
  esac
done
exec python -m pytest "${workers[@]}" "${dist[@]}" "$@"
