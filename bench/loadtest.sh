#!/usr/bin/env bash
# `make loadtest`: gunicorn (bench settings, DEBUG off) on loopback, then locust headless
# running a practitioner's mix against the pages and, under the same load, against the
# baseline views. Bounded in users and time; the server is stopped at the end. The figures
# are appended to bench-results/bench-<date>.md.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${BIN:-.venv/bin}
PORT=${BENCH_PORT:-8765}
USERS=${BENCH_USERS:-20}
SPAWN_RATE=${BENCH_SPAWN_RATE:-10}
DURATION=${BENCH_DURATION:-60s}
WORKERS=${BENCH_WORKERS:-4}
THREADS=${BENCH_THREADS:-1}
export DATABASE_URL=${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/ecm_scale}
export DJANGO_SETTINGS_MODULE=bench.settings ECM_DEMO=true DJANGO_DEBUG=false
export PYTHONPATH=.${PYTHONPATH:+:$PYTHONPATH}

work=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  if [ -f "$work/sessions.json" ]; then "$BIN/python" -m bench.run loadtest-end "$work/sessions.json" || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

"$BIN/python" -m bench.run loadtest-sessions "$work/sessions.json" --users "$USERS"

"$BIN/gunicorn" ecm.wsgi:application --bind "127.0.0.1:$PORT" --workers "$WORKERS" \
  --threads "$THREADS" --log-level warning --access-logfile /dev/null &
server_pid=$!
for _ in $(seq 1 60); do
  curl -fs -o /dev/null "http://127.0.0.1:$PORT/healthz" && break
  sleep 0.5
done

run() {  # $1: pages | baseline
  echo "==> locust: $USERS users for $DURATION against the $1"
  BENCH_SESSIONS="$work/sessions.json" BENCH_TARGET="$1" "$BIN/locust" \
    -f bench/locustfile.py --headless --users "$USERS" --spawn-rate "$SPAWN_RATE" \
    --run-time "$DURATION" --reset-stats --host "http://127.0.0.1:$PORT" \
    --csv "$work/$1" --only-summary --loglevel WARNING \
    || echo "locust reported failed requests (counted in the table)"
}
run pages
run baseline

"$BIN/python" -m bench.run loadtest-report "$work/pages_stats.csv" "$work/baseline_stats.csv" \
  --describe "gunicorn $WORKERS workers × $THREADS thread(s), locust $USERS users without pauses for $DURATION on 127.0.0.1, practitioner's mix (caseload 3 : record 3 : appointments 2 : timeline 1)"
