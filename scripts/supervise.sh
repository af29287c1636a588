#!/usr/bin/env bash
# Keeps one long-running process up: `supervise.sh NAME COMMAND [ARG...]` runs COMMAND and runs it
# again whenever it exits (a crash, an OOM kill), after 1 s, then 2, 4 … up to 30 s between
# attempts; a run that lasted a minute resets the delay. Each restart is logged on stderr.
# TERM or INT stops the process (passing the signal on) and the loop. scripts/run.sh uses it for
# the Celery workers and beat, which docker-compose restarts through `restart: unless-stopped`.
set -uo pipefail
NAME="$1"; shift
MAX_DELAY="${SUPERVISE_MAX_DELAY:-30}"
STABLE_AFTER="${SUPERVISE_STABLE_AFTER:-60}"
child=""
stopping=0
stop() {
  stopping=1
  if [ -n "$child" ]; then kill -TERM "$child" 2>/dev/null || true; fi
}
trap stop TERM INT

delay=1
while :; do
  started=$SECONDS
  "$@" & child=$!
  # `wait` returns early when a trapped signal arrives: wait again until the process is gone.
  wait "$child"; status=$?
  while kill -0 "$child" 2>/dev/null; do wait "$child"; status=$?; done
  child=""
  [ "$stopping" = 1 ] && exit 0
  if (( SECONDS - started >= STABLE_AFTER )); then delay=1; fi
  echo "==> supervise: $NAME exited with status $status; restarting it in ${delay} s" >&2
  sleep "$delay" & child=$!
  wait "$child"; child=""
  [ "$stopping" = 1 ] && exit 0
  delay=$(( delay * 2 > MAX_DELAY ? MAX_DELAY : delay * 2 ))
done
