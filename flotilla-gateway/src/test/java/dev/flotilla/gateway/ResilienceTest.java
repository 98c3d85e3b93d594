package dev.flotilla.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.testing.Eventually;
import dev.flotilla.testing.TestBackend;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Failures of instances as the gateway must absorb them: retries, ejection, breakers, timeouts. */
class ResilienceTest {

    private GatewayFixture fixture;

    @BeforeEach
    void start() throws Exception {
        fixture = new GatewayFixture();
    }

    @AfterEach
    void stop() throws Exception {
        fixture.close();
    }

    @Test
    void connectFailuresAreRetriedElsewhereAndTheDeadInstanceIsEjected() throws Exception {
        fixture.backend("users", "a");
        TestBackend dead = fixture.backend("users", "dead");
        fixture.start("routes:\n  - path: /**\n    service: users\n");
        dead.stopServing(); // connections refused, still registered UP until the health checks notice
        for (int i = 0; i < 20; i++) {
            HttpResponse<String> response = fixture.send(HttpRequest.newBuilder(fixture.uri("/x"))
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build());
            assertThat(response.statusCode()).as("request %d", i).isEqualTo(200);
            assertThat(response.body()).isEqualTo("a");
        }
    }

    @Test
    void aPostThatReachedAnInstanceIsNeverSentTwice() throws Exception {
        // An instance that reads the request and then drops the connection without answering.
        AtomicInteger received = new AtomicInteger();
        try (ServerSocket hangUp = new ServerSocket(0)) {
            Thread acceptor = new Thread(() -> {
                while (!hangUp.isClosed()) {
                    try (Socket socket = hangUp.accept()) {
                        InputStream in = socket.getInputStream();
                        byte[] buffer = new byte[8192];
                        if (in.read(buffer) > 0) {
                            received.incrementAndGet();
                        }
                    } catch (Exception ignored) {
                        // closed
                    }
                }
            });
            acceptor.start();
            fixture.backend("users", "good");
            var client = dev.flotilla.core.registry.RegistryClient.create(fixture.vertx,
                    new dev.flotilla.core.registry.RegistryClientOptions(fixture.registry.url()));
            client.register(dev.flotilla.core.registry.Instance.builder("hangup", "users", "1.0.0")
                    .host("127.0.0.1").port(hangUp.getLocalPort()).ttlSeconds(30).build()).await(5, TimeUnit.SECONDS);
            fixture.start("routes:\n  - path: /**\n    service: users\n    retries: 3\n");
            int failures = 0;
            for (int i = 0; i < 6; i++) {
                HttpResponse<String> response = fixture.send(HttpRequest.newBuilder(fixture.uri("/orders"))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"n\":" + i + "}")).build());
                if (response.statusCode() == 502) {
                    failures++;
                    assertThat(new JsonObject(response.body()).getString("error")).isEqualTo("bad_upstream");
                } else {
                    assertThat(response.body()).isEqualTo("good");
                }
            }
            assertThat(failures).as("round-robin sends every other POST to the hang-up instance").isGreaterThan(0);
            assertThat(received.get()).as("each failed POST reached the instance exactly once").isEqualTo(failures);

            // The same failure on a GET is retried on the other instance.
            for (int i = 0; i < 6; i++) {
                assertThat(fixture.get("/orders").statusCode()).isEqualTo(200);
            }
            hangUp.close();
            client.close();
        }
    }

    @Test
    void timeoutsGive504ForPostsAndAreRetriedForGets() throws Exception {
        fixture.backend("users", "fast");
        fixture.backend("users", "slow").delayMs.set(2_000);
        fixture.start("routes:\n  - path: /**\n    service: users\n    timeout: 300ms\n"
                + "    outlier: {consecutive-failures: 100}\n");
        for (int i = 0; i < 4; i++) {
            assertThat(fixture.get("/x").body()).isEqualTo("fast");
        }
        int timeouts = 0;
        for (int i = 0; i < 4; i++) {
            HttpResponse<String> response = fixture.send(HttpRequest.newBuilder(fixture.uri("/x"))
                    .POST(HttpRequest.BodyPublishers.ofString("x")).build());
            if (response.statusCode() == 504) {
                timeouts++;
                assertThat(new JsonObject(response.body()).getString("error")).isEqualTo("upstream_timeout");
            }
        }
        assertThat(timeouts).isEqualTo(2);
    }

    @Test
    void fiveHundredsEjectOnlyWhenTheRouteSaysSo() throws Exception {
        fixture.backend("users", "ok");
        fixture.backend("users", "broken").status.set(500);
        fixture.start("""
                routes:
                  - path: /counted/**
                    service: users
                    outlier: {consecutive-failures: 2, base-ejection: 30s, count-5xx: true}
                  - path: /plain/**
                    service: users
                """);
        int errors = 0;
        for (int i = 0; i < 20; i++) {
            errors += fixture.get("/plain/x").statusCode() == 500 ? 1 : 0;
        }
        assertThat(errors).as("500s pass through without ejecting").isEqualTo(10);
        errors = 0;
        for (int i = 0; i < 20; i++) {
            errors += fixture.get("/counted/x").statusCode() == 500 ? 1 : 0;
        }
        assertThat(errors).as("ejected after 2 consecutive 500s").isEqualTo(2);
        JsonObject upstreams = fixture.admin("/admin/upstreams");
        assertThat(upstreams.encode()).contains("\"state\":\"ejected\"");
    }

    @Test
    void theBreakerOpensServesTheFallbackThenClosesAfterATrial() throws Exception {
        TestBackend backend = fixture.backend("users", "a");
        backend.status.set(503);
        fixture.start("""
                routes:
                  - id: users
                    path: /**
                    service: users
                    breaker: {failure-rate: 50, minimum-requests: 4, open-for: 500ms, half-open-requests: 1}
                    fallback: {status: 200, body: '{"users":[]}'}
                """);
        for (int i = 0; i < 4; i++) {
            assertThat(fixture.get("/users").statusCode()).isEqualTo(503);
        }
        int hits = backend.hits.get();
        HttpResponse<String> degraded = fixture.get("/users");
        assertThat(degraded.statusCode()).isEqualTo(200);
        assertThat(degraded.body()).isEqualTo("{\"users\":[]}");
        assertThat(degraded.headers().firstValue("x-flotilla-fallback")).hasValue("true");
        assertThat(backend.hits.get()).as("an open breaker sends nothing upstream").isEqualTo(hits);
        assertThat(fixture.admin("/admin/upstreams").getJsonObject("breakers").getJsonObject("users")
                .getString("state")).isEqualTo("open");

        backend.status.set(200);
        Thread.sleep(600);
        assertThat(fixture.get("/users").body()).as("the half-open trial").isEqualTo("a");
        assertThat(fixture.get("/users").body()).isEqualTo("a");
        assertThat(fixture.admin("/admin/upstreams").getJsonObject("breakers").getJsonObject("users")
                .getString("state")).isEqualTo("closed");
    }

    @Test
    void staleKeepAliveConnectionsCauseNoClientErrors() throws Exception {
        // The backends close idle connections after 1 s; the gateway would keep them 30 s.
        fixture.backend("users", "1.0.0", "a", 1, 1);
        fixture.backend("users", "1.0.0", "b", 1, 1);
        fixture.start("routes:\n  - path: /**\n    service: users\n",
                new GatewayOptions().setUpstreamKeepAliveSeconds(30).setEventLoops(1));
        for (int round = 0; round < 6; round++) {
            for (int i = 0; i < 4; i++) {
                assertThat(fixture.get("/x").statusCode()).as("round %d request %d", round, i).isEqualTo(200);
            }
            Thread.sleep(990 + round * 5);
        }
    }

    @Test
    void webSocketsAreProxied() throws Exception {
        fixture.backend("chat", "c1");
        fixture.start("routes:\n  - path: /ws/**\n    service: chat\n");
        WebSocketClient client = fixture.vertx.createWebSocketClient();
        WebSocket socket = client.connect(new WebSocketConnectOptions().setHost("127.0.0.1")
                .setPort(fixture.gateway.port()).setURI("/ws/room")).await(10, TimeUnit.SECONDS);
        CompletableFuture<String> echo = new CompletableFuture<>();
        socket.textMessageHandler(echo::complete);
        socket.writeTextMessage("hello");
        assertThat(echo.get(10, TimeUnit.SECONDS)).isEqualTo("c1:hello");
        socket.close().await(10, TimeUnit.SECONDS);
        client.close();
    }

    @Test
    void rateLimitsLocalAndSharedThroughRedis() throws Exception {
        fixture.backend("users", "a");
        String redisPrefix = "flotilla:test:" + System.nanoTime() + ":";
        fixture.start("""
                routes:
                  - id: local
                    path: /local/**
                    service: users
                    rate-limit: {requests-per-second: 1, burst: 3}
                  - id: shared
                    path: /shared/**
                    service: users
                    rate-limit: {requests-per-second: 1, burst: 4, key: "header:X-Api-Key", shared: true}
                """, new GatewayOptions().setRedisUrl("redis://127.0.0.1:6379").setRedisPrefix(redisPrefix));
        int ok = 0;
        for (int i = 0; i < 6; i++) {
            HttpResponse<String> response = fixture.get("/local/x");
            if (response.statusCode() == 429) {
                assertThat(new JsonObject(response.body()).getString("error")).isEqualTo("rate_limited");
                assertThat(response.headers().firstValue("retry-after")).hasValue("1");
            } else {
                ok++;
            }
        }
        assertThat(ok).isEqualTo(3);

        // A second gateway on the same Redis counts against the same bucket.
        GatewayServer second = GatewayServer.start(fixture.vertx, new GatewayOptions().setPort(0).setAdminPort(0)
                .setRegistryUrl(fixture.registry.url()).setRoutesFile(fixture.routesFile)
                .setRedisUrl("redis://127.0.0.1:6379").setRedisPrefix(redisPrefix)).await(10, TimeUnit.SECONDS);
        try {
            ok = 0;
            for (int i = 0; i < 6; i++) {
                String base = i % 2 == 0 ? fixture.gateway.url() : second.url();
                HttpResponse<String> response = fixture.send(HttpRequest.newBuilder(
                        java.net.URI.create(base + "/shared/x")).header("X-Api-Key", "k1").build());
                ok += response.statusCode() == 200 ? 1 : 0;
            }
            assertThat(ok).isEqualTo(4);
            HttpResponse<String> otherKey = fixture.send(HttpRequest.newBuilder(fixture.uri("/shared/x"))
                    .header("X-Api-Key", "k2").build());
            assertThat(otherKey.statusCode()).isEqualTo(200);
        } finally {
            second.close().await(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void largeBodiesStreamAndOversizedOnesAre413() throws Exception {
        TestBackend backend = fixture.backend("files", "f");
        fixture.start("""
                routes:
                  - path: /upload/**
                    service: files
                    max-body: 1GB
                  - path: /small/**
                    service: files
                    max-body: 1KB
                """);
        long size = 300L << 20;
        HttpResponse<String> big = fixture.send(HttpRequest.newBuilder(fixture.uri("/upload/x"))
                .POST(HttpRequest.BodyPublishers.fromPublisher(
                        HttpRequest.BodyPublishers.ofInputStream(() -> new ZeroStream(size)))).build());
        assertThat(big.statusCode()).isEqualTo(200);
        assertThat(backend.bodyBytes.get()).as(backend.seen.toString()).isEqualTo(size);

        HttpResponse<String> tooBig = fixture.send(HttpRequest.newBuilder(fixture.uri("/small/x"))
                .POST(HttpRequest.BodyPublishers.ofString("x".repeat(2048))).build());
        assertThat(tooBig.statusCode()).isEqualTo(413);
        assertThat(new JsonObject(tooBig.body()).getString("error")).isEqualTo("payload_too_large");

        HttpResponse<String> tooBigChunked = fixture.send(HttpRequest.newBuilder(fixture.uri("/small/x"))
                .POST(HttpRequest.BodyPublishers.fromPublisher(
                        HttpRequest.BodyPublishers.ofInputStream(() -> new ZeroStream(64 << 10)))).build());
        assertThat(tooBigChunked.statusCode()).isEqualTo(413);
        Eventually.await("the gateway still serves", Duration.ofSeconds(5),
                () -> {
                    try {
                        return fixture.get("/upload/x").statusCode() == 200;
                    } catch (Exception e) {
                        return false;
                    }
                });
    }

    /** {@code size} zero bytes, produced on demand so that the test's heap does not hold the body either. */
    private static final class ZeroStream extends InputStream {
        private long left;

        ZeroStream(long size) {
            left = size;
        }

        @Override
        public int read() {
            return left-- > 0 ? 0 : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (left <= 0) {
                return -1;
            }
            int n = (int) Math.min(len, left);
            java.util.Arrays.fill(b, off, off + n, (byte) 0);
            left -= n;
            return n;
        }
    }
}
