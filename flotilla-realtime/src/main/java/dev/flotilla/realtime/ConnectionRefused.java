package dev.flotilla.realtime;

import io.vertx.core.json.JsonObject;

/** Refuses a connection in a {@link Middleware}: the client's {@code connect_error} gets message and data. */
public final class ConnectionRefused extends RuntimeException {

    private final JsonObject data;

    public ConnectionRefused(String message) {
        this(message, null);
    }

    public ConnectionRefused(String message, JsonObject data) {
        super(message, null, false, false);
        this.data = data;
    }

    public JsonObject data() {
        return data;
    }
}
