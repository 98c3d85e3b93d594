package dev.flotilla.examples.messages;

import dev.flotilla.core.http.HttpFailure;
import dev.flotilla.messaging.Messaging;
import dev.flotilla.service.FlotillaService;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Seed 000's sender: {@code POST /send {"text": T}} puts the text on the queue {@code hello} and answers 202
 * with the message id once RabbitMQ has confirmed it (a 503 when it cannot).
 */
public final class Sender {

    private Sender() {
    }

    public static void main(String[] args) {
        AtomicReference<Future<Messaging>> queues = new AtomicReference<>();
        FlotillaService.named("sender", "1.0.0").routes((router, service) -> {
            queues.compareAndSet(null, Queues.open(service));
            router.post("/send").handler(ctx -> {
                JsonObject body = ctx.body().asJsonObject();
                Object text = body == null ? null : body.getValue("text");
                if (!(text instanceof String line) || line.isBlank() || line.length() > 1_000) {
                    ctx.fail(new HttpFailure(400, "bad_request", "text: expected a string of 1 to 1000 characters"));
                    return;
                }
                queues.get().compose(messaging -> messaging.publish(Queues.HELLO, new JsonObject().put("text", line)))
                        .onSuccess(id -> ctx.response().setStatusCode(202).end(new JsonObject().put("id", id)
                                .put("queue", Queues.HELLO).encode()))
                        .onFailure(e -> ctx.fail(new HttpFailure(503, "queue_unavailable",
                                "the message could not be queued: " + e.getMessage())));
            });
        }).run();
    }
}
