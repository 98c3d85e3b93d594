#!/usr/bin/env bash
# Gateway benchmark: the Flotilla gateway against nginx as the equivalent reverse proxy (keep-alive
# upstreams, round-robin), both in front of the same two nginx backends, measured with wrk on loopback in
# one run, interleaved, after a warm-up. Prints requests/s, p50/p99, CPU per request, resident memory,
# start-up time, and the ratio Flotilla/nginx.
# Needs: a JDK, Maven, nginx and wrk (Debian packages: nginx-light wrk; installed here when missing).
# Knobs: DURATION (s per measured round, default 15), ROUNDS (default 3), WARMUP (s, default 30),
#        CONNECTIONS (default 64), THREADS (wrk threads, default 1).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
duration=${DURATION:-15}; rounds=${ROUNDS:-3}; warmup=${WARMUP:-30}
connections=${CONNECTIONS:-64}; threads=${THREADS:-1}
if ! command -v wrk >/dev/null || ! command -v nginx >/dev/null; then
  apt-get update -qq && apt-get install -y -qq wrk nginx-light >/dev/null
fi
mvn -q -B -DskipTests -pl flotilla-cli -am package
. bench/lib.sh

b1=$(free_port); b2=$(free_port); nginx_proxy=$(free_port); registry=$(free_port); gateway=$(free_port)
admin=$(free_port)

# Two backends and the nginx proxy: two nginx processes (backends, proxy) with one worker each.
start_hello_backends "$b1" "$b2"
start_nginx_proxy "$nginx_proxy" "$b1" "$b2"
start_hello_registry "$registry" "$b1" "$b2"
# Start-up without the class-data archive ./flotilla records (plain java -jar), for comparison.
cold_port=$(free_port); started=$(date +%s%N)
java -XX:+UseSerialGC -Xms16m -Xmx192m -Xss512k -XX:ReservedCodeCacheSize=64m -jar flotilla-cli/target/flotilla.jar \
  gateway --port "$cold_port" --admin-port "$(free_port)" --registry "http://127.0.0.1:$registry" \
  >"$work/gateway-plain.out" 2>&1 &
plain_pid=$!
until grep -q listening "$work/gateway-plain.out" 2>/dev/null; do sleep 0.01; done
plain_ms=$(( ($(date +%s%N) - started) / 1000000 ))
kill "$plain_pid"; wait "$plain_pid" || true
./flotilla --version >/dev/null # records the class-data archive if this jar has none yet
started=$(date +%s%N)
./flotilla gateway --port "$gateway" --admin-port "$admin" \
  --registry "http://127.0.0.1:$registry" --routes "$work/routes.yaml" >"$work/gateway.out" 2>"$work/gateway.err" &
gateway_pid=$!; pids+=($gateway_pid)
until grep -q listening "$work/gateway.out" 2>/dev/null; do sleep 0.01; done
ready_ms=$(( ($(date +%s%N) - started) / 1000000 ))
until curl -sf "http://127.0.0.1:$gateway/api/" >/dev/null; do sleep 0.01; done
first_ms=$(( ($(date +%s%N) - started) / 1000000 ))
curl -sf "http://127.0.0.1:$nginx_proxy/api/" >/dev/null
nginx_pid=$(ps --ppid "$nginx_master" -o pid= | tr -d ' ') # the worker does the proxying

echo "gateway ready (printed 'listening') after ${ready_ms} ms; first 200 through it after ${first_ms} ms" \
  "(without the class-data archive: ready after ${plain_ms} ms)"
read -r rps p50 p99 cpu <<<"$(wrk_run flotilla "$gateway" "$gateway_pid" 10)"
echo "cold (first 10 s of load): flotilla $rps req/s, p50 $p50 ms, p99 $p99 ms, ${cpu} µs CPU/request"
echo "warming up for ${warmup} s..."
wrk_run flotilla "$gateway" "$gateway_pid" "$warmup" >/dev/null
wrk_run nginx "$nginx_proxy" "$nginx_pid" 5 >/dev/null

printf '%-6s %-9s %10s %8s %8s %12s\n' round proxy "req/s" "p50 ms" "p99 ms" "CPU µs/req"
sum_f=0; sum_n=0; p99_f=0; p99_n=0
for r in $(seq 1 "$rounds"); do
  read -r rps p50 p99 cpu <<<"$(wrk_run nginx "$nginx_proxy" "$nginx_pid" "$duration")"
  printf '%-6s %-9s %10s %8s %8s %12s\n' "$r" nginx "$rps" "$p50" "$p99" "$cpu"
  sum_n=$(awk -v a="$sum_n" -v b="$rps" 'BEGIN{print a+b}'); p99_n=$(awk -v a="$p99_n" -v b="$p99" 'BEGIN{print a+b}')
  read -r rps p50 p99 cpu <<<"$(wrk_run flotilla "$gateway" "$gateway_pid" "$duration")"
  printf '%-6s %-9s %10s %8s %8s %12s\n' "$r" flotilla "$rps" "$p50" "$p99" "$cpu"
  sum_f=$(awk -v a="$sum_f" -v b="$rps" 'BEGIN{print a+b}'); p99_f=$(awk -v a="$p99_f" -v b="$p99" 'BEGIN{print a+b}')
done
rss_f=$(( $(awk '/VmRSS/{print $2}' "/proc/$gateway_pid/status") / 1024 ))
rss_n=$(( $(awk '/VmRSS/{print $2}' "/proc/$nginx_master/status") / 1024 ))
rss_nw=$(( $(awk '/VmRSS/{print $2}' "/proc/$nginx_pid/status") / 1024 ))
echo "resident memory after the run: flotilla gateway ${rss_f} MB; nginx proxy master ${rss_n} MB + worker ${rss_nw} MB"
awk -v f="$sum_f" -v n="$sum_n" -v pf="$p99_f" -v pn="$p99_n" 'BEGIN{
  printf "throughput ratio flotilla/nginx: %.2f   p99 ratio flotilla/nginx: %.2f\n", f/n, pf/pn }'
