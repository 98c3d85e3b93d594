package dev.flotilla.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.testing.Eventually;
import dev.flotilla.testing.Ports;
import dev.flotilla.testing.TestRegistry;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Prometheus (Debian's {@code prometheus} package) finds a service through the registry's HTTP
 * service discovery and scrapes it, and {@code promtool check metrics} accepts what the service and the
 * registry serve on {@code /metrics}.
 */
class PrometheusScrapeTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    @TempDir
    Path dir;

    private static String get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void prometheusDiscoversTheFleetThroughTheRegistryAndScrapesIt() throws Exception {
        try (TestRegistry registry = TestRegistry.start()) {
            RunningService service = FlotillaService.named("scraped", "1.4.0").port(0).registry(registry.url())
                    .eventLoops(1).drainGrace(Duration.ZERO).start().await(20, TimeUnit.SECONDS);
            int port = Ports.free();
            Path config = dir.resolve("prometheus.yml");
            Files.writeString(config, """
                    global: {scrape_interval: 1s, evaluation_interval: 1s}
                    scrape_configs:
                      - job_name: flotilla
                        http_sd_configs:
                          - url: %s/v1/prometheus/targets
                            refresh_interval: 1s
                    """.formatted(registry.url()));
            Process prometheus = new ProcessBuilder("prometheus", "--config.file=" + config,
                    "--web.listen-address=127.0.0.1:" + port, "--storage.tsdb.path=" + dir.resolve("data"))
                    .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
            try {
                String query = "http://127.0.0.1:" + port + "/api/v1/query?query="
                        + URLEncoder.encode("up{service=\"scraped\"}", StandardCharsets.UTF_8);
                JsonObject[] sample = new JsonObject[1];
                Eventually.await("Prometheus scrapes the service (log " + dir.resolve("prometheus.log") + ")",
                        Duration.ofSeconds(30), () -> {
                            try {
                                JsonArray result = new JsonObject(get(query)).getJsonObject("data")
                                        .getJsonArray("result");
                                if (result.isEmpty()) {
                                    return false;
                                }
                                sample[0] = result.getJsonObject(0);
                                return sample[0].getJsonArray("value").getString(1).equals("1");
                            } catch (Exception notYet) {
                                return false;
                            }
                        });
                JsonObject labels = sample[0].getJsonObject("metric");
                assertThat(labels.getString("version")).isEqualTo("1.4.0");
                assertThat(labels.getString("instance")).isEqualTo(service.instanceId());
                assertThat(labels.getString("job")).isEqualTo("flotilla");
                promtoolAccepts(get(service.url() + "/metrics"), "the service's /metrics");
                promtoolAccepts(get(registry.url() + "/metrics"), "the registry's /metrics");
            } finally {
                prometheus.destroy();
                prometheus.waitFor(10, TimeUnit.SECONDS);
                service.close().await(10, TimeUnit.SECONDS);
            }
        }
    }

    private void promtoolAccepts(String metrics, String what) throws Exception {
        Path file = Files.writeString(dir.resolve("metrics.txt"), metrics);
        Process promtool = new ProcessBuilder("promtool", "check", "metrics").redirectInput(file.toFile())
                .redirectErrorStream(true).start();
        String output = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(promtool.waitFor()).as(what + ": " + output).isZero();
    }
}
