#!/usr/bin/env bash
# `flotilla up` benchmark: the time from `./flotilla up` (jar already built) to the first 200 through the
# gateway, and the resident memory of the whole fleet (supervisor with registry and gateway, Redis, apps).
# Runs the repository's flotilla.yaml (ports 7070, 8080, 8081, 3001, 3100, 3200, 3201, 3300, 3301, 3400, 3401
# and 3500 to 3503 must be free). With rabbitmq-server on PATH the fleet runs a broker of its own; run it with
# PATH=/usr/bin:/bin to measure the fleet without one. RUNS (default 3).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
runs=${RUNS:-3}
./flotilla --version >/dev/null # builds the jar when needed, outside the measurement
for run in $(seq 1 "$runs"); do
  out=$(mktemp)
  started=$(date +%s%N)
  ./flotilla up >"$out" 2>&1 &
  up=$!
  until curl -sf -o /dev/null http://127.0.0.1:8080/api/whoami; do
    kill -0 "$up" 2>/dev/null || { echo "flotilla up exited:"; cat "$out"; exit 1; }
    sleep 0.02
  done
  first=$(( ($(date +%s%N) - started) / 1000000 ))
  until grep -q "the fleet is up" "$out"; do sleep 0.05; done
  sleep 2
  # ./flotilla execs java, so $up is the supervisor; its children are Redis and the apps (their bash
  # wrappers exec into them), plus each wrapper's small watcher subshell.
  pids="$up $(pgrep -P "$up" | tr '\n' ' ')"
  total=0
  for pid in $pids; do
    rss=$(awk '/VmRSS/{print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
    total=$((total + rss))
  done
  echo "run $run: first 200 through the gateway after ${first} ms; fleet resident memory $((total / 1024)) MB" \
    "($(echo $pids | wc -w) processes)"
  kill -TERM "$up"
  wait "$up" || true
  rm -f "$out"
done
