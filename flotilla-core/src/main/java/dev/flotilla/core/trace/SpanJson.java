package dev.flotilla.core.trace;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;

/**
 * One finished span as the control plane stores it: ids, name, kind, the process that made it, start and
 * duration in microseconds, status, attributes and events.
 */
public final class SpanJson {

    private SpanJson() {
    }

    public static JsonObject of(SpanData span) {
        Attributes resource = span.getResource().getAttributes();
        JsonArray events = new JsonArray();
        for (EventData event : span.getEvents()) {
            events.add(new JsonObject().put("name", event.getName())
                    .put("timeUs", TimeUnit.NANOSECONDS.toMicros(event.getEpochNanos()))
                    .put("attributes", attributes(event.getAttributes())));
        }
        JsonObject json = new JsonObject()
                .put("traceId", span.getTraceId())
                .put("spanId", span.getSpanId())
                .put("name", span.getName())
                .put("kind", span.getKind().name())
                .put("service", resource.get(AttributeKey.stringKey("service.name")))
                .put("instance", resource.get(
                        AttributeKey.stringKey("service.instance.id")))
                .put("startUs", TimeUnit.NANOSECONDS.toMicros(span.getStartEpochNanos()))
                .put("durationUs", TimeUnit.NANOSECONDS.toMicros(span.getEndEpochNanos() - span.getStartEpochNanos()))
                .put("status", span.getStatus().getStatusCode().name())
                .put("attributes", attributes(span.getAttributes()))
                .put("events", events);
        if (span.getParentSpanContext().isValid()) {
            json.put("parentSpanId", span.getParentSpanId());
        }
        if (!span.getStatus().getDescription().isEmpty()) {
            json.put("statusMessage", span.getStatus().getDescription());
        }
        return json;
    }

    private static JsonObject attributes(Attributes attributes) {
        JsonObject json = new JsonObject();
        attributes.forEach((key, value) -> json.put(key.getKey(), value instanceof Number || value instanceof Boolean
                ? value : String.valueOf(value)));
        return json;
    }
}
