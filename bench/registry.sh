#!/usr/bin/env bash
# Registry benchmark: heartbeats/s and discoveries/s (cold, then warm after 30 s of load), the time from a
# registration on one registry process to its event at a watcher of another (shared Redis), and how long a
# killed or frozen instance takes to be marked DOWN with default settings.
# Needs: a JDK, Maven, Redis on 127.0.0.1:6379, python3 (the stand-in instances). Loopback only.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
mvn -q -B -DskipTests -pl flotilla-cli,bench -am package
redis="${REDIS_URL:-redis://127.0.0.1:6379}"
prefix="flotilla-bench-$$"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

work=$(mktemp -d)
start_registry() { # NAME args...: starts a registry process, sets $url to where it listens
  local name=$1; shift
  java -Xmx256m -jar flotilla-cli/target/flotilla.jar registry --port 0 "$@" >"$work/$name.out" 2>"$work/$name.err" &
  pids+=($!)
  for _ in $(seq 1 100); do
    grep -q "listening on" "$work/$name.out" 2>/dev/null && break
    sleep 0.1
  done
  url=$(sed -n 's/^registry listening on //p' "$work/$name.out")
  [ -n "$url" ] || { echo "registry $name did not start:"; cat "$work/$name.err"; exit 1; }
}

start_registry memory; memory=$url
start_registry a --redis "$redis" --redis-prefix "$prefix"; a=$url
start_registry b --redis "$redis" --redis-prefix "$prefix"; b=$url
echo "registries: memory $memory, redis A $a, redis B $b (prefix $prefix)"
java -Xmx256m -cp bench/target/flotilla-bench.jar dev.flotilla.bench.RegistryBench "$memory" "$a" "$b"
for pid in "${pids[@]}"; do
  printf 'registry pid %s resident memory after the run: %s MB\n' "$pid" "$(($(awk '/VmRSS/{print $2}' /proc/"$pid"/status) / 1024))"
done
if command -v redis-cli >/dev/null; then
  redis-cli --scan --pattern "{$prefix}:*" | xargs -r redis-cli del >/dev/null
fi
