package dev.flotilla.bench;

import dev.flotilla.service.shared.RedisSharedMap;
import dev.flotilla.service.shared.SharedMap;
import dev.flotilla.service.shared.Versioned;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Shared-map figures on a redis-server of its own (from PATH): propagation from a write on instance A to
 * the change listener on instance B (p50/p99; cold = the first 10 s, warm = after the warm-up), and
 * convergence after Redis is killed for 3 s under a stream of writes (time from Redis answering again to
 * both caches equal to what Redis holds).
 *
 * <p>A and B are two Vert.x instances in this JVM, each with its own Redis connections and subscription,
 * so that one clock times both ends. Usage: {@code SharedBench WARMUP_S MEASURE_S WRITES_PER_S KILLS}.
 */
public final class SharedBench {

    private SharedBench() {
    }

    public static void main(String[] args) throws Exception {
        long warmup = Long.parseLong(args[0]);
        long measure = Long.parseLong(args[1]);
        int rate = Integer.parseInt(args[2]);
        int kills = Integer.parseInt(args[3]);
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Process redis = startRedis(port);
        String url = "redis://127.0.0.1:" + port;
        Vertx vertxA = Vertx.vertx();
        Vertx vertxB = Vertx.vertx();
        SharedMap a = RedisSharedMap.open(vertxA, url, "bench");
        SharedMap b = RedisSharedMap.open(vertxB, url, "bench");
        a.ready().await(10, TimeUnit.SECONDS);
        b.ready().await(10, TimeUnit.SECONDS);
        long[] heard = new long[1 << 22];
        AtomicInteger heardCount = new AtomicInteger();
        b.onChange(change -> {
            if (change.value() instanceof Number sent) {
                int i = heardCount.getAndIncrement();
                if (i < heard.length) {
                    heard[i] = System.nanoTime() - sent.longValue();
                }
            }
        });

        report("cold (first 10 s)", a, heard, heardCount, rate, Math.min(10, warmup));
        stream(a, rate, Math.max(0, warmup - 10));
        report("warm", a, heard, heardCount, rate, measure);

        List<Long> convergence = new ArrayList<>();
        Redis direct = Redis.createClient(vertxA, url);
        for (int k = 0; k < kills; k++) {
            AtomicBoolean writing = new AtomicBoolean(true);
            Thread writer = new Thread(() -> {
                for (long i = 0; writing.get(); i++) {
                    try {
                        (i % 2 == 0 ? a : b).put("k" + (i % 50), i).await(1, TimeUnit.SECONDS);
                    } catch (Exception refusedWhileDown) {
                        // expected while Redis is down
                    }
                }
            });
            writer.start();
            Thread.sleep(1_000);
            redis.destroyForcibly().waitFor();
            Thread.sleep(3_000);
            redis = startRedis(port);
            long back = System.nanoTime();
            Thread.sleep(500); // writes go on for a while after Redis returns
            writing.set(false);
            writer.join();
            while (!(a.inStep() && b.inStep() && a.entries().equals(stored(direct))
                    && b.entries().equals(stored(direct)))) {
                Thread.sleep(5);
                if (System.nanoTime() - back > TimeUnit.SECONDS.toNanos(30)) {
                    throw new IllegalStateException("no convergence within 30 s");
                }
            }
            convergence.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - back));
        }
        if (kills > 0) {
            System.out.printf("convergence after a 3 s Redis kill under writes (ms from Redis back to both caches "
                    + "equal to Redis), %d runs: %s%n", kills, convergence);
        }
        redis.destroyForcibly().waitFor();
        vertxA.close();
        vertxB.close();
    }

    private static void report(String label, SharedMap a, long[] heard, AtomicInteger heardCount, int rate,
            long seconds) throws Exception {
        int from = heardCount.get();
        long sent = stream(a, rate, seconds);
        Thread.sleep(500);
        int to = Math.min(heardCount.get(), heard.length);
        long[] sorted = Arrays.copyOfRange(heard, from, to);
        Arrays.sort(sorted);
        System.out.printf("propagation %s: writes=%d heard=%d p50=%.2fms p99=%.2fms max=%.2fms%n", label, sent,
                to - from, sorted[sorted.length / 2] / 1e6, sorted[(int) (sorted.length * 0.99)] / 1e6,
                sorted[sorted.length - 1] / 1e6);
    }

    /** Writes at {@code rate} per second for {@code seconds}, each value the time it was sent. */
    private static long stream(SharedMap a, int rate, long seconds) throws InterruptedException {
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(seconds);
        long interval = 1_000_000_000L / rate;
        long sent = 0;
        for (long next = start; next < end; next += interval) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            a.put("k" + (sent % 100), System.nanoTime());
            sent++;
        }
        return sent;
    }

    private static Map<String, Versioned> stored(Redis redis) {
        try {
            return RedisSharedMap.stored(redis, "bench").await(2, TimeUnit.SECONDS);
        } catch (Exception e) {
            return Map.of("unreachable", new Versioned(e.toString(), -1));
        }
    }

    private static Process startRedis(int port) throws Exception {
        Process process = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no").redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectErrorStream(true).start();
        for (int i = 0; i < 200; i++) {
            try (Socket socket = new Socket("127.0.0.1", port)) {
                return process;
            } catch (Exception notYet) {
                Thread.sleep(25);
            }
        }
        throw new IllegalStateException("redis-server did not start on port " + port);
    }
}
