#!/usr/bin/env bash
# Gateway benchmark over TLS: the Flotilla gateway against nginx, each terminating TLS with the same
# certificate (EC P-256, made here by openssl) in front of the same two plain nginx backends, in one run,
# interleaved, after a warm-up. HTTP/1.1 is measured with wrk, HTTP/2 with h2load (nghttp2). Prints
# requests/s, latency, CPU per request of each proxy and the ratio Flotilla/nginx.
# Needs: a JDK, Maven, nginx, wrk, h2load (Debian packages: nginx-light wrk nghttp2-client; installed here
# when missing). Knobs: DURATION (s per measured round, default 15), ROUNDS (default 3), WARMUP (s, default 30),
#        CONNECTIONS (default 64), STREAMS (HTTP/2 streams per connection, default 1),
#        TLS_ENGINE (the gateway's --tls-engine: auto, openssl or jdk; default auto).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
duration=${DURATION:-15}; rounds=${ROUNDS:-3}; warmup=${WARMUP:-30}
connections=${CONNECTIONS:-64}; streams=${STREAMS:-1}; threads=1
if ! command -v wrk >/dev/null || ! command -v nginx >/dev/null || ! command -v h2load >/dev/null; then
  apt-get update -qq && apt-get install -y -qq wrk nginx-light nghttp2-client >/dev/null
fi
mvn -q -B -DskipTests -pl flotilla-cli -am package
. bench/lib.sh

b1=$(free_port); b2=$(free_port); nginx_proxy=$(free_port); registry=$(free_port); gateway=$(free_port)
gateway_tls=$(free_port); admin=$(free_port)
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=localhost \
  -addext subjectAltName=DNS:localhost -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null

start_hello_backends "$b1" "$b2"
start_nginx_proxy "$nginx_proxy" "$b1" "$b2" "ssl http2" \
  "ssl_certificate $work/cert.pem; ssl_certificate_key $work/key.pem; ssl_protocols TLSv1.2 TLSv1.3;
    http2_max_requests 100000;" "proxy_set_header X-Forwarded-Proto https;"
start_hello_registry "$registry" "$b1" "$b2"
./flotilla gateway --port "$gateway" --admin-port "$admin" --tls-port "$gateway_tls" \
  --tls-cert "$work/cert.pem" --tls-key "$work/key.pem" --tls-engine "${TLS_ENGINE:-auto}" \
  --registry "http://127.0.0.1:$registry" --routes "$work/routes.yaml" >"$work/gateway.out" 2>"$work/gateway.err" &
gateway_pid=$!; pids+=($gateway_pid)
until grep -q listening "$work/gateway.out" 2>/dev/null; do sleep 0.01; done
until curl -skf "https://127.0.0.1:$gateway_tls/api/" >/dev/null; do sleep 0.05; done
until curl -skf "https://127.0.0.1:$nginx_proxy/api/" >/dev/null; do sleep 0.05; done
nginx_pid=$(ps --ppid "$nginx_master" -o pid= | tr -d ' ')
echo "TLS engines: flotilla $(grep -o "OpenSSL [A-Za-z0-9. ]*\|the JDK.s TLS" "$work/gateway.err" "$work/gateway.out" | head -1 | cut -d: -f2-), nginx $(nginx -V 2>&1 | grep -o "OpenSSL [0-9.]*" | head -1)"

# wrk_tls NAME PORT PID SECONDS: HTTP/1.1 over TLS; prints "req/s p50_ms p99_ms cpu_us_per_request".
wrk_tls() { scheme=https wrk_run "$@"; }
# h2_run NAME PORT PID SECONDS: HTTP/2 over TLS (ALPN h2); prints "req/s mean_ms - cpu_us_per_request".
h2_run() {
  local name=$1 port=$2 pid=$3 secs=$4 before after out requests
  before=$(cpu_ticks "$pid")
  out=$(h2load -t1 -c"$connections" -m"$streams" -D"$secs" "https://127.0.0.1:$port/api/" 2>&1)
  after=$(cpu_ticks "$pid")
  requests=$(awk '/^requests:/{print $8}' <<<"$out")
  awk '/^status codes:/{ if ($5 + $7 + $9 > 0) print "  '"$name"': " $0 }' <<<"$out" >&2
  echo "$(awk '/^finished in/{gsub(",", "", $4); print $4}' <<<"$out") $(awk '/time for request:/{print $6}' <<<"$out" | to_ms_stdin) -" \
    "$(awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" -v n="$requests" 'BEGIN{printf "%.1f", t/hz*1e6/n}')"
}
to_ms_stdin() { read -r v; to_ms "$v"; }

read -r rps p50 p99 cpu <<<"$(wrk_tls flotilla "$gateway_tls" "$gateway_pid" 10)"
echo "cold (first 10 s of HTTP/1.1 over TLS): flotilla $rps req/s, p99 $p99 ms, ${cpu} µs CPU/request"
echo "warming up for ${warmup} s..."
wrk_tls flotilla "$gateway_tls" "$gateway_pid" $((warmup / 2)) >/dev/null
h2_run flotilla "$gateway_tls" "$gateway_pid" $((warmup / 2)) >/dev/null
wrk_tls nginx "$nginx_proxy" "$nginx_pid" 5 >/dev/null

printf '%-6s %-7s %-9s %10s %9s %8s %12s\n' round http proxy "req/s" "p50/mean" "p99 ms" "CPU µs/req"
declare -A sum
for r in $(seq 1 "$rounds"); do
  for proto in 1.1 2; do
    for proxy in nginx flotilla; do
      if [ "$proxy" = nginx ]; then port=$nginx_proxy; pid=$nginx_pid; else port=$gateway_tls; pid=$gateway_pid; fi
      if [ "$proto" = 1.1 ]; then line=$(wrk_tls "$proxy" "$port" "$pid" "$duration"); else line=$(h2_run "$proxy" "$port" "$pid" "$duration"); fi
      read -r rps lat p99 cpu <<<"$line"
      printf '%-6s %-7s %-9s %10s %9s %8s %12s\n' "$r" "$proto" "$proxy" "$rps" "$lat" "$p99" "$cpu"
      sum[$proto-$proxy]=$(awk -v a="${sum[$proto-$proxy]:-0}" -v b="$rps" 'BEGIN{print a+b}')
      sum[$proto-$proxy-cpu]=$(awk -v a="${sum[$proto-$proxy-cpu]:-0}" -v b="$cpu" 'BEGIN{print a+b}')
    done
  done
done
rss_f=$(( $(awk '/VmRSS/{print $2}' "/proc/$gateway_pid/status") / 1024 ))
echo "resident memory after the run: flotilla gateway ${rss_f} MB"
for proto in 1.1 2; do
  awk -v f="${sum[$proto-flotilla]}" -v n="${sum[$proto-nginx]}" -v cf="${sum[$proto-flotilla-cpu]}" \
    -v cn="${sum[$proto-nginx-cpu]}" -v p="$proto" 'BEGIN{
    printf "HTTP/%s over TLS: throughput ratio flotilla/nginx %.2f, CPU per request ratio %.2f\n", p, f/n, cf/cn }'
done
