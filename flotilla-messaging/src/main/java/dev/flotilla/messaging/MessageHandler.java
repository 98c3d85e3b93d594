package dev.flotilla.messaging;

import io.vertx.core.Future;

/**
 * Handles one message. The message is acknowledged once the future succeeds; a failed future, an exception,
 * or no answer within the handler timeout sends it back after a delay, and to the dead letters after the
 * last attempt.
 */
@FunctionalInterface
public interface MessageHandler {

    Future<Void> handle(Message message);
}
