package dev.flotilla.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.flotilla.realtime.adapter.RedisAdapter;
import dev.flotilla.testing.Eventually;
import dev.flotilla.testing.RedisProcess;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Redis killed and started again (socket.io#4845: nodes that never subscribe again): both instances are
 * subscribed again on their own, say so in their log, and broadcasts cross again.
 */
class RedisRestartTest {

    @Test
    void afterRedisRestartsEveryInstanceSubscribesAgainAndSaysSo() throws Exception {
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        ((Logger) LoggerFactory.getLogger(RedisAdapter.class)).addAppender(log);
        try (RedisProcess redis = RedisProcess.start();
                TestApp a = TestApp.start("a", redis.url(), RealtimeOptions.defaults());
                TestApp b = TestApp.start("b", redis.url(), RealtimeOptions.defaults());
                NodeClients clients = NodeClients.start()) {
            JsonObject websocket = new JsonObject().put("transports", new JsonArray().add("websocket"));
            clients.connect("on-a", a.url(), websocket);
            clients.connect("on-b", b.url(), websocket);
            clients.listen("on-b", "all");

            redis.kill();
            Thread.sleep(1_000);
            redis.restart();
            Eventually.await("both instances log that they subscribed again", Duration.ofSeconds(5), () -> log.list
                    .stream().filter(e -> e.getFormattedMessage().contains("subscribed to Redis again")).count() >= 2);

            clients.emit("on-a", "to-all", "after the restart");
            clients.await("b's client hears a's broadcast", r -> NodeClients.is(r, "event", "on-b"));
            assertThat(clients.heard("on-b", "all").get(0).getValue(0)).isEqualTo("after the restart");
        } finally {
            ((Logger) LoggerFactory.getLogger(RedisAdapter.class)).detachAppender(log);
        }
    }
}
