package dev.flotilla.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LeaseTest {

    private Vertx vertx;
    private String url;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        url = RegistryServer.start(vertx, new RegistryOptions().setPort(0)).await(10, TimeUnit.SECONDS).url();
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    @Test
    void anInstanceWhoseHeartbeatsStopExpiresAndOneThatBeatsStays() throws Exception {
        String body = new JsonObject().put("service", "s").put("version", "1.0.0").put("host", "127.0.0.1")
                .put("port", 1234).put("ttlSeconds", 1).encode();
        Http.put(url + "/v1/instances/silent", body);
        Http.put(url + "/v1/instances/beating", body);
        try (SseStream watch = SseStream.open(url + "/v1/watch", "2")) {
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2500);
            while (System.nanoTime() < end) {
                assertThat(Http.put(url + "/v1/instances/beating/heartbeat", null).status()).isEqualTo(200);
                Thread.sleep(250);
            }
            SseStream.Event expired = watch.next();
            assertThat(expired.type()).isEqualTo("expired");
            assertThat(expired.data().getJsonObject("instance").getString("id")).isEqualTo("silent");
        }
        assertThat(Http.get(url + "/v1/instances/silent").status()).isEqualTo(404);
        assertThat(Http.get(url + "/v1/instances/beating").status()).isEqualTo(200);
        assertThat(Http.put(url + "/v1/instances/silent/heartbeat", null).status()).isEqualTo(404);
    }
}
