package dev.flotilla.messaging;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/** What every transport does the same way: which queue names are allowed, and how a delivery is handled. */
public final class Deliveries {

    /** How much longer than its handler's timeout a claim on a message lasts. */
    private static final Duration CLAIM_MARGIN = Duration.ofSeconds(5);
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

    /** {@link #checkQueue} as a future: failed with the reason when the name is refused. */
    public static Future<Void> checked(String queue) {
        try {
            checkQueue(queue);
            return Future.succeededFuture();
        } catch (IllegalArgumentException e) {
            return Future.failedFuture(e);
        }
    }

    /**
     * A message's body as it is sent: its queue name checked and its JSON encoded once, refused with a message
     * that names the queue and the limit when it is larger than {@code maxBytes}.
     *
     * @throws IllegalArgumentException when the queue name or the size is refused
     */
    public static byte[] encode(String queue, JsonObject body, int maxBytes) {
        checkQueue(queue);
        byte[] bytes = body.toBuffer().getBytes();
        if (bytes.length > maxBytes) {
            throw new IllegalArgumentException("a message of " + bytes.length + " bytes for queue '" + queue
                    + "' is over the limit of " + maxBytes + " bytes");
        }
        return bytes;
    }

    /**
     * Runs the handler unless a copy of the message was handled already (or is being handled: then this copy
     * fails, to come back after a retry delay and find it done), bounded by the handler timeout; a handler that
     * throws fails like one whose future fails. Succeeds once the message may be acknowledged.
     */
    public static Future<Void> handle(Message message, MessageHandler handler, ConsumerOptions options,
            Deduplication deduplication, String system) {
        if (deduplication == null) {
            return run(message, handler, options, system);
        }
        Duration hold = options.handlerTimeout().plus(CLAIM_MARGIN);
        return deduplication.claim(message.queue(), message.id(), hold).compose(claim -> switch (claim) {
            case DONE -> Future.<Void>succeededFuture();
            case BUSY -> Future.<Void>failedFuture(new CopyBeingHandled(message.id()));
            case CLAIMED -> run(message, handler, options, system).transform(ar -> ar.succeeded()
                    ? deduplication.markHandled(message.queue(), message.id())
                    : deduplication.release(message.queue(), message.id())
                            .transform(released -> Future.<Void>failedFuture(ar.cause())));
        });
    }

    private static Future<Void> run(Message message, MessageHandler handler, ConsumerOptions options,
            String system) {
        Span span = QueueSpans.consuming(message, system);
        Future<Void> handled;
        try (Scope current = span.makeCurrent()) {
            handled = handler.handle(message).timeout(options.handlerTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) {
            handled = Future.failedFuture(e);
        }
        return handled.andThen(ar -> QueueSpans.end(span, ar.cause()));
    }

    /**
     * This delivery's message is being handled by another consumer at the moment: the delivery comes back
     * after a delay without using up an attempt (the claim it waits for lapses within the handler timeout).
     */
    public static final class CopyBeingHandled extends RuntimeException {
        CopyBeingHandled(String id) {
            super("another copy of message " + id + " is being handled; this one comes back later", null, false,
                    false);
        }
    }

    /** The attempt number a failed delivery comes back with: the same when the failure was not the handler's. */
    public static int nextAttempt(int attempt, Throwable failure) {
        return failure instanceof CopyBeingHandled ? attempt : attempt + 1;
    }

    /** A failure's reason, for a retry header or a dead letter. */
    public static String reason(Throwable failure) {
        return failure.getMessage() == null ? failure.getClass().getName() : failure.getMessage();
    }
}
