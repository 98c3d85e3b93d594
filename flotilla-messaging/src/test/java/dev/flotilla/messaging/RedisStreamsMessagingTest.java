package dev.flotilla.messaging;

import dev.flotilla.messaging.redis.RedisStreamsMessaging;
import dev.flotilla.testing.Eventually;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract on Redis Streams, in the real Redis (localhost:6379), and what only this transport must do
 * itself: take over the pending deliveries of a consumer that died.
 */
class RedisStreamsMessagingTest extends MessagingContractTest {

    private static final String REDIS = "redis://127.0.0.1:6379";
    private Vertx inspector;
    private Redis redis;

    @BeforeEach
    void inspect() {
        inspector = Vertx.vertx();
        redis = Redis.createClient(inspector, REDIS);
    }

    @Override
    Messaging open(Vertx vertx, Deduplication deduplication) throws Exception {
        return RedisStreamsMessaging.connect(vertx, REDIS, deduplication, 64 * 1024).await(10, TimeUnit.SECONDS);
    }

    private String key(String queue) {
        return "flotilla:queue:" + queue;
    }

    @Override
    void publishRaw(String queue, String body, String id) throws Exception {
        redis.send(Request.cmd(Command.XADD).arg(key(queue)).arg("*").arg("id").arg(id).arg("body").arg(body)
                .arg("headers").arg("{}").arg("attempt").arg(1)).await(10, TimeUnit.SECONDS);
    }

    @Override
    long depth(String queue) throws Exception {
        return redis.send(Request.cmd(Command.XLEN).arg(key(queue))).await(10, TimeUnit.SECONDS).toLong()
                + redis.send(Request.cmd(Command.ZCARD).arg(key(queue) + ":delayed")).await(10, TimeUnit.SECONDS)
                        .toLong();
    }

    @Override
    long deadLetterCount(String queue) throws Exception {
        return redis.send(Request.cmd(Command.XLEN).arg(key(queue) + ":dead-letters")).await(10, TimeUnit.SECONDS)
                .toLong();
    }

    @Test
    void aMessageWhoseConsumerDiedIsClaimedAndHandledByAnother() throws Exception {
        Vertx dying = Vertx.vertx();
        Messaging first = open(dying, null);
        List<String> taken = new CopyOnWriteArrayList<>();
        ConsumerOptions options = ConsumerOptions.DEFAULTS.withHandlerTimeout(Duration.ofSeconds(1));
        first.consume(queue, options, message -> {
            taken.add(message.id());
            return Promise.<Void>promise().future(); // never answers: the process dies first
        }).await(10, TimeUnit.SECONDS);
        String id = messaging.publish(queue, new JsonObject().put("job", 1)).await(10, TimeUnit.SECONDS);
        Eventually.await("the first consumer has it", Duration.ofSeconds(5), () -> taken.contains(id));
        dying.close().await(10, TimeUnit.SECONDS); // no acknowledgement, no retry: it stays pending

        List<Message> handled = new CopyOnWriteArrayList<>();
        messaging.consume(queue, options, message -> {
            handled.add(message);
            return Future.succeededFuture();
        }).await(10, TimeUnit.SECONDS);
        Eventually.await("another consumer claims it once it has been pending too long", Duration.ofSeconds(20),
                () -> handled.stream().anyMatch(m -> m.id().equals(id)));
    }

    @Override
    void cleanup(String queue) throws Exception {
        redis.send(Request.cmd(Command.DEL).arg(key(queue)).arg(key(queue) + ":delayed")
                .arg(key(queue) + ":dead-letters")).await(10, TimeUnit.SECONDS);
        inspector.close().await(10, TimeUnit.SECONDS); // cleanup is the last step of every test
    }
}
