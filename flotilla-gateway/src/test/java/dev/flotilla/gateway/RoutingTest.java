package dev.flotilla.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.core.registry.InstanceStatus;
import dev.flotilla.testing.Eventually;
import dev.flotilla.testing.TestBackend;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Routing and load balancing through a real gateway, registry and backends. */
class RoutingTest {

    private GatewayFixture fixture;

    @BeforeEach
    void start() throws Exception {
        fixture = new GatewayFixture();
    }

    @AfterEach
    void stop() throws Exception {
        fixture.close();
    }

    private Map<String, Integer> spread(String path, int requests) throws Exception {
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < requests; i++) {
            HttpResponse<String> response = fixture.get(path);
            assertThat(response.statusCode()).isEqualTo(200);
            counts.merge(response.body(), 1, Integer::sum);
        }
        return counts;
    }

    @Test
    void roundRobinSpreadsEvenlyAndWeightedFollowsWeights() throws Exception {
        fixture.backend("users", "1.0.0", "a", 3, 0);
        fixture.backend("users", "1.0.0", "b", 1, 0);
        fixture.start("""
                routes:
                  - path: /rr/**
                    service: users
                  - path: /weighted/**
                    service: users
                    load-balancer: weighted-round-robin
                """);
        assertThat(spread("/rr/x", 100)).containsOnly(Map.entry("a", 50), Map.entry("b", 50));
        assertThat(spread("/weighted/x", 100)).containsOnly(Map.entry("a", 75), Map.entry("b", 25));
    }

    @Test
    void leastRequestsSendsLessToTheSlowInstance() throws Exception {
        fixture.backend("users", "fast").delayMs.set(5);
        fixture.backend("users", "slow").delayMs.set(300);
        fixture.start("routes:\n  - path: /**\n    service: users\n    load-balancer: least-requests\n");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<String>> answers = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                answers.add(pool.submit(() -> fixture.get("/x").body()));
            }
            Map<String, Integer> counts = new HashMap<>();
            for (Future<String> answer : answers) {
                counts.merge(answer.get(), 1, Integer::sum);
            }
            assertThat(counts.getOrDefault("slow", 0)).isLessThan(counts.get("fast") / 3);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void consistentHashKeepsAKeyOnOneInstance() throws Exception {
        for (String id : new String[] {"a", "b", "c"}) {
            fixture.backend("users", id);
        }
        fixture.start("routes:\n  - path: /**\n    service: users\n    load-balancer: consistent-hash\n"
                + "    hash-on: cookie:sid\n");
        Map<String, Integer> owners = new HashMap<>();
        for (int key = 0; key < 30; key++) {
            String first = null;
            for (int i = 0; i < 5; i++) {
                String owner = fixture.send(HttpRequest.newBuilder(fixture.uri("/x"))
                        .header("Cookie", "theme=dark; sid=user-" + key).build()).body();
                first = first == null ? owner : first;
                assertThat(owner).isEqualTo(first);
            }
            owners.merge(first, 1, Integer::sum);
        }
        assertThat(owners).containsOnlyKeys("a", "b", "c");
    }

    @Test
    void aStickyCookiePinsAClientToTheInstanceThatFirstAnsweredIt() throws Exception {
        Map<String, TestBackend> backends = new HashMap<>();
        for (String id : new String[] {"chat-a", "chat-b", "chat-c"}) {
            backends.put(id, fixture.backend("chat", id));
        }
        fixture.start("routes:\n  - path: /**\n    service: chat\n    sticky-cookie: chat-node\n");
        HttpResponse<String> first = fixture.get("/socket.io/");
        String cookie = first.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(cookie).matches("chat-node=[0-9a-f]{16}; Path=/; HttpOnly; SameSite=Lax");
        assertThat(cookie).doesNotContain(first.body()); // the instance's name does not leak
        String pinned = cookie.substring(0, cookie.indexOf(';'));
        for (int i = 0; i < 10; i++) {
            HttpResponse<String> next = fixture.send(HttpRequest.newBuilder(fixture.uri("/socket.io/"))
                    .header("Cookie", "theme=dark; " + pinned).build());
            assertThat(next.body()).as("pinned").isEqualTo(first.body());
            assertThat(next.headers().firstValue("Set-Cookie")).as("no new cookie while pinned").isEmpty();
        }
        // The pinned instance goes away: the client is moved, and the cookie follows it.
        backends.get(first.body()).close();
        HttpResponse<String> moved = null;
        for (int i = 0; i < 50 && (moved == null || moved.statusCode() != 200); i++) {
            moved = fixture.send(HttpRequest.newBuilder(fixture.uri("/socket.io/")).header("Cookie", pinned).build());
        }
        assertThat(moved.statusCode()).isEqualTo(200);
        assertThat(moved.body()).isNotEqualTo(first.body());
        assertThat(moved.headers().firstValue("Set-Cookie").orElseThrow()).startsWith("chat-node=")
                .doesNotContain(pinned);
    }

    @Test
    void mostSpecificRouteWinsAndPathsAreRewritten() throws Exception {
        TestBackend users = fixture.backend("users", "users-1");
        TestBackend admin = fixture.backend("admin", "admin-1");
        TestBackend v2 = fixture.backend("users", "2.0.0", "users-2", 1, 0);
        fixture.start("""
                routes:
                  - path: /api/**
                    service: users
                    version: ^1
                    strip-prefix: true
                  - path: /api/admin/**
                    service: admin
                    rewrite: /internal
                  - path: /v2/users/**
                    service: users
                    version: ">=2"
                  - path: /exact
                    service: admin
                    methods: [POST]
                """);
        assertThat(fixture.get("/api/users/7?x=1").body()).isEqualTo("users-1");
        assertThat(users.seen.get(0).uri()).isEqualTo("/users/7?x=1");
        assertThat(fixture.get("/api/admin/stats").body()).isEqualTo("admin-1");
        assertThat(admin.seen.get(0).uri()).isEqualTo("/internal/stats");
        assertThat(fixture.get("/v2/users/1").body()).isEqualTo("users-2");
        assertThat(v2.seen.get(0).uri()).isEqualTo("/v2/users/1");
        assertThat(fixture.get("/api").body()).isEqualTo("users-1");
        assertThat(users.seen.get(1).uri()).isEqualTo("/");

        HttpResponse<String> notFound = fixture.get("/nothing/here");
        assertThat(notFound.statusCode()).isEqualTo(404);
        assertThat(new JsonObject(notFound.body()).getString("error")).isEqualTo("no_route");
        assertThat(notFound.headers().firstValue("content-type")).hasValue("application/json");

        HttpResponse<String> wrongMethod = fixture.get("/exact");
        assertThat(wrongMethod.statusCode()).isEqualTo(405);
        assertThat(wrongMethod.headers().firstValue("allow")).hasValue("POST");
    }

    @Test
    void forwardingHeadersTraceparentAndHeaderRules() throws Exception {
        TestBackend backend = fixture.backend("users", "a");
        fixture.start("""
                routes:
                  - path: /**
                    service: users
                    request-headers:
                      add: {X-Team: blue}
                      remove: [X-Secret]
                    response-headers:
                      add: {X-Served-By: flotilla}
                      remove: [X-Instance]
                """);
        String trace = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        HttpResponse<String> response = fixture.send(HttpRequest.newBuilder(fixture.uri("/hello"))
                .header("X-Secret", "s3cr3t").header("traceparent", trace)
                .header("X-Forwarded-For", "10.0.0.1").build());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("x-served-by")).hasValue("flotilla");
        assertThat(response.headers().firstValue("x-instance")).isEmpty();
        var seen = backend.seen.get(0).headers();
        assertThat(seen.get("X-Team")).isEqualTo("blue");
        assertThat(seen.contains("X-Secret")).isFalse();
        assertThat(seen.get("X-Forwarded-For")).isEqualTo("10.0.0.1, 127.0.0.1");
        assertThat(seen.get("X-Forwarded-Proto")).isEqualTo("http");
        assertThat(seen.get("X-Forwarded-Host")).isEqualTo("127.0.0.1:" + fixture.gateway.port());
        assertThat(backend.seen.get(0).authority()).isEqualTo("127.0.0.1:" + backend.port());
        // One traceparent: the client's trace, with the gateway's request span as the parent.
        assertThat(seen.getAll("traceparent")).hasSize(1);
        assertThat(seen.get("traceparent")).matches("00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01")
                .isNotEqualTo(trace);
        String parentId = seen.get("traceparent").substring(36, 52);
        Eventually.await("the gateway's span exported", Duration.ofSeconds(5),
                () -> fixture.spans.getFinishedSpanItems().size() == 1);
        SpanData server = fixture.spans.getFinishedSpanItems().get(0);
        assertThat(server.getKind()).isEqualTo(SpanKind.SERVER);
        assertThat(server.getName()).isEqualTo("GET /**");
        assertThat(server.getParentSpanId()).isEqualTo("00f067aa0ba902b7");
        assertThat(server.getAttributes().get(AttributeKey.stringKey("http.route"))).isEqualTo("/**");
        // Vert.x records its HTTP attributes as strings.
        assertThat(server.getAttributes().get(AttributeKey.stringKey("http.response.status_code"))).isEqualTo("200");
        assertThat(server.getSpanId()).isEqualTo(parentId);

        fixture.get("/again");
        assertThat(backend.seen.get(1).headers().get("traceparent")).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-0[0-9a-f]")
                .doesNotContain("4bf92f3577b34da6a3ce929d0e0e4736");
    }

    @Test
    void anAnswerTheGatewayGivesForAFailureMarksItsSpanFailed() throws Exception {
        fixture.start("routes:\n  - path: /**\n    service: nobody\n");
        assertThat(fixture.get("/x").statusCode()).isEqualTo(503);
        Eventually.await("the gateway's span exported", Duration.ofSeconds(5),
                () -> fixture.spans.getFinishedSpanItems().size() == 1);
        SpanData span = fixture.spans.getFinishedSpanItems().get(0);
        assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(span.getStatus().getDescription()).isEqualTo("no_healthy_instance: no healthy instance of 'nobody'");
    }

    @Test
    void instancesJoinAndLeaveWithTheirRegistryStatus() throws Exception {
        TestBackend a = fixture.backend("users", "a");
        fixture.start("routes:\n  - path: /**\n    service: users\n");
        assertThat(spread("/x", 4)).containsOnlyKeys("a");

        TestBackend b = fixture.backend("users", "b");
        Eventually.await("b takes traffic", Duration.ofSeconds(5), () -> {
            try {
                return fixture.get("/x").body().equals("b") || fixture.get("/x").body().equals("b");
            } catch (Exception e) {
                return false;
            }
        });
        b.setStatus(InstanceStatus.DRAINING);
        Thread.sleep(200);
        int before = b.hits.get();
        assertThat(spread("/x", 20)).containsOnlyKeys("a");
        assertThat(b.hits.get()).isEqualTo(before);

        a.deregister();
        Thread.sleep(200);
        HttpResponse<String> none = fixture.get("/x");
        assertThat(none.statusCode()).isEqualTo(503);
        assertThat(new JsonObject(none.body()).getString("error")).isEqualTo("no_healthy_instance");
    }

    @Test
    void corsPreflightAndResponses() throws Exception {
        fixture.backend("users", "a");
        fixture.start("""
                routes:
                  - path: /**
                    service: users
                    cors:
                      allow-origins: [https://app.example]
                      allow-credentials: true
                      expose-headers: [X-Instance]
                """);
        HttpResponse<String> preflight = fixture.send(HttpRequest.newBuilder(fixture.uri("/x"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "https://app.example").header("Access-Control-Request-Method", "PUT").build());
        assertThat(preflight.statusCode()).isEqualTo(204);
        assertThat(preflight.headers().firstValue("access-control-allow-origin")).hasValue("https://app.example");
        assertThat(preflight.headers().firstValue("access-control-allow-methods").orElseThrow()).contains("PUT");
        assertThat(fixture.backends.get(0).hits.get()).isZero();

        HttpResponse<String> actual = fixture.send(HttpRequest.newBuilder(fixture.uri("/x"))
                .header("Origin", "https://app.example").build());
        assertThat(actual.headers().firstValue("access-control-allow-credentials")).hasValue("true");
        assertThat(actual.headers().firstValue("access-control-expose-headers")).hasValue("X-Instance");

        HttpResponse<String> evil = fixture.send(HttpRequest.newBuilder(fixture.uri("/x"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "https://evil.example").header("Access-Control-Request-Method", "GET").build());
        assertThat(evil.statusCode()).isEqualTo(403);
    }

    @Test
    void routesReloadWhenTheFileChangesAndABadFileIsRefused() throws Exception {
        fixture.backend("users", "u");
        fixture.backend("orders", "o");
        fixture.start("routes:\n  - path: /**\n    service: users\n");
        assertThat(fixture.get("/x").body()).isEqualTo("u");

        Files.writeString(fixture.routesFile, "routes:\n  - path: /**\n    service: orders\n");
        Eventually.await("the new route", Duration.ofSeconds(5), () -> {
            try {
                return fixture.get("/x").body().equals("o");
            } catch (Exception e) {
                return false;
            }
        });

        Files.writeString(fixture.routesFile, "routes:\n  - path: /**\n    service: orders\n    timeout: soon\n");
        Eventually.await("the refusal", Duration.ofSeconds(5), () -> {
            try {
                return fixture.admin("/admin/routes").getString("lastReloadError") != null;
            } catch (Exception e) {
                return false;
            }
        });
        assertThat(fixture.admin("/admin/routes").getString("lastReloadError"))
                .contains(fixture.routesFile.toString() + ":4: routes[0].timeout: 'soon' is not a duration");
        assertThat(fixture.get("/x").body()).isEqualTo("o");
    }

    @Test
    void adminPagesAndMetrics() throws Exception {
        fixture.backend("users", "a");
        fixture.start("routes:\n  - id: users\n    path: /**\n    service: users\n    breaker: {}\n");
        fixture.get("/x");
        JsonObject upstreams = fixture.admin("/admin/upstreams");
        JsonObject instance = upstreams.getJsonArray("upstreams").getJsonObject(0)
                .getJsonArray("instances").getJsonObject(0);
        assertThat(instance.getString("id")).isEqualTo("a");
        assertThat(instance.getString("state")).isEqualTo("serving");
        assertThat(instance.getLong("requests")).isEqualTo(1);
        assertThat(upstreams.getJsonObject("breakers").getJsonObject("users").getString("state")).isEqualTo("closed");
        assertThat(fixture.admin("/admin/routes").getJsonArray("routes").getJsonObject(0).getInteger("instances"))
                .isEqualTo(1);
        String metrics = fixture.adminText("/metrics");
        assertThat(metrics).contains("flotilla_gateway_requests_seconds_count{route=\"users\",service=\"users\","
                + "status=\"2xx\"} 1");
        assertThat(metrics).contains("flotilla_gateway_upstream_requests_total{instance=\"a\",service=\"users\"} 1.0");
        assertThat(metrics).contains("flotilla_gateway_requests_seconds_bucket");
        // Prometheus's own checker (Debian's prometheus package) accepts the names and the format.
        Process promtool = new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
        promtool.getOutputStream().write(metrics.getBytes(StandardCharsets.UTF_8));
        promtool.getOutputStream().close();
        String verdict = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(promtool.waitFor()).as(verdict).isZero();
    }
}
