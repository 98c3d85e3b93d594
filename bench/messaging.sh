#!/usr/bin/env bash
# Messaging benchmark (issue 12): persistent messages published with confirms and consumed with manual acks
# from a durable quorum queue, through flotilla-messaging (deduplication in Redis, retries and dead letters
# on) against a plain amqp-client program with the same settings, on the same RabbitMQ, in interleaved rounds
# after a warm-up; then Flotilla's Redis Streams transport. Prints msgs/s, p50/p99 publish-to-consume latency
# and the ratio; the cold figure (first round on a fresh JVM) apart.
# Needs: a JDK, Maven, RabbitMQ at $AMQP (default the local one as guest), redis-server.
# Knobs: MESSAGES (per round, 20000), ROUNDS (5), WARMUP (s, 30).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
amqp=${AMQP:-amqp://guest:guest@127.0.0.1:5672}
mvn -q -B -DskipTests -pl bench -am package
. bench/lib.sh
redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no >"$work/redis.log" 2>&1 &
pids+=($!)
until redis-cli -p "$redis_port" ping >/dev/null 2>&1; do sleep 0.05; done
java -XX:+UseSerialGC -Xmx512m -cp bench/target/flotilla-bench.jar dev.flotilla.bench.MessagingBench \
  "$amqp" "redis://127.0.0.1:$redis_port" "${MESSAGES:-20000}" "${ROUNDS:-5}" "${WARMUP:-30}"
