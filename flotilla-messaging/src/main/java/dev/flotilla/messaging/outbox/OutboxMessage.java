package dev.flotilla.messaging.outbox;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.UUID;

/**
 * A message to publish once its transaction commits.
 *
 * @param queue   where the relay publishes it
 * @param body    its JSON body
 * @param headers its headers ({@code traceparent} among them, to continue a trace)
 * @param id      its id: the same on every publish of it, so the consumer's deduplication drops a repeat
 */
public record OutboxMessage(String queue, JsonObject body, Map<String, String> headers, String id) {

    public OutboxMessage {
        headers = headers == null ? Map.of() : Map.copyOf(headers);
        id = id == null ? UUID.randomUUID().toString() : id;
        if (body == null) {
            throw new IllegalArgumentException("an outbox message needs a body");
        }
    }

    public static OutboxMessage of(String queue, JsonObject body) {
        return new OutboxMessage(queue, body, Map.of(), null);
    }
}
