package dev.flotilla.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Reads need no token, so anyone can open watch streams and never read them. A registry of 10 000
 * instances flooded with 300 such streams must keep answering heartbeats, cap the streams one address
 * holds, and drop the streams that fall behind.
 */
class WatchFloodTest {

    private static final int INSTANCES = 10_000;
    private static final int FLOOD = 300;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void watchersThatNeverReadCannotStopHeartbeats() throws Exception {
        Vertx vertx = Vertx.vertx();
        RegistryServer registry = RegistryServer.start(vertx, new RegistryOptions().setPort(0))
                .await(10, TimeUnit.SECONDS);
        List<Socket> flood = new ArrayList<>();
        try {
            String pad = "x".repeat(200); // about 400 bytes an instance: a 4 MB snapshot
            registerAll(registry.url(), i -> body(i, pad));

            for (int i = 0; i < FLOOD; i++) {
                Socket socket = new Socket();
                socket.setReceiveBufferSize(1024);
                socket.connect(new InetSocketAddress("127.0.0.1", registry.port()));
                socket.getOutputStream().write("GET /v1/watch HTTP/1.1\r\nHost: r\r\n\r\n"
                        .getBytes(StandardCharsets.ISO_8859_1));
                flood.add(socket);
            }
            int cap = RegistryOptions.DEFAULT_MAX_WATCHERS_PER_ADDRESS;
            Eventually.await(cap + " streams open", Duration.ofSeconds(30),
                    () -> watchersOrZero(registry.url()) >= cap);
            Thread.sleep(1_000); // the other requests of the flood are refused meanwhile, not added
            assertThat(watchers(registry.url())).as("streams held by one address").isEqualTo(cap);

            // Changes keep coming (4 000 updates, about 2 MB of events each watcher is sent) while one
            // instance heartbeats every 50 ms: every heartbeat must be answered, and quickly.
            CompletableFuture<Void> changes = CompletableFuture.runAsync(() ->
                    registerAll(registry.url(), i -> i < 4_000 ? body(i, pad + "y") : null));
            long slowestMs = 0;
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(6);
            HttpRequest heartbeat = HttpRequest.newBuilder(URI.create(registry.url() + "/v1/instances/i-1/heartbeat"))
                    .PUT(HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(5)).build();
            while (System.nanoTime() < end) {
                long started = System.nanoTime();
                assertThat(http.send(heartbeat, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
                slowestMs = Math.max(slowestMs, (System.nanoTime() - started) / 1_000_000);
                Thread.sleep(50);
            }
            changes.get(60, TimeUnit.SECONDS);
            System.out.println("watch flood: " + FLOOD + " streams that never read, " + INSTANCES
                    + " instances; slowest heartbeat " + slowestMs + " ms"); // a figure for the README
            assertThat(slowestMs).as("the slowest heartbeat during the flood, ms (was: all timed out)")
                    .isLessThan(3_000);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (watchers(registry.url()) > 0 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(watchers(registry.url())).as("streams that never read are dropped").isZero();
        } finally {
            for (Socket socket : flood) {
                socket.close();
            }
            vertx.close().await(10, TimeUnit.SECONDS);
        }
    }

    private static String body(int i, String pad) {
        return new JsonObject().put("service", "svc-" + (i % 50)).put("version", "1.0.0").put("host", "127.0.0.1")
                .put("port", 1_000 + i % 60_000).put("ttlSeconds", 3600)
                .put("metadata", new JsonObject().put("pad", pad)).encode();
    }

    /** PUTs instance {@code i-N} with {@code body(N)} (null: skip), 64 at a time. */
    private void registerAll(String url, java.util.function.IntFunction<String> body) {
        Semaphore inFlight = new Semaphore(64);
        List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
        for (int i = 0; i < INSTANCES; i++) {
            String json = body.apply(i);
            if (json == null) {
                continue;
            }
            inFlight.acquireUninterruptibly();
            sent.add(http.sendAsync(HttpRequest.newBuilder(URI.create(url + "/v1/instances/i-" + i))
                            .PUT(HttpRequest.BodyPublishers.ofString(json)).build(),
                    HttpResponse.BodyHandlers.ofString()).whenComplete((r, e) -> inFlight.release()));
        }
        for (CompletableFuture<HttpResponse<String>> reply : sent) {
            assertThat(reply.join().statusCode()).isEqualTo(200);
        }
    }

    private long watchersOrZero(String url) {
        try {
            return watchers(url);
        } catch (Exception e) {
            return 0;
        }
    }

    private long watchers(String url) throws Exception {
        String metrics = http.send(HttpRequest.newBuilder(URI.create(url + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = Pattern.compile("(?m)^flotilla_registry_watchers\\S* ([0-9.]+)").matcher(metrics);
        assertThat(m.find()).as("the watchers gauge").isTrue();
        return (long) Double.parseDouble(m.group(1));
    }
}
