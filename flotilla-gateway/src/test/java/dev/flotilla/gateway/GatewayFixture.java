package dev.flotilla.gateway;

import dev.flotilla.core.trace.TraceSettings;
import dev.flotilla.core.trace.Tracing;
import dev.flotilla.testing.TestBackend;
import dev.flotilla.testing.TestRegistry;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A real registry, real backends and a real gateway on free ports, closed together. */
final class GatewayFixture implements AutoCloseable {

    final TestRegistry registry;
    /** The gateway's finished spans. */
    final InMemorySpanExporter spans = InMemorySpanExporter.create();
    /** Traced as in a fleet: the gateway starts or continues each request's trace. */
    final Vertx vertx = Tracing.create(new TraceSettings(true, null, null, 1), "gateway", "test", "gateway", spans)
            .vertx(new VertxOptions());
    final List<TestBackend> backends = new ArrayList<>();
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    final Path routesFile;
    GatewayServer gateway;

    GatewayFixture() throws Exception {
        registry = TestRegistry.start();
        routesFile = Files.createTempFile("routes-", ".yaml");
    }

    TestBackend backend(String service, String id) throws Exception {
        return backend(service, "1.0.0", id, 1, 0);
    }

    TestBackend backend(String service, String version, String id, int weight, int idleTimeoutSeconds)
            throws Exception {
        TestBackend backend = TestBackend.register(registry.url(), service, version, id, weight, idleTimeoutSeconds);
        backends.add(backend);
        return backend;
    }

    GatewayServer start(String routesYaml) throws Exception {
        return start(routesYaml, new GatewayOptions());
    }

    GatewayServer start(String routesYaml, GatewayOptions options) throws Exception {
        Files.writeString(routesFile, routesYaml);
        options.setPort(0).setAdminPort(0).setRegistryUrl(registry.url()).setRoutesFile(routesFile)
                .setRoutesCheckMs(100);
        gateway = GatewayServer.start(vertx, options).await(20, TimeUnit.SECONDS);
        return gateway;
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10)).build());
    }

    HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    URI uri(String path) {
        return URI.create(gateway.url() + path);
    }

    JsonObject admin(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + gateway.adminPort() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        return new JsonObject(response.body());
    }

    String adminText(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.adminPort() + path)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    @Override
    public void close() throws Exception {
        if (gateway != null) {
            gateway.close().await(10, TimeUnit.SECONDS);
        }
        for (TestBackend backend : backends) {
            backend.close();
        }
        vertx.close().await(10, TimeUnit.SECONDS);
        registry.close();
        Files.deleteIfExists(routesFile);
    }
}
