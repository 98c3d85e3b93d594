package dev.flotilla.service;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The answer of another service to a {@link ServiceClient} call, body read in full.
 *
 * @param status   the HTTP status
 * @param headers  the response headers
 * @param body     the body (empty, never null)
 * @param instance the id of the instance that answered, or null for a fallback
 */
public record ServiceResponse(int status, MultiMap headers, Buffer body, String instance) {

    public String bodyAsString() {
        return body.toString();
    }

    public JsonObject bodyAsJsonObject() {
        return body.toJsonObject();
    }

    public JsonArray bodyAsJsonArray() {
        return body.toJsonArray();
    }

    /** A canned answer, for fallbacks. */
    public static ServiceResponse of(int status, String contentType, Buffer body) {
        return new ServiceResponse(status, MultiMap.caseInsensitiveMultiMap().add("Content-Type", contentType),
                body, null);
    }
}
