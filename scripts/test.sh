#!/usr/bin/env bash
# Runs every test (PostgreSQL and Redis must be reachable; see .ci/run for a bare machine).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
source scripts/ensure_env.sh
export DJANGO_SETTINGS_MODULE=config.settings.test
# Bytecode caches on. Where PYTHONDONTWRITEBYTECODE=1 is set (this machine kind sets it), every process
# a run starts (each pytest worker, each gunicorn and Celery worker, each manage.py) compiled the
# project's modules again, and each pytest worker rewrote the asserts of every test module again:
# collecting took 19 s of CPU per worker instead of 7. The caches go to __pycache__/ (gitignored).
unset PYTHONDONTWRITEBYTECODE
# The architecture's import contracts (pyproject.toml [tool.importlinter]) first: about a second.
lint-imports --no-cache --no-logo
# mypy with django-stubs ([tool.mypy]): strict on the typed core (platform/, services/, selectors/).
# Incremental: .mypy_cache (gitignored) keeps what did not change: a warm run takes about 4 s of CPU,
# a cold one (a fresh clone, as in CI) about 40 s on one core. So it runs beside pytest, niced (the
# tests come first; on a busy machine it mostly takes its CPU from them, so the gain is the time the
# tests leave a core idle); its output is printed and its verdict counted when pytest ends (a type
# error fails the run as before). MYPY_FIRST=1 runs it before pytest instead.
mypy_log="$(mktemp -t mypy.XXXXXX)"
mypy_pid=""
# Interrupted (Ctrl-C) or done: no mypy left running, no log left behind.
trap '[ -n "$mypy_pid" ] && kill "$mypy_pid" 2>/dev/null; rm -f "$mypy_log"' EXIT
if [ "${MYPY_FIRST:-0}" = "1" ]; then
  mypy
else
  nice -n 10 mypy >"$mypy_log" 2>&1 &
  mypy_pid=$!
fi
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
status=0
python -m pytest "${workers[@]}" "${dist[@]}" "$@" || status=$?
if [ -n "$mypy_pid" ]; then
  mypy_status=0
  wait "$mypy_pid" || mypy_status=$?
  mypy_pid=""
  echo "==> mypy (run beside pytest)"
  cat "$mypy_log"
  if [ "$mypy_status" -ne 0 ] && [ "$status" -eq 0 ]; then status=$mypy_status; fi
fi
exit "$status"
