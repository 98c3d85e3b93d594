#!/usr/bin/env bash
# The road to a faster gateway, measured: nginx, the Flotilla gateway, and three bare proxies that do what the
# gateway's default route does per request and nothing else (see their javadoc): NettyProxyCeiling, straight on
# Netty's HTTP/1 codecs ("ceiling"), and VertxProxyCeiling with Vert.x's HTTP server in front of Vert.x's HTTP
# client ("vx-vx") or of Netty's codec on the same event loop ("vx-netty"). Each is in front of the same two nginx
# backends, wrk -t1 -c64 on loopback, interleaved rounds after a warm-up. None is a product: together they split
# the gateway's cost into the HTTP layers' share and its own features' share, and tell how far a Netty-level data
# path could go on this machine.
# Needs what bench/gateway.sh needs. Knobs: DURATION (default 15), ROUNDS (default 3), WARMUP (default 30).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
duration=${DURATION:-15}; rounds=${ROUNDS:-3}; warmup=${WARMUP:-30}; connections=64; threads=1
if ! command -v wrk >/dev/null || ! command -v nginx >/dev/null; then
  apt-get update -qq && apt-get install -y -qq wrk nginx-light >/dev/null
fi
mvn -q -B -DskipTests -pl flotilla-cli,bench -am package
. bench/lib.sh

b1=$(free_port); b2=$(free_port); nginx_proxy=$(free_port); registry=$(free_port); gateway=$(free_port)
ceiling=$(free_port); vertx_vertx=$(free_port); vertx_netty=$(free_port)
start_hello_backends "$b1" "$b2"
start_nginx_proxy "$nginx_proxy" "$b1" "$b2"
start_hello_registry "$registry" "$b1" "$b2"
./flotilla gateway --port "$gateway" --admin-port "$(free_port)" --registry "http://127.0.0.1:$registry" \
  --routes "$work/routes.yaml" >"$work/gateway.out" 2>&1 &
gateway_pid=$!; pids+=($gateway_pid)
java -XX:+UseSerialGC -Xms16m -Xmx192m -Xss512k -XX:ReservedCodeCacheSize=64m -cp bench/target/flotilla-bench.jar \
  dev.flotilla.bench.NettyProxyCeiling "$ceiling" "http://127.0.0.1:$registry" hello /api/ >"$work/ceiling.out" 2>&1 &
ceiling_pid=$!; pids+=($ceiling_pid)
for client in vertx netty; do
  port_var=vertx_$client
  java -XX:+UseSerialGC -Xms40m -Xmn24m -Xmx192m -Xss512k -XX:ReservedCodeCacheSize=64m \
    -cp bench/target/flotilla-bench.jar dev.flotilla.bench.VertxProxyCeiling "${!port_var}" \
    "http://127.0.0.1:$registry" hello /api/ "$client" >"$work/vertx-$client.out" 2>&1 &
  pids+=($!); eval "vertx_${client}_pid=$!"
done
for out in gateway ceiling vertx-vertx vertx-netty; do
  until grep -q listening "$work/$out.out" 2>/dev/null; do sleep 0.05; done
done
for port in "$gateway" "$ceiling" "$vertx_vertx" "$vertx_netty" "$nginx_proxy"; do
  until curl -sf "http://127.0.0.1:$port/api/" >/dev/null; do sleep 0.05; done
done
nginx_pid=$(ps --ppid "$nginx_master" -o pid= | tr -d ' ')
echo "warming up for ${warmup} s each..."
wrk_run flotilla "$gateway" "$gateway_pid" "$warmup" >/dev/null
wrk_run ceiling "$ceiling" "$ceiling_pid" "$warmup" >/dev/null
wrk_run vx-vx "$vertx_vertx" "$vertx_vertx_pid" "$warmup" >/dev/null
wrk_run vx-netty "$vertx_netty" "$vertx_netty_pid" "$warmup" >/dev/null
wrk_run nginx "$nginx_proxy" "$nginx_pid" 5 >/dev/null
printf '%-6s %-9s %10s %8s %8s %12s\n' round proxy "req/s" "p50 ms" "p99 ms" "CPU µs/req"
declare -A sum
for r in $(seq 1 "$rounds"); do
  for proxy in nginx flotilla ceiling vx-vx vx-netty; do
    case $proxy in
      nginx) port=$nginx_proxy; pid=$nginx_pid ;;
      flotilla) port=$gateway; pid=$gateway_pid ;;
      ceiling) port=$ceiling; pid=$ceiling_pid ;;
      vx-vx) port=$vertx_vertx; pid=$vertx_vertx_pid ;;
      vx-netty) port=$vertx_netty; pid=$vertx_netty_pid ;;
    esac
    read -r rps p50 p99 cpu <<<"$(wrk_run "$proxy" "$port" "$pid" "$duration")"
    printf '%-6s %-9s %10s %8s %8s %12s\n' "$r" "$proxy" "$rps" "$p50" "$p99" "$cpu"
    sum[$proxy]=$(awk -v a="${sum[$proxy]:-0}" -v b="$rps" 'BEGIN{print a+b}')
  done
done
rss() { echo "$(( $(awk '/VmRSS/{print $2}' "/proc/$1/status") / 1024 )) MB"; }
echo "resident memory: flotilla $(rss "$gateway_pid"), ceiling $(rss "$ceiling_pid"), vx-vx $(rss "$vertx_vertx_pid")," \
  "vx-netty $(rss "$vertx_netty_pid")"
awk -v f="${sum[flotilla]}" -v c="${sum[ceiling]}" -v v="${sum[vx-vx]}" -v h="${sum[vx-netty]}" \
  -v n="${sum[nginx]}" 'BEGIN{ printf "throughput ratio to nginx: flotilla %.2f, netty ceiling %.2f, " \
  "vert.x server+client %.2f, vert.x server+netty client %.2f\n", f/n, c/n, v/n, h/n }'
