package dev.flotilla.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.registry.RegistryOptions;
import dev.flotilla.registry.RegistryServer;
import dev.flotilla.testing.TestBackend;
import io.vertx.core.Vertx;
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
import org.junit.jupiter.api.Test;

/**
 * A registry that restarts empty (in memory) must not empty the gateways: they keep the instances they
 * know, bounded by each instance's lease, while the instances register again.
 */
class RegistryRestartTest {

    @Test
    void theGatewayKeepsServingWhileInstancesReRegisterAfterARegistryRestart() throws Exception {
        Vertx registryVertx = Vertx.vertx();
        RegistryServer registry = RegistryServer.start(registryVertx, new RegistryOptions().setPort(0))
                .await(10, TimeUnit.SECONDS);
        int port = registry.port();
        String url = registry.url();
        Vertx gatewayVertx = Vertx.vertx();
        Path routes = Files.createTempFile("routes-", ".yaml");
        Files.writeString(routes, "routes:\n  - path: /api/users/**\n    service: users\n");
        List<TestBackend> backends = List.of(TestBackend.register(url, "users", "1.0.0", "r1"),
                TestBackend.register(url, "users", "1.0.0", "r2"));
        GatewayServer gateway = GatewayServer.start(gatewayVertx, new GatewayOptions().setPort(0).setAdminPort(0)
                .setRegistryUrl(url).setRoutesFile(routes)).await(10, TimeUnit.SECONDS);
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest get = HttpRequest.newBuilder(URI.create(gateway.url() + "/api/users/1"))
                .timeout(Duration.ofSeconds(5)).build();
        try {
            assertThat(http.send(get, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);

            registryVertx.close().await(10, TimeUnit.SECONDS);
            registryVertx = Vertx.vertx();
            registry = startOn(registryVertx, port); // empty: a new epoch

            List<Integer> statuses = new ArrayList<>();
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
            while (System.nanoTime() < end) {
                statuses.add(http.send(get, HttpResponse.BodyHandlers.ofString()).statusCode());
                Thread.sleep(25);
            }
            assertThat(statuses).as("every request while the instances re-register").containsOnly(200);
            assertThat(http.send(HttpRequest.newBuilder(URI.create(url + "/v1/services/users")).build(),
                    HttpResponse.BodyHandlers.ofString()).body()).as("they did re-register").contains("r1", "r2");
        } finally {
            gateway.close().await(10, TimeUnit.SECONDS);
            for (TestBackend backend : backends) {
                backend.close();
            }
            gatewayVertx.close().await(10, TimeUnit.SECONDS);
            registryVertx.close().await(10, TimeUnit.SECONDS);
            Files.deleteIfExists(routes);
        }
    }

    private static RegistryServer startOn(Vertx vertx, int port) throws Exception {
        for (int attempt = 0; ; attempt++) {
            try {
                return RegistryServer.start(vertx, new RegistryOptions().setPort(port)).await(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                if (attempt > 50) {
                    throw e;
                }
                Thread.sleep(100); // the old socket may linger a moment
            }
        }
    }
}
