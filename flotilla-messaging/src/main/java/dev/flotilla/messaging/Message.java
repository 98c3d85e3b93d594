package dev.flotilla.messaging;

import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * One message as a consumer gets it.
 *
 * @param id          the publisher's id: the same on every delivery of this message, the key of deduplication
 * @param queue       the queue it came from
 * @param body        its JSON body
 * @param headers     the publisher's headers
 * @param attempt     1 on the first delivery to a handler, 2 on the first retry, and so on
 * @param traceparent the W3C trace context of the request that published it, or null
 */
public record Message(String id, String queue, JsonObject body, Map<String, String> headers, int attempt,
        String traceparent) {
}
