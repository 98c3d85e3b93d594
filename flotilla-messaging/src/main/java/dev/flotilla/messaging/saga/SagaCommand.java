package dev.flotilla.messaging.saga;

import io.vertx.core.json.JsonObject;

/**
 * A command a participant receives.
 *
 * @param saga         the saga's name
 * @param sagaId       the saga's id
 * @param step         the step's name
 * @param action       what to do: the step's action or its compensation
 * @param compensation whether it undoes the step
 * @param key          the idempotency key: the same on every delivery of this command; apply its effect once
 *                     per key
 * @param data         the saga's data: what it began with, and each earlier step's result under its name
 */
public record SagaCommand(String saga, String sagaId, String step, String action, boolean compensation, String key,
        JsonObject data) {

    /**
     * The idempotency key of the command for {@code action} of {@code step} in saga {@code sagaId}: a
     * compensation can find the key its step's action had, to undo exactly what it did.
     */
    public static String key(String sagaId, String step, String action) {
        return sagaId + ":" + step + ":" + action;
    }
}
