package dev.flotilla.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.core.http.HttpFailure;
import dev.flotilla.core.registry.RegistryClient;
import dev.flotilla.core.registry.RegistryClientOptions;
import dev.flotilla.core.resilience.BreakerPolicy;
import dev.flotilla.core.trace.TraceSettings;
import dev.flotilla.testing.Eventually;
import dev.flotilla.testing.TestRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A service in this JVM against a real registry: lifecycle, health, metrics, errors, client resilience. */
class ServiceTest {

    private TestRegistry registry;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeEach
    void start() throws Exception {
        registry = TestRegistry.start();
    }

    @AfterEach
    void stop() throws Exception {
        registry.close();
    }

    private HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String url, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonObject registered(String service) throws Exception {
        return new JsonObject(get(registry.url() + "/v1/services/" + service).body());
    }

    private FlotillaService service(String name) {
        return FlotillaService.named(name, "1.2.0").port(0).registry(registry.url()).eventLoops(1)
                .drainGrace(Duration.ZERO);
    }

    @Test
    void registersUpServesHealthMetricsAndDeregistersOnClose() throws Exception {
        AtomicInteger readyCalls = new AtomicInteger();
        RunningService running = service("hello")
                .routes(router -> router.get("/hello").handler(ctx -> ctx.json(new JsonObject().put("hello", "world"))))
                .readinessCheck("always", ctx -> {
                    readyCalls.incrementAndGet();
                    return Future.succeededFuture();
                })
                .start().await(20, TimeUnit.SECONDS);
        JsonObject instance = registered("hello").getJsonArray("instances").getJsonObject(0);
        assertThat(instance.getString("status")).isEqualTo("UP");
        assertThat(instance.getInteger("port")).isEqualTo(running.port());
        assertThat(instance.getString("version")).isEqualTo("1.2.0");
        assertThat(instance.getString("healthPath")).isEqualTo("/health/ready");

        assertThat(get(running.url() + "/hello").body()).isEqualTo("{\"hello\":\"world\"}");
        assertThat(get(running.url() + "/health/live").statusCode()).isEqualTo(200);
        HttpResponse<String> ready = get(running.url() + "/health/ready");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(ready.body()).getJsonObject("checks").getString("always")).isEqualTo("UP");
        assertThat(readyCalls.get()).isGreaterThan(0);
        assertThat(get(running.url() + "/metrics").body())
                .contains("http_server_requests_seconds_count{method=\"GET\",outcome=\"SUCCESS\",service=\"hello\","
                        + "status=\"200\",uri=\"/hello\"}");

        running.close().await(20, TimeUnit.SECONDS);
        assertThat(registered("hello").getJsonArray("instances", new io.vertx.core.json.JsonArray())).isEmpty();
    }

    @Test
    void aFailingReadinessCheckKeepsTheInstanceStarting() throws Exception {
        AtomicInteger healthy = new AtomicInteger();
        RunningService running = service("picky")
                .readinessCheck("db", ctx -> healthy.get() == 1 ? Future.succeededFuture()
                        : Future.failedFuture("db unreachable"))
                .start().await(20, TimeUnit.SECONDS);
        assertThat(registered("picky").getJsonArray("instances").getJsonObject(0).getString("status"))
                .isEqualTo("STARTING");
        HttpResponse<String> ready = get(running.url() + "/health/ready");
        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(ready.body()).contains("db unreachable");
        healthy.set(1);
        Eventually.await("UP once the check passes", Duration.ofSeconds(5), () -> {
            try {
                return registered("picky").getJsonArray("instances").getJsonObject(0).getString("status")
                        .equals("UP");
            } catch (Exception e) {
                return false;
            }
        });
        running.close().await(20, TimeUnit.SECONDS);
    }

    @Test
    void errorsAreJsonWithoutStackTraces() throws Exception {
        RunningService running = service("errors").routes(router -> {
            router.post("/echo").handler(ctx -> ctx.json(ctx.body().asJsonObject()));
            router.get("/boom").handler(ctx -> {
                throw new IllegalStateException("secret internals");
            });
            router.get("/teapot").handler(ctx -> ctx.fail(new HttpFailure(418, "teapot", "I am a teapot")));
        }).start().await(20, TimeUnit.SECONDS);
        HttpResponse<String> bad = post(running.url() + "/echo", "{\"a\":");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(new JsonObject(bad.body()).getString("error")).isEqualTo("bad_request");
        assertThat(bad.body()).contains("not valid JSON");
        assertThat(post(running.url() + "/echo", "{\"a\":1}").body()).isEqualTo("{\"a\":1}");

        HttpResponse<String> boom = get(running.url() + "/boom");
        assertThat(boom.statusCode()).isEqualTo(500);
        assertThat(new JsonObject(boom.body()).getString("error")).isEqualTo("internal_error");
        assertThat(boom.body()).doesNotContain("secret").doesNotContain("Exception");

        assertThat(get(running.url() + "/teapot").statusCode()).isEqualTo(418);
        HttpResponse<String> missing = get(running.url() + "/missing");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(new JsonObject(missing.body()).getString("error")).isEqualTo("not_found");
        HttpResponse<String> huge = post(running.url() + "/echo", "{\"a\":\"" + "x".repeat(2 << 20) + "\"}");
        assertThat(huge.statusCode()).isEqualTo(413);
        assertThat(new JsonObject(huge.body()).getString("error")).isEqualTo("payload_too_large");
        running.close().await(20, TimeUnit.SECONDS);
    }

    @Test
    void theClientBalancesAndItsBreakerOpensWithAFallback() throws Exception {
        AtomicInteger status = new AtomicInteger(200);
        AtomicInteger hits = new AtomicInteger();
        RunningService a = service("backend").config(new ServiceConfig("127.0.0.1", 0, registry.url(), null,
                "backend-a", null, false, Duration.ofSeconds(5), 1 << 20, Duration.ZERO, TraceSettings.off())).routes(router ->
                router.get("/x").handler(ctx -> {
                    hits.incrementAndGet();
                    ctx.response().setStatusCode(status.get()).end("a");
                })).start().await(20, TimeUnit.SECONDS);
        RunningService b = service("backend").config(new ServiceConfig("127.0.0.1", 0, registry.url(), null,
                "backend-b", null, false, Duration.ofSeconds(5), 1 << 20, Duration.ZERO, TraceSettings.off())).routes(router ->
                router.get("/x").handler(ctx -> {
                    hits.incrementAndGet();
                    ctx.response().setStatusCode(status.get()).end("b");
                })).start().await(20, TimeUnit.SECONDS);

        Vertx vertx = Vertx.vertx();
        RegistryClient registryClient = RegistryClient.create(vertx, new RegistryClientOptions(registry.url()));
        ServiceClient.Options options = new ServiceClient.Options();
        options.breaker = new BreakerPolicy(50, 4, 10_000, 60_000, 1);
        ServiceClient client = ServiceClient.create(vertx, registryClient.watch(null), options);
        java.util.Set<String> answered = new java.util.HashSet<>();
        for (int i = 0; i < 4; i++) {
            ServiceResponse response = client.get("backend", "/x").await(10, TimeUnit.SECONDS);
            assertThat(response.status()).isEqualTo(200);
            answered.add(response.bodyAsString());
        }
        assertThat(answered).containsExactlyInAnyOrder("a", "b");

        status.set(500);
        for (int i = 0; i < 4; i++) {
            assertThat(client.get("backend", "/x").await(10, TimeUnit.SECONDS).status()).isEqualTo(500);
        }
        int before = hits.get();
        ServiceResponse degraded = client.send(ServiceRequest.get("backend", "/x")
                .fallback(e -> ServiceResponse.of(200, "text/plain", Buffer.buffer("cached")))).await(10, TimeUnit.SECONDS);
        assertThat(degraded.bodyAsString()).isEqualTo("cached");
        assertThat(degraded.instance()).isNull();
        assertThat(hits.get()).as("the open breaker sent nothing").isEqualTo(before);
        try {
            client.get("backend", "/x").await(10, TimeUnit.SECONDS);
            throw new AssertionError("expected the open breaker to fail the call");
        } catch (HttpFailure e) {
            assertThat(e.status()).isEqualTo(503);
            assertThat(e.code()).isEqualTo("circuit_open");
        }
        client.close();
        registryClient.close();
        vertx.close().await(10, TimeUnit.SECONDS);
        a.close().await(20, TimeUnit.SECONDS);
        b.close().await(20, TimeUnit.SECONDS);
    }
}
