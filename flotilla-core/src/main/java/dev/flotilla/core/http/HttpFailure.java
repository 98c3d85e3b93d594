package dev.flotilla.core.http;

import io.vertx.core.json.JsonObject;

/**
 * A failure that has an HTTP meaning: a status, a short machine-readable code and a message for people.
 * Every Flotilla server turns it into the one error body of docs/architecture.md,
 * {@code {"error": "<code>", "message": "<what and why>"}}, in one place.
 */
public final class HttpFailure extends RuntimeException {

    private final int status;
    private final String code;

    public HttpFailure(int status, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
    }

    public static HttpFailure badRequest(String message) {
        return new HttpFailure(400, "bad_request", message);
    }

    public static HttpFailure notFound(String message) {
        return new HttpFailure(404, "not_found", message);
    }

    public static HttpFailure conflict(String message) {
        return new HttpFailure(409, "conflict", message);
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    /** The error body: {@code {"error": code, "message": message}}. */
    public JsonObject toJson() {
        return new JsonObject().put("error", code).put("message", getMessage());
    }

    /** Reads an error body sent by a Flotilla server; tolerates bodies that are not ours. */
    public static HttpFailure fromResponse(int status, String body) {
        try {
            JsonObject json = new JsonObject(body);
            return new HttpFailure(status, json.getString("error", "http_" + status),
                    json.getString("message", body));
        } catch (RuntimeException notJson) {
            return new HttpFailure(status, "http_" + status, body == null || body.isEmpty() ? "HTTP " + status : body);
        }
    }
}
