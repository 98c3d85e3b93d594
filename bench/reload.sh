#!/usr/bin/env bash
# Supervisor benchmark on the demo fleet (the repository's flotilla.yaml: ports 7070, 8080, 8081, 3001, 3100
# must be free): N reloads of `users` under load through the gateway, in cluster mode (as the file has it)
# and in fork mode (the same file with mode: fork); for each, requests, failures, the longest gap without
# a 2xx and the time per reload. Then the time of `down` and of Ctrl-C for the idle fleet, and whether
# any process needed SIGKILL. Knobs: RELOADS (default 10), CONNECTIONS (default 16).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
reloads=${RELOADS:-10}; connections=${CONNECTIONS:-16}
./flotilla --version >/dev/null # builds the jar when needed, outside the measurement
mvn -q -B -DskipTests -pl bench -am package
. bench/lib.sh

start_fleet() { # file log: a foreground `up` in its own process group, SIGINT at its default (as a terminal)
  setsid env --default-signal=INT ./flotilla up -f "$1" >"$2" 2>&1 &
  up=$!
  until grep -q "the fleet is up" "$2"; do
    kill -0 "$up" 2>/dev/null || { echo "flotilla up exited:"; cat "$2"; exit 1; }
    sleep 0.1
  done
}

for mode in cluster fork; do
  file="$work/flotilla-$mode.yaml"
  sed "s/mode: cluster/mode: $mode/" flotilla.yaml >"$file"
  log="$work/up-$mode.log"
  start_fleet "$file" "$log"
  echo "== $mode mode"
  java -cp bench/target/flotilla-bench.jar dev.flotilla.bench.ReloadBench http://127.0.0.1:8080/api/whoami \
    "$connections" "$reloads" ./flotilla reload users -f "$file"
  started=$(date +%s%N)
  ./flotilla down -f "$file" >/dev/null
  wait "$up" || true
  echo "down of the idle demo fleet: $(( ($(date +%s%N) - started) / 1000000 )) ms;" \
    "SIGKILLs: $(grep -c SIGKILL "$log" || true)"
done

file="$work/flotilla-cluster.yaml"; log="$work/up-ctrl-c.log"
start_fleet "$file" "$log"
sleep 2
started=$(date +%s%N)
kill -INT -- "-$up"
wait "$up" || true
echo "Ctrl-C of the idle demo fleet: $(( ($(date +%s%N) - started) / 1000000 )) ms;" \
  "SIGKILLs: $(grep -c SIGKILL "$log" || true); processes left: $(pgrep -f "$work" | wc -l)"
