#!/usr/bin/env bash
# The cost of observability on the gateway's request path: two Flotilla gateways in front of the same two
# nginx backends, one tracing every request (a SERVER span, a CLIENT span per attempt, traceparent, spans
# exported in batches as JSON to an intake, here an nginx location that answers 200) and one with
# FLOTILLA_TRACING=off, measured with wrk on loopback in one run, interleaved, after a warm-up of each.
# Metrics are on in both (the gateway has no switch for them). Prints requests/s, p50/p99 and CPU per request
# of each, and the share lost.
# Needs: a JDK, Maven, nginx and wrk (Debian packages: nginx-light wrk; installed here when missing).
# Knobs: DURATION (s per measured round, default 15), ROUNDS (default 3), WARMUP (s, default 30),
#        CONNECTIONS (default 64), SAMPLE (FLOTILLA_TRACE_SAMPLE of the traced gateway, default 1).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
duration=${DURATION:-15}; rounds=${ROUNDS:-3}; warmup=${WARMUP:-30}; connections=${CONNECTIONS:-64}
sample=${SAMPLE:-1}
if ! command -v wrk >/dev/null || ! command -v nginx >/dev/null; then
  apt-get update -qq && apt-get install -y -qq wrk nginx-light >/dev/null
fi
mvn -q -B -DskipTests -pl flotilla-cli -am package
. bench/lib.sh

b1=$(free_port); b2=$(free_port); intake=$(free_port); registry=$(free_port)
traced=$(free_port); plain=$(free_port)
start_hello_backends "$b1" "$b2" \
  "server { listen 127.0.0.1:$intake; location / { client_body_in_single_buffer on; return 202; } }"

java -jar flotilla-cli/target/flotilla.jar registry --port "$registry" >"$work/registry.out" 2>"$work/registry.err" &
pids+=($!)
until grep -q listening "$work/registry.out" 2>/dev/null; do sleep 0.1; done
register_hello "$registry" "$b1" "$b2" & pids+=($!)
printf 'routes:\n  - path: /api/**\n    service: hello\n    strip-prefix: true\n' >"$work/routes.yaml"
./flotilla --version >/dev/null # records the class-data archive if this jar has none yet
FLOTILLA_TRACES="http://127.0.0.1:$intake/v1/traces" FLOTILLA_TRACE_SAMPLE="$sample" ./flotilla gateway \
  --port "$traced" --admin-port "$(free_port)" --registry "http://127.0.0.1:$registry" --routes "$work/routes.yaml" \
  >"$work/traced.out" 2>"$work/traced.err" &
traced_pid=$!; pids+=($traced_pid)
FLOTILLA_TRACING=off ./flotilla gateway \
  --port "$plain" --admin-port "$(free_port)" --registry "http://127.0.0.1:$registry" --routes "$work/routes.yaml" \
  >"$work/plain.out" 2>"$work/plain.err" &
plain_pid=$!; pids+=($plain_pid)
until grep -q listening "$work/traced.out" 2>/dev/null && grep -q listening "$work/plain.out" 2>/dev/null; do
  sleep 0.05
done
until curl -sf "http://127.0.0.1:$traced/api/" >/dev/null && curl -sf "http://127.0.0.1:$plain/api/" >/dev/null; do
  sleep 0.05
done
# The traced gateway sends its own traceparent upstream: the proof that it traces.
curl -sf -o /dev/null "http://127.0.0.1:$traced/api/"


read -r rps p50 p99 cpu <<<"$(wrk_run traced "$traced" "$traced_pid" 10)"
echo "cold (first 10 s of load): traced $rps req/s, p99 $p99 ms, ${cpu} µs CPU/request"
read -r rps p50 p99 cpu <<<"$(wrk_run off "$plain" "$plain_pid" 10)"
echo "cold (first 10 s of load): tracing off $rps req/s, p99 $p99 ms, ${cpu} µs CPU/request"
echo "warming up each for ${warmup} s..."
wrk_run traced "$traced" "$traced_pid" "$warmup" >/dev/null
wrk_run off "$plain" "$plain_pid" "$warmup" >/dev/null

printf '%-6s %-12s %10s %8s %8s %12s\n' round gateway "req/s" "p50 ms" "p99 ms" "CPU µs/req"
sum_t=0; sum_o=0; cpu_t=0; cpu_o=0
for r in $(seq 1 "$rounds"); do
  read -r rps p50 p99 cpu <<<"$(wrk_run off "$plain" "$plain_pid" "$duration")"
  printf '%-6s %-12s %10s %8s %8s %12s\n' "$r" "tracing off" "$rps" "$p50" "$p99" "$cpu"
  sum_o=$(awk -v a="$sum_o" -v b="$rps" 'BEGIN{print a+b}'); cpu_o=$(awk -v a="$cpu_o" -v b="$cpu" 'BEGIN{print a+b}')
  read -r rps p50 p99 cpu <<<"$(wrk_run traced "$traced" "$traced_pid" "$duration")"
  printf '%-6s %-12s %10s %8s %8s %12s\n' "$r" "traced" "$rps" "$p50" "$p99" "$cpu"
  sum_t=$(awk -v a="$sum_t" -v b="$rps" 'BEGIN{print a+b}'); cpu_t=$(awk -v a="$cpu_t" -v b="$cpu" 'BEGIN{print a+b}')
done
awk -v t="$sum_t" -v o="$sum_o" -v ct="$cpu_t" -v co="$cpu_o" -v s="$sample" 'BEGIN{
  printf "tracing (sample %s) costs %.1f%% of requests/s and %.1f%% more CPU per request\n", s, (1 - t/o) * 100,
    (ct/co - 1) * 100 }'
