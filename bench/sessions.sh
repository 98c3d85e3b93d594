#!/usr/bin/env bash
# Sessions benchmark: a read-modify-write of a session attribute per request (GET /me counts views), by
# USERS browsers with a session each, one request after another. Flotilla: the sessions example, two
# instances behind the gateway. The anchor: Express + express-session + connect-redis under Node's cluster
# with 2 workers (bench/express-sessions, pinned by its package-lock.json). Same Redis, same machine, one
# run, interleaved rounds after a warm-up. Prints req/s, p50/p99, errors, lost writes, and the ratio.
# Then the shared-data figures (SharedBench): propagation p50/p99 and convergence after a Redis kill.
# Needs: a JDK, Maven, Node.js with npm, redis-server. Knobs: DURATION (s per round, default 15),
# ROUNDS (default 3), WARMUP (s, default 30), USERS (default 64), KILLS (default 3).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
duration=${DURATION:-15}; rounds=${ROUNDS:-3}; warmup=${WARMUP:-30}; users=${USERS:-64}; kills=${KILLS:-3}
./flotilla --version >/dev/null # builds the jar when needed, outside the measurement
mvn -q -B -DskipTests -pl bench -am package
(cd bench/express-sessions && [ -d node_modules ] || npm ci --no-audit --no-fund >/dev/null)
. bench/lib.sh

redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no >"$work/redis.log" 2>&1 & pids+=($!)
until redis-cli -p "$redis_port" ping >/dev/null 2>&1; do sleep 0.1; done

gateway=$(free_port); s0=$(free_port); s1=$(free_port)
cat >"$work/flotilla.yaml" <<YAML
redis: redis://127.0.0.1:$redis_port
registry: {port: $(free_port)}
gateway:
  port: $gateway
  admin-port: $(free_port)
  routes:
    - {path: /session/**, service: sessions, strip-prefix: true}
apps:
  - name: sessions
    main: dev.flotilla.examples.sessions.SessionsService
    instances: 2
    ready: registered
    # The JIT's full optimizing tier (the demo's default stops at C1 for a small footprint).
    java-options: [-XX:+UseSerialGC, -Xmx256m]
    instance-env: {"0": {PORT: "$s0"}, "1": {PORT: "$s1"}}
YAML
./flotilla up -f "$work/flotilla.yaml" >"$work/up.log" 2>&1 & up=$!; pids+=($up)
until grep -q "the fleet is up" "$work/up.log"; do
  kill -0 "$up" 2>/dev/null || { cat "$work/up.log"; exit 1; }
  sleep 0.1
done

express=$(free_port)
(cd bench/express-sessions && PORT=$express REDIS_URL="redis://127.0.0.1:$redis_port" exec node server.js) \
  >"$work/express.log" 2>&1 & pids+=($!)
until grep -q "listening" "$work/express.log"; do sleep 0.1; done

bench() { java -cp bench/target/flotilla-bench.jar dev.flotilla.bench.SessionsBench "$@"; }
flotilla_url="http://127.0.0.1:$gateway/session"; express_url="http://127.0.0.1:$express"
echo "== sessions: $users users, ${duration}s rounds, after ${warmup}s of warm-up"
bench "$flotilla_url" "$users" 10 "flotilla-cold(first-10s)" || { tail -20 "$work/up.log"; exit 1; }
bench "$flotilla_url" "$users" $(( warmup > 10 ? warmup - 10 : 1 )) "flotilla-warmup" >/dev/null
bench "$express_url" "$users" 10 "express-warmup" >/dev/null
: >"$work/rounds"
for round in $(seq "$rounds"); do
  bench "$flotilla_url" "$users" "$duration" "flotilla-round$round" | tee -a "$work/rounds"
  bench "$express_url" "$users" "$duration" "express-round$round" | tee -a "$work/rounds"
done
median() { grep "^$1" "$work/rounds" | sed -E "s|.* $2=([0-9.]+).*|\1|" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
fr=$(median flotilla req/s); er=$(median express req/s); fp=$(median flotilla p99); ep=$(median express p99)
lost_f=$(grep '^flotilla' "$work/rounds" | sed -E 's/.*lost_writes=([0-9-]+).*/\1/' | paste -sd+ | bc)
lost_e=$(grep '^express' "$work/rounds" | sed -E 's/.*lost_writes=([0-9-]+).*/\1/' | paste -sd+ | bc)
echo "median req/s: flotilla $fr, express $er, ratio $(echo "scale=2; $fr / $er" | bc)x (aim: at least 5x)"
echo "median p99: flotilla ${fp} ms, express ${ep} ms"
echo "lost writes over all rounds: flotilla $lost_f, express $lost_e (aim: 0 in both)"
./flotilla down -f "$work/flotilla.yaml" >/dev/null || true

echo "== shared data"
java -cp bench/target/flotilla-bench.jar dev.flotilla.bench.SharedBench "$warmup" "$duration" 2000 "$kills"
