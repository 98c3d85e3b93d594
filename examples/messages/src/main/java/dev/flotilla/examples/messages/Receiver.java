package dev.flotilla.examples.messages;

import dev.flotilla.messaging.ConsumerOptions;
import dev.flotilla.service.FlotillaService;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.LoggerFactory;

/**
 * Seed 000's receiver: takes the messages of the queue {@code hello}, logs each, and shows the last 100 at
 * {@code GET /received}.
 */
public final class Receiver {

    private Receiver() {
    }

    public static void main(String[] args) {
        Deque<JsonObject> received = new ArrayDeque<>();
        AtomicBoolean consuming = new AtomicBoolean();
        FlotillaService.named("receiver", "1.0.0").routes((router, service) -> {
            if (consuming.compareAndSet(false, true)) {
                Queues.open(service).compose(messaging -> messaging.consume(Queues.HELLO, ConsumerOptions.DEFAULTS,
                        message -> {
                            LoggerFactory.getLogger(Receiver.class).info("received {}: {}", message.id(),
                                    message.body().getString("text"));
                            synchronized (received) {
                                received.addFirst(new JsonObject().put("id", message.id())
                                        .put("text", message.body().getString("text")));
                                while (received.size() > 100) {
                                    received.removeLast();
                                }
                            }
                            return Future.succeededFuture();
                        })).onFailure(e -> LoggerFactory.getLogger(Receiver.class)
                        .error("cannot consume the queue {}: {}", Queues.HELLO, e.getMessage()));
            }
            router.get("/received").handler(ctx -> {
                synchronized (received) {
                    ctx.json(new JsonObject().put("received", new JsonArray(received.stream().toList())));
                }
            });
        }).run();
    }
}
