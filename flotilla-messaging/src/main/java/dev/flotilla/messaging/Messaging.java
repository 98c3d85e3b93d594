package dev.flotilla.messaging;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;

/**
 * Queues between services, with the promises of seed 003's "reliable messages": a publish completes only when
 * the broker has the message on disk; a consumer acknowledges only after its handler succeeded; a failing
 * message comes back after a growing delay, then goes to the queue's dead letters with the reason; a message
 * handled once is not handled again when it is delivered again (with a deduplication store).
 */
public interface Messaging {

    /** Publishes a JSON body to {@code queue}; completes with the message id once the broker confirmed it. */
    default Future<String> publish(String queue, JsonObject body) {
        return publish(queue, body, Map.of(), null);
    }

    /**
     * Publishes with headers and an id (null: a new random one). Publishing again with the same id is how a
     * publisher retries safely: consumers with deduplication handle it once.
     */
    Future<String> publish(String queue, JsonObject body, Map<String, String> headers, String id);

    /** Starts handling the messages of {@code queue}. */
    Future<Subscription> consume(String queue, ConsumerOptions options, MessageHandler handler);

    /** Up to {@code limit} dead letters of {@code queue}, oldest first, left where they are. */
    Future<List<DeadLetter>> deadLetters(String queue, int limit);

    /** Sends up to {@code limit} dead letters back to {@code queue}, attempts counted from 1 again. */
    Future<Integer> replayDeadLetters(String queue, int limit);

    /** Deletes the dead letters of {@code queue}; completes with how many there were. */
    Future<Integer> purgeDeadLetters(String queue);

    Future<Void> close();
}
