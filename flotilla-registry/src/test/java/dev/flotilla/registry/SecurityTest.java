package dev.flotilla.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SecurityTest {

    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void stop() throws Exception {
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    @Test
    void withATokenEveryWriteNeedsItAndReadsDoNot() throws Exception {
        RegistryServer registry = RegistryServer.start(vertx, new RegistryOptions().setPort(0).setToken("s3cret"))
                .await(10, TimeUnit.SECONDS);
        String instance = registry.url() + "/v1/instances/a-1";
        String body = RegistryApiTest.body("a", "1.0.0", 4000);

        Http.Reply missing = Http.put(instance, body);
        assertThat(missing.status()).isEqualTo(401);
        assertThat(missing.message()).contains("Authorization: Bearer");
        assertThat(Http.put(instance, body, "Authorization", "Bearer wrong").status()).isEqualTo(403);
        assertThat(Http.get(registry.url() + "/v1/services").json().getJsonArray("services")).isEmpty();

        assertThat(Http.put(instance, body, "Authorization", "Bearer s3cret").status()).isEqualTo(200);
        assertThat(Http.put(instance, body, "Authorization", "bearer s3cret").status())
                .as("the scheme is case-insensitive").isEqualTo(200);
        assertThat(Http.put(instance, body, "Authorization", "BEARER s3cret").status()).isEqualTo(200);
        Http.Reply two = Http.put(instance, body, "Authorization", "Bearer s3cret", "Authorization", "Bearer wrong");
        assertThat(two.status()).as("two Authorization headers").isEqualTo(400);
        assertThat(two.message()).contains("more than one Authorization header");
        assertThat(Http.delete(instance).status()).isEqualTo(401);
        assertThat(Http.put(instance + "/status", "{\"status\":\"DOWN\"}").status()).isEqualTo(401);
        assertThat(Http.get(registry.url() + "/v1/services/a").status()).isEqualTo(200);
        assertThat(Http.delete(instance, "Authorization", "Bearer s3cret").status()).isEqualTo(200);
    }

    @Test
    void refusesToListenBeyondLoopbackWithoutAToken() {
        assertThatThrownBy(() -> RegistryServer.start(vertx, new RegistryOptions().setHost("0.0.0.0").setPort(0))
                .await(10, TimeUnit.SECONDS))
                .hasMessageContaining("refusing to listen on 0.0.0.0 without a token");
    }
}
