package dev.flotilla.messaging;

import io.vertx.core.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/** What every transport does the same way: which queue names are allowed, and how a delivery is handled. */
public final class Deliveries {

    private static final Pattern QUEUE_NAME = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}");

    private Deliveries() {
    }

    /** Refuses a queue name a transport could not keep apart from its own queues, naming what is wrong. */
    public static void checkQueue(String queue) {
        if (queue == null || !QUEUE_NAME.matcher(queue).matches() || queue.endsWith(".dead-letters")
                || queue.contains(".retry.")) {
            throw new IllegalArgumentException("queue name: '" + queue + "' (expected 1-200 letters, digits, '.',"
                    + " '_' or '-', not ending in .dead-letters and without .retry.)");
        }
    }

    /**
     * Runs the handler unless the message was handled already, bounded by the handler timeout; a handler
     * that throws fails like one whose future fails. Succeeds once the message may be acknowledged.
     */
    public static Future<Void> handle(Message message, MessageHandler handler, ConsumerOptions options,
            Deduplication deduplication) {
        Future<Boolean> seen = deduplication == null ? Future.succeededFuture(false)
                : deduplication.handled(message.queue(), message.id());
        return seen.compose(already -> {
            if (already) {
                return Future.succeededFuture();
            }
            Future<Void> handled;
            try {
                handled = handler.handle(message).timeout(options.handlerTimeout().toMillis(), TimeUnit.MILLISECONDS);
            } catch (RuntimeException e) {
                handled = Future.failedFuture(e);
            }
            return handled.compose(v -> deduplication == null ? Future.succeededFuture()
                    : deduplication.markHandled(message.queue(), message.id()));
        });
    }

    /** A failure's reason, for a retry header or a dead letter. */
    public static String reason(Throwable failure) {
        return failure.getMessage() == null ? failure.getClass().getName() : failure.getMessage();
    }
}
