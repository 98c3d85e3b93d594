package dev.flotilla.bench;

import dev.flotilla.core.registry.Instance;
import dev.flotilla.core.registry.InstanceStatus;
import dev.flotilla.core.registry.InstanceWatch;
import dev.flotilla.core.registry.RegistryClient;
import dev.flotilla.core.registry.RegistryClientOptions;
import dev.flotilla.core.registry.RegistryEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.net.ServerSocket;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

/**
 * Load generator for {@code bench/registry.sh}. Arguments: the URL of an in-memory registry, then of two
 * registries sharing one Redis. Prints heartbeats/s and discoveries/s (cold, then warm), the time from a
 * registration on one registry to its event at a watcher of the other, and how long a killed or frozen
 * instance takes to be marked DOWN with the default health-check settings.
 */
public final class RegistryBench {

    private static final int CONCURRENCY = 64;
    private static final int HEARTBEAT_INSTANCES = 200;

    private final Vertx vertx = Vertx.vertx();
    /** Every request starts on this one context: Vert.x 5 futures are bound to a context, and requests
     *  started from the main thread had their completions stall under load. */
    private final io.vertx.core.Context context = vertx.getOrCreateContext();
    private final HttpClientAgent http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
            new PoolOptions().setHttp1MaxSize(CONCURRENCY));

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: RegistryBench MEMORY_URL REDIS_URL_A REDIS_URL_B");
            System.exit(2);
        }
        RegistryBench bench = new RegistryBench();
        try {
            bench.run(args[0], args[1], args[2]);
        } finally {
            bench.vertx.close().await(10, TimeUnit.SECONDS);
        }
    }

    private void run(String memory, String redisA, String redisB) throws Exception {
        String phases = System.getenv().getOrDefault("BENCH_PHASES", "throughput,propagation,down");
        if (phases.contains("throughput")) {
            throughput(memory, redisA);
        }
        if (phases.contains("propagation")) {
            System.out.println("== propagation: PUT on registry A -> event at a watcher of registry B (shared Redis)");
            propagation(redisA, redisB, 200, "cold");
            propagation(redisA, redisB, 1000, "warm");
        }
        if (phases.contains("down")) {
            System.out.println("== failure detection with default health checks (500 ms interval, 400 ms timeout, fall 2)");
            downDetection(memory, "kill -9", "KILL");
            downDetection(memory, "SIGSTOP", "STOP");
        }
    }

    private void throughput(String memory, String redisA) throws Exception {
        for (String url : List.of(memory, redisA)) {
            for (int i = 0; i < HEARTBEAT_INSTANCES; i++) {
                put(url, "/v1/instances/hb-" + i, instanceJson("bench-hb", 9000 + i, 120));
            }
            for (int i = 0; i < 20; i++) {
                put(url, "/v1/instances/disc-" + i, instanceJson("bench-disc", 10000 + i, 120));
            }
        }
        System.out.println("== throughput (" + CONCURRENCY + " requests in flight, one registry process each)");
        report("cold  memory  heartbeats/s ", load(memory, 5, this::heartbeat));
        report("cold  memory  discoveries/s", load(memory, 5, this::discovery));
        System.out.println("   warming up for 30 s...");
        for (int round = 0; round < 3; round++) {
            load(memory, 5, round % 2 == 0 ? this::heartbeat : this::discovery);
            load(redisA, 5, round % 2 == 0 ? this::heartbeat : this::discovery);
        }
        report("warm  memory  heartbeats/s ", load(memory, 10, this::heartbeat));
        report("warm  memory  discoveries/s", load(memory, 10, this::discovery));
        report("warm  redis   heartbeats/s ", load(redisA, 10, this::heartbeat));
        report("warm  redis   discoveries/s", load(redisA, 10, this::discovery));
    }

    private static String instanceJson(String service, int port, int ttl) {
        return "{\"service\":\"" + service + "\",\"version\":\"1.0.0\",\"host\":\"127.0.0.1\",\"port\":" + port
                + ",\"ttlSeconds\":" + ttl + "}";
    }

    private RequestOptions heartbeat(int n) {
        return new RequestOptions().setMethod(HttpMethod.PUT).setURI("/v1/instances/hb-" + (n % HEARTBEAT_INSTANCES) + "/heartbeat");
    }

    private RequestOptions discovery(int n) {
        return new RequestOptions().setMethod(HttpMethod.GET).setURI("/v1/services/bench-disc?version=%5E1&status=UP");
    }

    private record Result(double perSecond, long errors, long total) {
    }

    private static void report(String name, Result result) {
        System.out.printf("   %s %,10.0f   (errors: %d of %d)%n", name, result.perSecond(), result.errors(), result.total());
    }

    /** Keeps CONCURRENCY requests in flight for {@code seconds}; counts what completed. */
    private Result load(String url, int seconds, IntFunction<RequestOptions> request) throws InterruptedException {
        URI base = URI.create(url);
        AtomicLong done = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        AtomicBoolean running = new AtomicBoolean(true);
        CountDownLatch finished = new CountDownLatch(CONCURRENCY);
        long start = System.nanoTime();
        for (int c = 0; c < CONCURRENCY; c++) {
            int lane = c;
            context.runOnContext(v -> next(base, request, lane, done, errors, running, finished));
        }
        Thread.sleep(seconds * 1000L);
        running.set(false);
        finished.await(30, TimeUnit.SECONDS);
        double elapsed = (System.nanoTime() - start) / 1e9;
        return new Result(done.get() / elapsed, errors.get(), done.get() + errors.get());
    }

    private void next(URI base, IntFunction<RequestOptions> request, int n, AtomicLong done, AtomicLong errors,
                      AtomicBoolean running, CountDownLatch finished) {
        if (!running.get()) {
            finished.countDown();
            return;
        }
        RequestOptions options = request.apply(n).setHost(base.getHost()).setPort(base.getPort());
        http.request(options).compose(req -> req.send()).compose(resp -> resp.body().map(b -> resp.statusCode()))
                .onComplete(r -> {
                    if (r.succeeded() && r.result() == 200) {
                        done.incrementAndGet();
                    } else {
                        errors.incrementAndGet();
                    }
                    next(base, request, n + CONCURRENCY, done, errors, running, finished);
                });
    }

    private Future<Integer> send(String url, HttpMethod method, String path, String body) {
        io.vertx.core.Promise<Integer> result = io.vertx.core.Promise.promise();
        context.runOnContext(v -> sendOnContext(url, method, path, body).onComplete(result));
        return result.future();
    }

    private Future<Integer> sendOnContext(String url, HttpMethod method, String path, String body) {
        URI base = URI.create(url);
        return http.request(new RequestOptions().setMethod(method).setHost(base.getHost())
                        .setPort(base.getPort()).setURI(path).putHeader("Content-Type", "application/json")
                        .setTimeout(10_000))
                .compose(req -> body == null ? req.send() : req.send(body))
                .compose(resp -> resp.body().map(b -> resp.statusCode()));
    }

    private void put(String url, String path, String body) throws Exception {
        int status = send(url, HttpMethod.PUT, path, body).await(10, TimeUnit.SECONDS);
        if (status != 200) {
            throw new IllegalStateException("PUT " + path + " answered " + status);
        }
    }

    private void delete(String url, String path) throws Exception {
        send(url, HttpMethod.DELETE, path, null).await(10, TimeUnit.SECONDS);
    }

    /** Registers {@code count} instances one after another on A, 5 ms apart, timing each to B's watcher. */
    private void propagation(String writeTo, String watchOn, int count, String label) throws Exception {
        RegistryClient client = RegistryClient.create(vertx, new RegistryClientOptions(watchOn));
        InstanceWatch watch = client.watch("bench-prop");
        Map<String, Long> sentAt = new ConcurrentHashMap<>();
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        watch.addListener(event -> {
            Long sent = sentAt.remove(event.instance().id());
            if (sent != null && event.type() == RegistryEvent.Type.REGISTERED) {
                latencies.add(System.nanoTime() - sent);
            }
        });
        watch.ready().await(10, TimeUnit.SECONDS);
        List<Future<Integer>> sent = new ArrayList<>();
        for (int i = 0; i < count; i++) { // 200 registrations a second, not waiting for answers
            String id = "prop-" + label + "-" + i;
            sentAt.put(id, System.nanoTime());
            sent.add(send(writeTo, HttpMethod.PUT, "/v1/instances/" + id, instanceJson("bench-prop", 20000 + (i % 1000), 60)));
            Thread.sleep(5);
        }
        Future.join(sent).otherwiseEmpty().await(30, TimeUnit.SECONDS);
        long failed = sent.stream().filter(f -> f.failed() || f.result() != 200).count();
        if (failed > 0) {
            System.out.println("   " + failed + " registrations failed, e.g. " + sent.stream()
                    .filter(f -> f.failed() || f.result() != 200)
                    .map(f -> f.failed() ? f.cause().toString() : "HTTP " + f.result()).findFirst().orElse(""));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (latencies.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        List<Future<Integer>> deleted = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            deleted.add(send(writeTo, HttpMethod.DELETE, "/v1/instances/prop-" + label + "-" + i, null));
        }
        Future.join(deleted).otherwiseEmpty().await(30, TimeUnit.SECONDS);
        watch.close();
        client.close().await(10, TimeUnit.SECONDS);
        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        System.out.printf("   %s: %d of %d events arrived; p50 %.2f ms, p99 %.2f ms, max %.2f ms%n", label,
                sorted.size(), count, percentile(sorted, 50), percentile(sorted, 99), percentile(sorted, 100));
    }

    /**
     * Runs a real HTTP server process (python3 -m http.server), registers it with a health path, lets it
     * pass its checks, then kills or freezes it and times the DOWN event at a watcher.
     */
    private void downDetection(String registry, String label, String signal) throws Exception {
        RegistryClient client = RegistryClient.create(vertx, new RegistryClientOptions(registry));
        InstanceWatch watch = client.watch("bench-down");
        Map<String, Long> downAt = new ConcurrentHashMap<>();
        watch.addListener(event -> {
            if (event.instance().status() == InstanceStatus.DOWN) {
                downAt.putIfAbsent(event.instance().id(), System.nanoTime());
            }
        });
        watch.ready().await(10, TimeUnit.SECONDS);
        List<Long> times = new ArrayList<>();
        for (int round = 0; round < 5; round++) {
            int port;
            try (ServerSocket socket = new ServerSocket(0)) {
                port = socket.getLocalPort();
            }
            Process server = new ProcessBuilder("python3", "-m", "http.server", Integer.toString(port), "--bind", "127.0.0.1")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            String id = "down-" + signal + "-" + round;
            Thread.sleep(700);
            put(registry, "/v1/instances/" + id, "{\"service\":\"bench-down\",\"version\":\"1.0.0\",\"host\":\"127.0.0.1\","
                    + "\"port\":" + port + ",\"healthPath\":\"/\",\"ttlSeconds\":60}");
            Thread.sleep(1500 + round * 97L); // passes a few checks; the offset moves the failure within the interval
            long failedAt = System.nanoTime();
            new ProcessBuilder("kill", "-" + signal, Long.toString(server.pid())).start().waitFor();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!downAt.containsKey(id) && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            Long at = downAt.get(id);
            times.add(at == null ? Long.MAX_VALUE : at - failedAt);
            new ProcessBuilder("kill", "-KILL", Long.toString(server.pid())).start().waitFor();
            delete(registry, "/v1/instances/" + id);
        }
        watch.close();
        client.close().await(10, TimeUnit.SECONDS);
        Collections.sort(times);
        System.out.printf("   %-8s -> DOWN at the watcher: %s ms (median %.0f ms, max %.0f ms)%n", label,
                times.stream().map(t -> t == Long.MAX_VALUE ? "never" : String.format("%.0f", t / 1e6)).toList(),
                percentile(times, 50), percentile(times, 100));
    }

    private static double percentile(List<Long> sortedNanos, int p) {
        if (sortedNanos.isEmpty()) {
            return Double.NaN;
        }
        int index = (int) Math.ceil(p / 100.0 * sortedNanos.size()) - 1;
        return sortedNanos.get(Math.max(0, Math.min(index, sortedNanos.size() - 1))) / 1e6;
    }

}
