package dev.flotilla.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.core.registry.RegistryClient;
import dev.flotilla.core.registry.RegistryClientOptions;
import dev.flotilla.testing.Eventually;
import dev.flotilla.testing.JavaProcess;
import dev.flotilla.testing.Ports;
import dev.flotilla.testing.TestRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Services as separate processes, the way the supervisor runs them. */
class ServiceProcessTest {

    private TestRegistry registry;
    private final List<JavaProcess> processes = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeEach
    void start() throws Exception {
        registry = TestRegistry.start();
    }

    @AfterEach
    void stop() throws Exception {
        for (JavaProcess process : processes) {
            process.close();
        }
        registry.close();
    }


    private JavaProcess service(int port, String id, boolean reusePort) throws Exception {
        JavaProcess process = JavaProcess.start(Map.of("PORT", Integer.toString(port), "FLOTILLA_REGISTRY",
                registry.url(), "FLOTILLA_INSTANCE", id, "FLOTILLA_REUSE_PORT", Boolean.toString(reusePort),
                "FLOTILLA_DRAIN_GRACE", "500"),
                TestServiceMain.class);
        processes.add(process);
        return process;
    }

    private JsonArray instances() throws Exception {
        String body = http.send(HttpRequest.newBuilder(URI.create(registry.url() + "/v1/services/probe")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        return new JsonObject(body).getJsonArray("instances", new JsonArray());
    }

    private void awaitUp(int count) throws Exception {
        Eventually.await(count + " instances UP", Duration.ofSeconds(30), () -> {
            try {
                JsonArray list = instances();
                return list.stream().filter(i -> ((JsonObject) i).getString("status").equals("UP")).count() == count;
            } catch (Exception e) {
                return false;
            }
        });
    }

    private HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void sigtermDrainsRequestsInFlightThenExitsZero() throws Exception {
        int port = Ports.free();
        JavaProcess process = service(port, "probe-1", false);
        awaitUp(1);
        List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            inFlight.add(http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/slow"))
                    .build(), HttpResponse.BodyHandlers.ofString()));
        }
        Thread.sleep(300);
        process.signal("TERM");
        for (CompletableFuture<HttpResponse<String>> request : inFlight) {
            HttpResponse<String> response = request.get(10, TimeUnit.SECONDS);
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("slow done");
        }
        assertThat(process.waitFor(Duration.ofSeconds(15))).isZero();
        assertThat(instances()).isEmpty();
    }

    @Test
    void twoProcessesShareOnePort() throws Exception {
        int port = Ports.free();
        service(port, "probe-1", true);
        service(port, "probe-2", true);
        awaitUp(2);
        Set<String> answered = new HashSet<>();
        for (int i = 0; i < 60 && answered.size() < 2; i++) {
            // A new client, so a new connection, each time: the kernel spreads connections over the processes.
            HttpClient fresh = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            answered.add(fresh.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/whoami"))
                    .build(), HttpResponse.BodyHandlers.ofString()).body());
        }
        assertThat(answered).containsExactlyInAnyOrder("probe-1", "probe-2");
    }

    @Test
    void theClientFailsOverWhenAnInstanceIsKilled() throws Exception {
        service(Ports.free(), "probe-1", false);
        JavaProcess victim = service(Ports.free(), "probe-2", false);
        awaitUp(2);
        Vertx vertx = Vertx.vertx();
        RegistryClient registryClient = RegistryClient.create(vertx, new RegistryClientOptions(registry.url()));
        ServiceClient client = ServiceClient.create(vertx, registryClient.watch(null), null);
        try {
            Set<String> before = new HashSet<>();
            for (int i = 0; i < 10; i++) {
                before.add(client.get("probe", "/whoami").await(10, TimeUnit.SECONDS).bodyAsString());
            }
            assertThat(before).containsExactlyInAnyOrder("probe-1", "probe-2");
            victim.signal("KILL");
            for (int i = 0; i < 50; i++) {
                ServiceResponse response = client.get("probe", "/whoami").await(10, TimeUnit.SECONDS);
                assertThat(response.status()).as("call %d after the kill", i).isEqualTo(200);
                assertThat(response.bodyAsString()).isEqualTo("probe-1");
            }
        } finally {
            client.close();
            registryClient.close();
            vertx.close().await(10, TimeUnit.SECONDS);
        }
    }
}
