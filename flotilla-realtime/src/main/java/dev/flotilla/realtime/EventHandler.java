package dev.flotilla.realtime;

import io.vertx.core.json.JsonArray;

/**
 * Handles one event from a client: its arguments (JSON values, and Vert.x {@code Buffer}s for binary ones) and
 * the acknowledgement to send back, if the client asked for one. Runs on the connection's event loop: it must
 * not block.
 */
@FunctionalInterface
public interface EventHandler {

    void handle(JsonArray args, Ack ack);
}
