package dev.flotilla.messaging;

import dev.flotilla.core.trace.Tracing;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A message's place in its trace: a publish made while a request is handled carries that request's
 * {@code traceparent} (unless the caller gave one), and each delivery is a CONSUMER span ({@code QUEUE process},
 * with OpenTelemetry's messaging attributes) whose parent is the publisher's context, so the waterfall goes from
 * the request through the queue into the consumer. The span is current while the handler's synchronous part
 * runs; what the handler publishes later carries its trace when it passes the message's {@code traceparent} on
 * (the saga participants do). Spans go to the process's OpenTelemetry (the SDK registers it); with none, this
 * costs nothing.
 */
public final class QueueSpans {

    private static final AttributeKey<String> SYSTEM = AttributeKey.stringKey("messaging.system");
    private static final AttributeKey<String> DESTINATION = AttributeKey.stringKey("messaging.destination.name");
    private static final AttributeKey<String> OPERATION = AttributeKey.stringKey("messaging.operation.type");
    private static final AttributeKey<String> MESSAGE_ID = AttributeKey.stringKey("messaging.message.id");
    private static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("flotilla.attempt");

    private static final TextMapGetter<Message> FROM_MESSAGE = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Message message) {
            return List.of("traceparent");
        }

        @Override
        public String get(Message message, String key) {
            return message == null || !key.equals("traceparent") ? null : message.traceparent();
        }
    };

    private QueueSpans() {
    }

    /** {@code headers} with the current request's {@code traceparent} added, when it has none and there is one. */
    public static Map<String, String> withTrace(Map<String, String> headers) {
        if (headers.containsKey("traceparent")) {
            return headers;
        }
        String traceparent = Tracing.currentTraceparent();
        if (traceparent == null) {
            return headers;
        }
        Map<String, String> copy = new HashMap<>(headers);
        copy.put("traceparent", traceparent);
        return copy;
    }

    /** Starts the CONSUMER span of one delivery. */
    static Span consuming(Message message, String system) {
        Context parent = W3CTraceContextPropagator.getInstance().extract(Context.root(), message, FROM_MESSAGE);
        return GlobalOpenTelemetry.getTracer("flotilla-messaging").spanBuilder(message.queue() + " process")
                .setSpanKind(SpanKind.CONSUMER).setParent(parent)
                .setAttribute(SYSTEM, system).setAttribute(DESTINATION, message.queue())
                .setAttribute(OPERATION, "process").setAttribute(MESSAGE_ID, message.id())
                .setAttribute(ATTEMPT, (long) message.attempt()).startSpan();
    }

    /** Ends a delivery's span, as failed when the handler failed. */
    static void end(Span span, Throwable failure) {
        if (failure != null) {
            span.recordException(failure);
            span.setStatus(StatusCode.ERROR, String.valueOf(failure.getMessage()));
        }
        span.end();
    }
}
