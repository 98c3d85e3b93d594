package dev.flotilla.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.testing.RedisProcess;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Every test of {@link OfficialClientTest} again in Redis Streams mode, and what only this mode promises: a
 * client recovers on another instance, and a Redis killed during a stream of broadcasts loses none of them.
 */
class StreamsClientTest extends OfficialClientTest {

    @Override
    RealtimeOptions.Cluster cluster() {
        return RealtimeOptions.Cluster.STREAMS;
    }

    @Test
    void aClientThatComesBackOnAnotherInstanceRecoversItsIdRoomsAndMissedPackets() {
        JsonObject first = clients.connect("c", a.url(), websocketOnly());
        clients.listen("c", "room-message");
        clients.emitWithAck("c", Duration.ofSeconds(5), "join", "news");
        clients.connect("sender", b.url(), websocketOnly());
        clients.emit("sender", "to-room", "news", "before");
        clients.await("c hears the first", r -> NodeClients.is(r, "event", "c"));

        // The client leaves a and, with the pid and offset the client keeps, comes back on b.
        clients.command(new JsonObject().put("cmd", "move").put("name", "c").put("url", b.url())
                .put("opts", websocketOnly()));
        clients.emit("sender", "to-room", "news", "while you moved");
        JsonObject back = clients.await("c is back on b", r -> NodeClients.is(r, "connect", "c") && r != first);
        assertThat(back.getString("id")).isEqualTo(first.getString("id"));
        clients.await("c gets the packet it missed", r -> NodeClients.is(r, "event", "c")
                && r.getJsonArray("args").getValue(0).equals("while you moved"));
        JsonObject who = clients.emitWithAck("c", Duration.ofSeconds(5), "who").getJsonArray("args").getJsonObject(0);
        assertThat(who.getString("instance")).isEqualTo("b");
        assertThat(who.getBoolean("recovered")).isTrue();
        assertThat(who.getJsonArray("rooms").getList()).contains("news");
        assertThat(clients.heard("c", "room-message")).extracting(args -> args.getValue(0))
                .containsExactly("before", "while you moved");
    }

    @Test
    void aRedisKilledDuringAStreamOfBroadcastsLosesNoneOfThem() throws Exception {
        try (RedisProcess redis = RedisProcess.start();
                TestApp x = TestApp.start("x", redis.url(), RealtimeOptions.defaults().cluster(cluster()));
                TestApp y = TestApp.start("y", redis.url(), RealtimeOptions.defaults().cluster(cluster()))) {
            clients.connect("listener", y.url(), websocketOnly());
            clients.listen("listener", "all");
            AtomicBoolean sending = new AtomicBoolean(true);
            int total = 300;
            Thread sender = new Thread(() -> {
                for (int i = 0; i < total; i++) {
                    x.io.emit("all", i);
                    try {
                        Thread.sleep(10);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                sending.set(false);
            });
            sender.start();
            Thread.sleep(800);
            redis.kill();
            Thread.sleep(1_000);
            redis.restart();
            sender.join();
            clients.await("the last broadcast", Duration.ofSeconds(20), r -> NodeClients.is(r, "event", "listener")
                    && r.getJsonArray("args").getValue(0).equals(total - 1));
            List<Object> heard = clients.heard("listener", "all").stream().map(args -> args.getValue(0)).toList();
            assertThat(heard).as("every broadcast, once, in order")
                    .isEqualTo(IntStream.range(0, total).boxed().toList());
        }
    }
}
