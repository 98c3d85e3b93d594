# Shared by the bench scripts (sourced): a temporary folder, processes ended on exit, small helpers.
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# wrk's latency (850us, 1.2ms, 2s) in milliseconds
to_ms() { awk -v v="$1" 'BEGIN{ if (v ~ /us$/) {sub(/us/,"",v); print v/1000} else if (v ~ /ms$/) {sub(/ms/,"",v); print v+0} else {sub(/s/,"",v); print v*1000} }'; }

# register_hello REGISTRY_PORT BACKEND_PORT...: keeps the backends registered as service "hello" (re-registering
# is the heartbeat); run it in the background.
register_hello() {
  local registry=$1; shift
  while true; do
    for b in "$@"; do
      curl -s -o /dev/null -X PUT "http://127.0.0.1:$registry/v1/instances/backend-$b" \
        -d "{\"service\":\"hello\",\"version\":\"1.0.0\",\"host\":\"127.0.0.1\",\"port\":$b,\"healthPath\":\"/\"}"
    done
    sleep 3
  done
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# wrk_run NAME PORT PID SECONDS: one wrk run against $scheme://127.0.0.1:PORT/api/ (http unless $scheme says
# https) with $threads threads and
# $connections connections; prints "req/s p50_ms p99_ms cpu_us_per_request" (CPU of PID).
wrk_run() {
  local name=$1 port=$2 pid=$3 secs=$4 before after out rps p50 p99 requests errors
  before=$(cpu_ticks "$pid")
  out=$(wrk -t"${threads:-1}" -c"$connections" -d"${secs}s" --latency "${scheme:-http}://127.0.0.1:$port/api/")
  after=$(cpu_ticks "$pid")
  rps=$(awk '/Requests\/sec/{print $2}' <<<"$out")
  requests=$(awk '/requests in/{print $1}' <<<"$out")
  p50=$(awk '$1=="50%"{print $2}' <<<"$out")
  p99=$(awk '$1=="99%"{print $2}' <<<"$out")
  errors=$(awk '/Non-2xx|Socket errors/{print}' <<<"$out")
  [ -z "$errors" ] || echo "  $name: $errors" >&2
  echo "$rps $(to_ms "$p50") $(to_ms "$p99") $(awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" -v n="$requests" \
    'BEGIN{printf "%.1f", t / hz * 1e6 / n}')"
}

# start_hello_backends B1 B2 [EXTRA]: two nginx servers answering 200 'hello from bN' on ports B1 and B2 (one
# worker), plus any EXTRA server blocks; the process is ended on exit.
start_hello_backends() {
  mkdir -p "$work/nginx/logs"
  cat >"$work/nginx/backends.conf" <<CONF
worker_processes 1;
pid $work/nginx/backends.pid;
error_log $work/nginx/logs/backends.err warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_max_body_size 16m;
  server { listen 127.0.0.1:$1; keepalive_requests 100000; location / { return 200 'hello from b1\n'; } }
  server { listen 127.0.0.1:$2; keepalive_requests 100000; location / { return 200 'hello from b2\n'; } }
  ${3:-}
}
CONF
  nginx -p "$work/nginx" -c "$work/nginx/backends.conf" -g 'daemon off;' & pids+=($!)
}

# start_nginx_proxy PORT B1 B2 [LISTEN_OPTIONS] [SERVER_LINES] [LOCATION_LINES]: nginx (one worker) as the
# reverse proxy to compare with: /api/ to the two backends over kept-alive connections, round-robin. Sets
# nginx_master; the worker that proxies is $(ps --ppid "$nginx_master" -o pid=).
start_nginx_proxy() {
  cat >"$work/nginx/proxy.conf" <<CONF
worker_processes 1;
pid $work/nginx/proxy.pid;
error_log $work/nginx/logs/proxy.err warn;
events { worker_connections 4096; }
http {
  access_log off;
  upstream backends { server 127.0.0.1:$2; server 127.0.0.1:$3; keepalive 64; }
  server {
    listen 127.0.0.1:$1 ${4:-};
    keepalive_requests 100000;
    ${5:-}
    location /api/ {
      proxy_pass http://backends/;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      ${6:-}
    }
  }
}
CONF
  nginx -p "$work/nginx" -c "$work/nginx/proxy.conf" -g 'daemon off;' 2>"$work/nginx/proxy.stderr" &
  nginx_master=$!; pids+=($nginx_master)
}

# start_hello_registry PORT B1 B2: a Flotilla registry with the two backends registered as "hello", and
# $work/routes.yaml routing /api/** to them.
start_hello_registry() {
  java -jar flotilla-cli/target/flotilla.jar registry --port "$1" >"$work/registry.out" 2>"$work/registry.err" &
  pids+=($!)
  until grep -q listening "$work/registry.out" 2>/dev/null; do sleep 0.1; done
  register_hello "$1" "$2" "$3" & pids+=($!)
  printf 'routes:\n  - path: /api/**\n    service: hello\n    strip-prefix: true\n' >"$work/routes.yaml"
}
