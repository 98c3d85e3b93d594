package dev.flotilla.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The watch stream: a snapshot, one event per change, and resuming with Last-Event-ID. */
class WatchTest {

    private Vertx vertx;
    private String url;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        url = RegistryServer.start(vertx, new RegistryOptions().setPort(0).setHistorySize(4))
                .await(10, TimeUnit.SECONDS).url();
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    @Test
    void snapshotThenOneEventPerChangeWithRevisions() throws Exception {
        Http.put(url + "/v1/instances/a-1", RegistryApiTest.body("a", "1.0.0", 4001));
        try (SseStream watch = SseStream.open(url + "/v1/watch", null)) {
            SseStream.Event snapshot = watch.next();
            assertThat(snapshot.type()).isEqualTo("snapshot");
            assertThat(snapshot.id()).startsWith("1@");
            assertThat(snapshot.data().getJsonArray("instances")).hasSize(1);

            Http.put(url + "/v1/instances/a-2", RegistryApiTest.body("a", "1.0.0", 4002));
            Http.put(url + "/v1/instances/a-2", RegistryApiTest.body("a", "1.1.0", 4002));
            Http.put(url + "/v1/instances/a-2/status", "{\"status\":\"DRAINING\"}");
            Http.delete(url + "/v1/instances/a-2");

            assertEvent(watch.next(), "registered", 2, "a-2");
            assertEvent(watch.next(), "updated", 3, "a-2");
            SseStream.Event status = watch.next();
            assertEvent(status, "status_changed", 4, "a-2");
            assertThat(status.data().getJsonObject("instance").getString("status")).isEqualTo("DRAINING");
            assertEvent(watch.next(), "deregistered", 5, "a-2");
        }
    }

    @Test
    void resumesWithoutAGapOrFallsBackToASnapshotWhenTheGapIsTooOld() throws Exception {
        String lastSeen;
        try (SseStream watch = SseStream.open(url + "/v1/watch", null)) {
            lastSeen = watch.next().id();
        }
        Http.put(url + "/v1/instances/b-1", RegistryApiTest.body("b", "1.0.0", 4001));
        Http.put(url + "/v1/instances/b-2", RegistryApiTest.body("b", "1.0.0", 4002));

        try (SseStream resumed = SseStream.open(url + "/v1/watch", lastSeen)) {
            assertEvent(resumed.next(), "registered", 1, "b-1");
            assertEvent(resumed.next(), "registered", 2, "b-2");
            assertThat(resumed.next(Duration.ofMillis(300))).isNull();
        }

        for (int i = 3; i <= 8; i++) { // more changes than the registry keeps (history of 4)
            Http.put(url + "/v1/instances/c-" + i, RegistryApiTest.body("c", "1.0.0", 4000 + i));
        }
        try (SseStream tooOld = SseStream.open(url + "/v1/watch", "2")) {
            SseStream.Event snapshot = tooOld.next();
            assertThat(snapshot.type()).isEqualTo("snapshot");
            assertThat(snapshot.id()).startsWith("8@");
            assertThat(snapshot.data().getJsonArray("instances")).hasSize(8);
        }
        try (SseStream upToDate = SseStream.open(url + "/v1/watch", "8")) {
            assertThat(upToDate.next(Duration.ofMillis(300))).as("a bare revision is of this epoch").isNull();
        }
        try (SseStream otherLife = SseStream.open(url + "/v1/watch", "8@0ther")) {
            assertThat(otherLife.next().type()).as("another epoch's revision means nothing here").isEqualTo("snapshot");
        }
    }

    @Test
    void filtersByService() throws Exception {
        try (SseStream watch = SseStream.open(url + "/v1/watch?service=orders", null)) {
            assertThat(watch.next().type()).isEqualTo("snapshot");
            Http.put(url + "/v1/instances/u-1", RegistryApiTest.body("users", "1.0.0", 4001));
            Http.put(url + "/v1/instances/o-1", RegistryApiTest.body("orders", "1.0.0", 4002));
            assertEvent(watch.next(), "registered", 2, "o-1");
        }
    }

    @Test
    void refusesABadLastEventId() {
        Http.Reply reply = Http.get(url + "/v1/watch?since=abc");
        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.json().getString("message")).contains("Last-Event-ID: 'abc'");
    }

    static void assertEvent(SseStream.Event event, String type, long revision, String id) {
        assertThat(event).isNotNull();
        assertThat(event.type()).isEqualTo(type);
        assertThat(event.id()).startsWith(revision + "@");
        JsonObject data = event.data();
        assertThat(data.getLong("revision")).isEqualTo(revision);
        assertThat(data.getJsonObject("instance").getString("id")).isEqualTo(id);
    }
}
