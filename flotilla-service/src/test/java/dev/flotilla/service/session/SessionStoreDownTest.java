package dev.flotilla.service.session;

import static org.assertj.core.api.Assertions.assertThat;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import dev.flotilla.service.RunningService;
import dev.flotilla.testing.Eventually;
import dev.flotilla.testing.Ports;
import dev.flotilla.testing.RedisProcess;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * When the store goes away, a request that needs its session gets a 503 in the JSON error format, in
 * bounded time, never a silently empty session; when the store comes back, the service serves again by
 * itself. Redis here is a process of the test's own, so it can be killed and frozen.
 */
class SessionStoreDownTest {

    private RedisProcess redis;
    private RunningService service;

    @BeforeEach
    void start() throws Exception {
        redis = RedisProcess.start();
        service = SessionRoutes.start("a", SessionOptions.defaults().withStoreTimeout(Duration.ofMillis(500)),
                redis.url());
    }

    @AfterEach
    void stop() throws Exception {
        redis.close();
        service.close().await(15, TimeUnit.SECONDS);
    }

    private static void assertUnavailable(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(503);
        JsonObject error = new JsonObject(response.body());
        assertThat(error.getString("error")).isEqualTo("session_store_unavailable");
        assertThat(error.getString("message")).startsWith("the session store cannot be reached");
    }

    @Test
    void aKilledRedisGives503AndTheServiceRecoversWhenItReturns() throws Exception {
        Browser browser = new Browser();
        browser.post(service.url() + "/login", new JsonObject().put("user", "ada"));
        assertThat(browser.json(browser.get(service.url() + "/me")).getString("user")).isEqualTo("ada");

        redis.kill();
        assertUnavailable(browser.get(service.url() + "/me"));
        assertUnavailable(new Browser().post(service.url() + "/login", new JsonObject().put("user", "bob")));

        redis.restart(); // empty: the old session is gone with the old process
        Eventually.await("logins work again", Duration.ofSeconds(10), () -> {
            try {
                return new Browser().post(service.url() + "/login", new JsonObject().put("user", "bob"))
                        .statusCode() == 200;
            } catch (Exception e) {
                return false;
            }
        });
        JsonObject me = browser.json(browser.get(service.url() + "/me"));
        assertThat(me.getString("user")).as("the session did not survive Redis's data").isNull();
    }

    @Test
    void aStoppedMongoDbGives503AndTheServiceRecoversWhenItReturns() throws Exception {
        int port = Ports.free();
        MongoServer mongo = new MongoServer(new MemoryBackend());
        mongo.bind("127.0.0.1", port);
        RunningService onMongo = SessionRoutes.start("m", SessionOptions.defaults()
                .withStoreTimeout(Duration.ofMillis(500)).withStore("mongodb://127.0.0.1:" + port + "/flotilla"),
                redis.url());
        try {
            Browser browser = new Browser();
            browser.post(onMongo.url() + "/login", new JsonObject().put("user", "ada"));
            assertThat(browser.json(browser.get(onMongo.url() + "/me")).getString("user")).isEqualTo("ada");
            mongo.shutdownNow();
            assertUnavailable(browser.get(onMongo.url() + "/me"));

            MongoServer back = new MongoServer(new MemoryBackend());
            back.bind("127.0.0.1", port);
            try {
                Eventually.await("logins work again", Duration.ofSeconds(15), () -> {
                    try {
                        return new Browser().post(onMongo.url() + "/login", new JsonObject().put("user", "bob"))
                                .statusCode() == 200;
                    } catch (Exception e) {
                        return false;
                    }
                });
            } finally {
                back.shutdownNow();
            }
        } finally {
            onMongo.close().await(15, TimeUnit.SECONDS);
        }
    }

    @Test
    void aFrozenRedisGives503WithinTheStoreTimeout() throws Exception {
        Browser browser = new Browser();
        browser.post(service.url() + "/login", new JsonObject().put("user", "ada"));
        redis.freeze();
        try {
            assertUnavailable(browser.get(service.url() + "/me"));
            assertThat(new JsonObject(browser.get(service.url() + "/me").body()).getString("message"))
                    .contains("did not answer within 500 ms");
        } finally {
            redis.thaw();
        }
        Eventually.await("the session is served again", Duration.ofSeconds(10), () -> {
            try {
                return "ada".equals(browser.json(browser.get(service.url() + "/me")).getString("user"));
            } catch (Exception e) {
                return false;
            }
        });
    }
}
