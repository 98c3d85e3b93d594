package dev.flotilla.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two registry processes' worth of registries on one real Redis (localhost:6379): one state, every change
 * pushed to the watchers of both, health checks and expiries done once. Fails when Redis is absent.
 */
class SharedRedisTest {

    static final String REDIS = "redis://127.0.0.1:6379";

    private final List<Vertx> vertxes = new ArrayList<>();
    private String prefix;
    private String a;
    private String b;

    @BeforeEach
    void start() throws Exception {
        prefix = "flotilla-test-" + UUID.randomUUID();
        a = startRegistry();
        b = startRegistry();
    }

    /** Each registry gets its own Vert.x, as it would in its own process. */
    private String startRegistry() throws Exception {
        Vertx vertx = Vertx.vertx();
        vertxes.add(vertx);
        RegistryOptions options = new RegistryOptions().setPort(0).setRedisUrl(REDIS).setRedisPrefix(prefix)
                .setHealthCheck(HealthCheckConfig.custom().interval(Duration.ofMillis(100)).build());
        return RegistryServer.start(vertx, options).await(10, TimeUnit.SECONDS).url();
    }

    @AfterEach
    void stop() throws Exception {
        for (Vertx vertx : vertxes) {
            vertx.close().await(10, TimeUnit.SECONDS);
        }
        deleteKeys();
    }

    private void deleteKeys() throws Exception {
        Vertx cleaner = Vertx.vertx();
        Redis redis = Redis.createClient(cleaner, REDIS);
        Request del = Request.cmd(Command.DEL);
        for (String key : List.of("instances", "modrev", "leases", "revision", "events", "members", "epoch")) {
            del.arg("{" + prefix + "}:" + key);
        }
        redis.send(del).await(10, TimeUnit.SECONDS);
        cleaner.close().await(10, TimeUnit.SECONDS);
    }

    @Test
    void aChangeThroughOneRegistryIsSeenThroughTheOther() throws Exception {
        try (SseStream watchB = SseStream.open(b + "/v1/watch", null)) {
            assertThat(watchB.next().type()).isEqualTo("snapshot");
            assertThat(Http.put(a + "/v1/instances/u-1", RegistryApiTest.body("users", "1.0.0", 3001)).status())
                    .isEqualTo(200);
            WatchTest.assertEvent(watchB.next(), "registered", 1, "u-1");
            assertThat(Http.get(b + "/v1/services/users").json().getJsonArray("instances")).hasSize(1);

            Http.put(b + "/v1/instances/u-1/status", "{\"status\":\"DRAINING\"}");
            WatchTest.assertEvent(watchB.next(), "status_changed", 2, "u-1");
            assertThat(Http.get(a + "/v1/instances/u-1").json().getJsonObject("instance").getString("status"))
                    .isEqualTo("DRAINING");
            assertThat(Http.put(b + "/v1/instances/u-1", RegistryApiTest.body("orders", "1.0.0", 1)).status())
                    .isEqualTo(409);
        }
    }

    @Test
    void aWatcherResumesOnAnotherRegistryWithoutAGap() throws Exception {
        String lastSeen;
        try (SseStream watchA = SseStream.open(a + "/v1/watch", null)) {
            Http.put(a + "/v1/instances/x-1", RegistryApiTest.body("x", "1.0.0", 3001));
            assertThat(watchA.next().type()).isEqualTo("snapshot");
            SseStream.Event first = watchA.next();
            lastSeen = first.id();
        }
        Http.put(a + "/v1/instances/x-2", RegistryApiTest.body("x", "1.0.0", 3002));
        Http.put(b + "/v1/instances/x-3", RegistryApiTest.body("x", "1.0.0", 3003));
        Eventually.await("b caught up", Duration.ofSeconds(5),
                () -> Http.get(b + "/v1/services").json().getLong("revision") == 3);
        try (SseStream watchB = SseStream.open(b + "/v1/watch", lastSeen)) {
            WatchTest.assertEvent(watchB.next(), "registered", 2, "x-2");
            WatchTest.assertEvent(watchB.next(), "registered", 3, "x-3");
        }
    }

    @Test
    void eachInstanceIsHealthCheckedByOneRegistryOnly() throws Exception {
        try (Backend backend = new Backend(vertxes.get(0))) {
            for (int i = 0; i < 12; i++) {
                JsonObject body = new JsonObject().put("service", "web").put("version", "1.0.0")
                        .put("host", "127.0.0.1").put("port", backend.port()).put("healthPath", "/h/" + i);
                Http.put(a + "/v1/instances/web-" + i, body.encode());
            }
            Thread.sleep(1500); // both registries see each other through Redis (membership refreshes every second)
            backend.checkers.clear();
            Eventually.await("every instance checked several times", Duration.ofSeconds(10),
                    () -> backend.checkers.size() == 12 && backend.hits.get() > 12 * 8);
            Set<String> registriesSeen = new java.util.HashSet<>();
            backend.checkers.forEach((path, registries) -> {
                assertThat(registries).as("registries checking " + path).hasSize(1);
                registriesSeen.addAll(registries);
            });
            assertThat(registriesSeen).as("the work is shared").hasSize(2);
        }
    }

    @Test
    void registriesStartOverWhenRedisLosesTheirState() throws Exception {
        Http.put(a + "/v1/instances/old-1", RegistryApiTest.body("old", "1.0.0", 3001));
        Eventually.await("b sees old-1", Duration.ofSeconds(5), () -> Http.get(b + "/v1/instances/old-1").status() == 200);
        try (SseStream watchB = SseStream.open(b + "/v1/watch", null)) {
            String before = watchB.next().id();
            deleteKeys(); // as if Redis had been flushed or failed over to an empty replica

            Http.put(a + "/v1/instances/new-1", RegistryApiTest.body("new", "1.0.0", 3002));
            Eventually.await("b starts over", Duration.ofSeconds(10),
                    () -> Http.get(b + "/v1/instances/new-1").status() == 200
                            && Http.get(b + "/v1/instances/old-1").status() == 404);
            assertThat(watchB.next(Duration.ofSeconds(2))).as("the old stream is closed, not continued").isNull();
            try (SseStream resumed = SseStream.open(b + "/v1/watch", before)) {
                SseStream.Event snapshot = resumed.next();
                assertThat(snapshot.type()).isEqualTo("snapshot");
                assertThat(snapshot.id()).isNotEqualTo(before);
                assertThat(snapshot.data().getJsonArray("instances")).hasSize(1);
            }
        }
    }

    @Test
    void anExpiryHappensOnceThoughBothRegistriesReap() throws Exception {
        String body = new JsonObject().put("service", "s").put("version", "1.0.0").put("host", "127.0.0.1")
                .put("port", 1).put("ttlSeconds", 1).encode();
        try (SseStream watchA = SseStream.open(a + "/v1/watch", "0"); SseStream watchB = SseStream.open(b + "/v1/watch", "0")) {
            Http.put(a + "/v1/instances/short", body);
            for (SseStream watch : List.of(watchA, watchB)) {
                WatchTest.assertEvent(watch.next(), "registered", 1, "short");
                WatchTest.assertEvent(watch.next(), "expired", 2, "short");
                assertThat(watch.next(Duration.ofMillis(500))).isNull();
            }
        }
    }
}
