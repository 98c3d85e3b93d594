package dev.flotilla.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Active health checks against real HTTP servers, with the default check settings. */
class HealthCheckTest {

    private Vertx vertx;
    private String url;
    private Backend backend;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        url = RegistryServer.start(vertx, new RegistryOptions().setPort(0)).await(10, TimeUnit.SECONDS).url();
        backend = new Backend(vertx);
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    private void register(String id, String status) {
        JsonObject body = new JsonObject().put("service", "web").put("version", "1.0.0").put("host", "127.0.0.1")
                .put("port", backend.port()).put("healthPath", "/health/" + id).put("status", status);
        assertThat(Http.put(url + "/v1/instances/" + id, body.encode()).status()).isEqualTo(200);
    }

    private String status(String id) {
        return Http.get(url + "/v1/instances/" + id).json().getJsonObject("instance").getString("status");
    }

    @Test
    void failingChecksTakeAnInstanceDownAndPassingOnesBringItBack() throws Exception {
        register("web-1", "UP");
        backend.status.set(500);
        Eventually.await("web-1 DOWN", Duration.ofSeconds(10), () -> status("web-1").equals("DOWN"));
        assertThat(Http.get(url + "/v1/instances/web-1").json().getJsonObject("instance").getString("statusReason"))
                .startsWith("health check failed: HTTP 500");

        backend.status.set(200);
        Eventually.await("web-1 UP again", Duration.ofSeconds(10), () -> status("web-1").equals("UP"));
        assertThat(backend.checkers.get("/health/web-1")).hasSize(1);
    }

    @Test
    void aDeadInstanceGoesDown() throws Exception {
        register("web-1", "UP");
        Eventually.await("a passing check", Duration.ofSeconds(5), () -> backend.hits.get() > 0);
        backend.close();
        Eventually.await("web-1 DOWN", Duration.ofSeconds(10), () -> status("web-1").equals("DOWN"));
    }

    @Test
    void aStartingInstanceComesUpWhenItsCheckPasses() throws Exception {
        register("web-1", "STARTING");
        Eventually.await("web-1 UP", Duration.ofSeconds(10), () -> status("web-1").equals("UP"));
    }

    @Test
    void theCheckerNeverUndoesADownOrDrainingSetByAClient() throws Exception {
        register("web-1", "DOWN");
        register("web-2", "DRAINING");
        int before = backend.hits.get();
        Eventually.await("several checks", Duration.ofSeconds(10), () -> backend.hits.get() >= before + 3);
        assertThat(status("web-1")).isEqualTo("DOWN");
        assertThat(status("web-2")).isEqualTo("DRAINING");
        assertThat(backend.checkers).doesNotContainKey("/health/web-2");
    }
}
