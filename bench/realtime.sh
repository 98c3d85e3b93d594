#!/usr/bin/env bash
# Realtime benchmark (issue 11). Three parts, one run, one machine, one Redis:
#  1. Throughput: CLIENTS official socket.io-client sockets in one room, split across two instances, one
#     sender; the message rate rises step by step until p99 delivery latency passes 100 ms (or a message is
#     lost or reordered). Flotilla (two RealtimeBenchService processes, pub/sub mode) against the anchor,
#     Socket.IO 4.8 + @socket.io/redis-adapter on two Node processes (bench/socketio, pinned by its lock file),
#     in interleaved rounds after a warm-up. Prints the highest sustained rate of each, deliveries/s, p50/p99,
#     server CPU per delivery, and the ratio. The cold figure (first ramp on a fresh JVM) is printed apart.
#  2. Memory: resident size of one instance holding IDLE idle WebSocket connections, per connection, for
#     Flotilla and for a Node.js Socket.IO server (whose WebSockets are the `ws` package's).
#  3. Redis killed (kill -9) for 3 s during a stream of broadcasts, in both cluster modes: what each client
#     missed and the longest stall.
# Needs: a JDK, Maven, Node.js with npm, redis-server. Knobs: CLIENTS (200), STEP (s per rate, 10),
# RATES (messages/s), ROUNDS (2), WARMUP (s, 30), IDLE (10000).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
clients=${CLIENTS:-200}; step=${STEP:-10}; rounds=${ROUNDS:-2}; warmup=${WARMUP:-30}; idle=${IDLE:-10000}
rates=${RATES:-100,200,300,400,500,600,800,1000,1200,1400,1600,2000,2400,2800,3200,4000}
./flotilla --version >/dev/null # builds the jar when needed, outside the measurement
mvn -q -B -DskipTests -pl bench -am package
(cd bench/socketio && [ -d node_modules ] || npm ci --no-audit --no-fund >/dev/null)
. bench/lib.sh
ulimit -n "$(ulimit -Hn)"

redis_port=$(free_port)
start_redis() {
  redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no >>"$work/redis.log" 2>&1 &
  redis_pid=$!; pids+=($redis_pid)
  until redis-cli -p "$redis_port" ping >/dev/null 2>&1; do sleep 0.05; done
}
start_redis
redis_url="redis://127.0.0.1:$redis_port"

# start_flotilla PORT NAME MODE: one instance; its pid in $started
start_flotilla() {
  PORT=$1 FLOTILLA_REDIS=$redis_url FLOTILLA_INSTANCE=$2 REALTIME_CLUSTER=$3 \
    java -XX:+UseSerialGC -Xmx256m -cp bench/target/flotilla-bench.jar dev.flotilla.bench.RealtimeBenchService \
    >"$work/$2.log" 2>&1 &
  started=$!; pids+=($started)
  until (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; do
    kill -0 "$started" 2>/dev/null || { cat "$work/$2.log"; exit 1; }
    sleep 0.1
  done
}
# start_node PORT NAME: one Socket.IO server; its pid in $started
start_node() {
  node bench/socketio/server.js "$1" "$redis_url" socket.io-bench >"$work/$2.log" 2>&1 &
  started=$!; pids+=($started)
  until grep -q "listening" "$work/$2.log"; do
    kill -0 "$started" 2>/dev/null || { cat "$work/$2.log"; exit 1; }
    sleep 0.1
  done
}
loadgen() { node bench/socketio/loadgen.js "$@"; }
stop() { for pid in "$@"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done; }

echo "== throughput: $clients clients in one room on two instances, one sender, ${step}s per rate"
f0=$(free_port); f1=$(free_port)
start_flotilla "$f0" rt-0 pubsub; fp0=$started
start_flotilla "$f1" rt-1 pubsub; fp1=$started
n0=$(free_port); n1=$(free_port)
start_node "$n0" node-0; np0=$started
start_node "$n1" node-1; np1=$started
flotilla_urls="http://127.0.0.1:$f0,http://127.0.0.1:$f1"
node_urls="http://127.0.0.1:$n0,http://127.0.0.1:$n1"

loadgen ramp "$flotilla_urls" "$clients" 10 "$rates" "$fp0,$fp1" flotilla-cold | tee "$work/cold"
warm_steps=$(( warmup / 10 > 0 ? warmup / 10 : 1 ))
loadgen ramp "$flotilla_urls" "$clients" 10 "$(yes 400 | head -n "$warm_steps" | paste -sd,)" "$fp0,$fp1" \
  flotilla-warmup >/dev/null
loadgen ramp "$node_urls" "$clients" 10 200,200 "$np0,$np1" node-warmup >/dev/null
: >"$work/rounds"
for round in $(seq "$rounds"); do
  loadgen ramp "$flotilla_urls" "$clients" "$step" "$rates" "$fp0,$fp1" "flotilla-round$round" | tee -a "$work/rounds"
  loadgen ramp "$node_urls" "$clients" "$step" "$rates" "$np0,$np1" "node-round$round" | tee -a "$work/rounds"
done
# The highest rate of a round that kept p99 within 100 ms with nothing lost or reordered, and its figures.
python3 - "$work/rounds" "$work/cold" "$clients" <<'PY'
import json, sys, statistics
rows = [json.loads(line) for line in open(sys.argv[1]) if line.startswith("{")]
def best(label):
    ok = [r for r in rows if r["label"] == label and r["p99_ms"] <= 100 and r["lost"] == 0 and r["reordered"] == 0]
    return max(ok, key=lambda r: r["rate"]) if ok else None
summary = {}
for system in ("flotilla", "node"):
    bests = [b for b in (best(l) for l in sorted({r["label"] for r in rows if r["label"].startswith(system)})) if b]
    rate = statistics.median([b["rate"] for b in bests]) if bests else 0
    summary[system] = rate
    for b in bests:
        print(f"{b['label']}: max sustained {b['rate']} msg/s = {b['rate'] * int(sys.argv[3])} "
              f"deliveries/s, p50 {b['p50_ms']} ms, p99 {b['p99_ms']} ms, "
              f"server CPU {b['server_cpu_us_per_delivery']} us/delivery")
cold = [json.loads(line) for line in open(sys.argv[2]) if line.startswith("{")]
if cold:
    c = cold[0]
    print(f"flotilla cold (first {c['rate']} msg/s step on fresh JVMs): p50 {c['p50_ms']} ms, p99 {c['p99_ms']} ms")
ratio = summary["flotilla"] / summary["node"] if summary["node"] else float("nan")
print(f"median max sustained: flotilla {summary['flotilla']} msg/s, node {summary['node']} msg/s, "
      f"ratio {ratio:.2f}x (aim: at least 2x)")
PY
stop "$fp0" "$fp1" "$np0" "$np1"

echo "== memory: $idle idle WebSocket connections on one instance"
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
measure_idle() { # PID URL NAME
  sleep 3
  local before; before=$(rss_kb "$1")
  loadgen idle "$2" "$idle" >"$work/idle-$3.log" 2>&1 & local gen=$!
  until grep -q "connected" "$work/idle-$3.log"; do
    kill -0 "$gen" 2>/dev/null || { cat "$work/idle-$3.log"; exit 1; }
    sleep 0.5
  done
  sleep 5
  local after; after=$(rss_kb "$1")
  echo "$3: $(grep connected "$work/idle-$3.log"), resident $(( before / 1024 )) MB before, $(( after / 1024 )) MB" \
    "after: $(( (after - before) * 1024 / idle )) bytes per connection"
  stop "$gen"
}
m=$(free_port); start_flotilla "$m" rt-idle pubsub; measure_idle "$started" "http://127.0.0.1:$m" flotilla
stop "$started"
m=$(free_port); start_node "$m" node-idle; measure_idle "$started" "http://127.0.0.1:$m" node
stop "$started"

echo "== Redis killed for 3 s during a stream of broadcasts (20 clients, 200 msg/s, 12 s)"
for mode in pubsub streams; do
  k0=$(free_port); k1=$(free_port)
  start_flotilla "$k0" "kill-$mode-0" "$mode"; kp0=$started
  start_flotilla "$k1" "kill-$mode-1" "$mode"; kp1=$started
  loadgen kill "http://127.0.0.1:$k0,http://127.0.0.1:$k1" 20 200 12 >"$work/kill-$mode.log" 2>&1 & gen=$!
  until grep -q sending "$work/kill-$mode.log"; do
    kill -0 "$gen" 2>/dev/null || { cat "$work/kill-$mode.log"; exit 1; }
    sleep 0.05
  done
  sleep 4
  kill -9 "$redis_pid"; wait "$redis_pid" 2>/dev/null || true
  sleep 3
  start_redis
  wait "$gen"
  echo "$mode: $(tail -1 "$work/kill-$mode.log")"
  grep -h "subscribed to Redis again" "$work/kill-$mode-0.log" "$work/kill-$mode-1.log" | sed 's/^/  /' || true
  stop "$kp0" "$kp1"
done
