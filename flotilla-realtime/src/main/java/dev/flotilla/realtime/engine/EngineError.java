package dev.flotilla.realtime.engine;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;

/** The Engine.IO protocol's error answers to an HTTP request: a code and a message the clients know. */
enum EngineError {
    UNKNOWN_TRANSPORT(0, "Transport unknown", 400),
    UNKNOWN_SID(1, "Session ID unknown", 400),
    BAD_HANDSHAKE_METHOD(2, "Bad handshake method", 400),
    BAD_REQUEST(3, "Bad request", 400),
    FORBIDDEN(4, "Forbidden", 403),
    UNSUPPORTED_PROTOCOL_VERSION(5, "Unsupported protocol version", 400);

    final int code;
    final String message;
    final int status;

    EngineError(int code, String message, int status) {
        this.code = code;
        this.message = message;
        this.status = status;
    }

    /** Answers with this error; {@code detail} says what was wrong with this request, for people. */
    void send(HttpServerResponse response, String detail) {
        send(response, status, detail);
    }

    void send(HttpServerResponse response, int httpStatus, String detail) {
        if (response.headWritten()) {
            response.reset();
            return;
        }
        response.setStatusCode(httpStatus).putHeader("Content-Type", "application/json")
                .end(new JsonObject().put("code", code).put("message", message).put("detail", detail).encode());
    }
}
