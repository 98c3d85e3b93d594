#!/usr/bin/env bash
# SDK benchmark: a minimal Flotilla service (one JVM) against the seeds' stack, an Express app under
# Node's cluster with 2 workers, both answering GET /users with the same static JSON. Same wrk settings,
# one run, interleaved after a warm-up; prints requests/s, p50/p99, resident memory and the ratio.
# Needs: a JDK, Maven, Node.js + npm (express is installed here into a temporary folder), wrk.
# Knobs: DURATION (s per round, default 15), ROUNDS (default 3), WARMUP (s, default 30), CONNECTIONS (64).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
duration=${DURATION:-15}; rounds=${ROUNDS:-3}; warmup=${WARMUP:-30}; connections=${CONNECTIONS:-64}
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
mvn -q -B -DskipTests -pl bench -am package
. bench/lib.sh
express_port=$(free_port); flotilla_port=$(free_port)

(cd "$work" && npm init -y >/dev/null && npm install --silent --no-audit --no-fund express@4 >/dev/null)
cat >"$work/app.js" <<'JS'
// The seeds' stack: an Express app, one worker per CPU (2 here) under Node's cluster module.
const cluster = require('cluster');
const express = require('express');
const users = [
  { id: 1, name: 'Ada Lovelace', email: 'ada@example.com' },
  { id: 2, name: 'Alan Turing', email: 'alan@example.com' },
];
if (cluster.isPrimary) {
  for (let i = 0; i < 2; i++) cluster.fork();
} else {
  const app = express();
  app.get('/users', (req, res) => res.json(users));
  app.listen(Number(process.env.PORT), '127.0.0.1');
}
JS
PORT=$express_port node "$work/app.js" & express_pid=$!; pids+=($express_pid)
PORT=$flotilla_port java -XX:+UseSerialGC -Xms16m -Xmx192m -cp bench/target/flotilla-bench.jar \
  dev.flotilla.bench.StaticUsersService 2>"$work/flotilla.err" & flotilla_pid=$!; pids+=($flotilla_pid)
until curl -sf "http://127.0.0.1:$express_port/users" >/dev/null; do sleep 0.1; done
until curl -sf "http://127.0.0.1:$flotilla_port/users" >/dev/null; do sleep 0.1; done

rss_tree() { # resident MB of a process and its children
  local total=0 pid
  for pid in $1 $(pgrep -P "$1" || true); do total=$((total + $(awk '/VmRSS/{print $2}' "/proc/$pid/status"))); done
  echo $((total / 1024))
}
run() { # PORT SECONDS -> "req/s p50 p99"
  local out
  out=$(wrk -t1 -c"$connections" -d"${2}s" --latency "http://127.0.0.1:$1/users")
  echo "$(awk '/Requests\/sec/{print $2}' <<<"$out") $(to_ms "$(awk '$1=="50%"{print $2}' <<<"$out")") $(to_ms "$(awk '$1=="99%"{print $2}' <<<"$out")")"
}
read -r rps p50 p99 <<<"$(run "$flotilla_port" 10)"
echo "cold (first 10 s): flotilla $rps req/s, p50 $p50 ms, p99 $p99 ms"
echo "warming up both for ${warmup} s..."
run "$flotilla_port" "$warmup" >/dev/null
run "$express_port" 10 >/dev/null
printf '%-6s %-9s %10s %8s %8s\n' round server "req/s" "p50 ms" "p99 ms"
sum_f=0; sum_e=0
for r in $(seq 1 "$rounds"); do
  read -r rps p50 p99 <<<"$(run "$express_port" "$duration")"
  printf '%-6s %-9s %10s %8s %8s\n' "$r" express "$rps" "$p50" "$p99"; sum_e=$(awk -v a="$sum_e" -v b="$rps" 'BEGIN{print a+b}')
  read -r rps p50 p99 <<<"$(run "$flotilla_port" "$duration")"
  printf '%-6s %-9s %10s %8s %8s\n' "$r" flotilla "$rps" "$p50" "$p99"; sum_f=$(awk -v a="$sum_f" -v b="$rps" 'BEGIN{print a+b}')
done
echo "resident memory after the run: flotilla $(rss_tree "$flotilla_pid") MB (one JVM); express cluster $(rss_tree "$express_pid") MB (primary + 2 workers)"
awk -v f="$sum_f" -v e="$sum_e" 'BEGIN{ printf "throughput ratio flotilla/express: %.2f\n", f/e }'
