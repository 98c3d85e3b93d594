package dev.flotilla.dashboard.traces;

import dev.flotilla.core.trace.SpanJson;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The control plane's recent traces, so that the dashboard shows them with no collector: the last
 * {@code maxTraces} traces by the time their first span arrived, at most {@code maxSpans} spans each; the
 * oldest trace goes when a new one comes. Spans arrive from every process ({@link #add(JsonArray)}, the
 * intake) and from the control plane's own gateway ({@link #exporter()}).
 */
public final class TraceStore {

    private static final Pattern TRACE_ID = Pattern.compile("[0-9a-f]{32}");
    private static final Pattern SPAN_ID = Pattern.compile("[0-9a-f]{16}");

    private final int maxTraces;
    private final int maxSpans;
    private final LinkedHashMap<String, List<JsonObject>> traces = new LinkedHashMap<>();
    private long dropped;

    public TraceStore(int maxTraces, int maxSpans) {
        if (maxTraces < 1 || maxSpans < 1) {
            throw new IllegalArgumentException("maxTraces and maxSpans must be at least 1");
        }
        this.maxTraces = maxTraces;
        this.maxSpans = maxSpans;
    }

    /**
     * Adds spans in the shape {@link SpanJson} gives. Refuses the whole batch, naming the first bad span, when
     * one lacks a valid trace id, span id, name, start or duration; nothing of a refused batch is kept.
     */
    public void add(JsonArray spans) {
        List<JsonObject> checked = new ArrayList<>(spans.size());
        for (int i = 0; i < spans.size(); i++) {
            Object item = spans.getValue(i);
            if (!(item instanceof JsonObject span)) {
                throw new IllegalArgumentException("span " + i + ": expected an object");
            }
            String problem = problem(span);
            if (problem != null) {
                throw new IllegalArgumentException("span " + i + ": " + problem);
            }
            checked.add(span);
        }
        synchronized (this) {
            checked.forEach(this::keep);
        }
    }

    private static String problem(JsonObject span) {
        if (!(span.getValue("traceId") instanceof String id) || !TRACE_ID.matcher(id).matches()) {
            return "traceId must be 32 lower-case hex digits";
        }
        if (!(span.getValue("spanId") instanceof String spanId) || !SPAN_ID.matcher(spanId).matches()) {
            return "spanId must be 16 lower-case hex digits";
        }
        if (!(span.getValue("name") instanceof String)) {
            return "name is missing";
        }
        if (!(span.getValue("startUs") instanceof Number) || !(span.getValue("durationUs") instanceof Number)) {
            return "startUs and durationUs must be numbers";
        }
        return null;
    }

    private void keep(JsonObject span) {
        String traceId = span.getString("traceId");
        List<JsonObject> trace = traces.get(traceId);
        if (trace == null) {
            if (traces.size() >= maxTraces) {
                Iterator<Map.Entry<String, List<JsonObject>>> oldest = traces.entrySet().iterator();
                oldest.next();
                oldest.remove();
            }
            trace = new ArrayList<>();
            traces.put(traceId, trace);
        }
        if (trace.size() < maxSpans) {
            trace.add(span);
        } else {
            dropped++;
        }
    }

    /** The spans of one trace, by start time; null when it is not (or no longer) kept. */
    public synchronized JsonArray get(String traceId) {
        List<JsonObject> trace = traces.get(traceId);
        if (trace == null) {
            return null;
        }
        List<JsonObject> sorted = new ArrayList<>(trace);
        sorted.sort((a, b) -> Long.compare(a.getLong("startUs"), b.getLong("startUs")));
        return new JsonArray(new ArrayList<>(sorted));
    }

    /**
     * The newest traces first, at most {@code limit}: id, the root span's name and service, start, duration,
     * span count, the services it crossed, and whether any span failed.
     */
    public synchronized JsonArray recent(int limit) {
        List<String> ids = new ArrayList<>(traces.keySet());
        JsonArray list = new JsonArray();
        for (int i = ids.size() - 1; i >= 0 && list.size() < limit; i--) {
            list.add(summary(ids.get(i), traces.get(ids.get(i))));
        }
        return list;
    }

    private static JsonObject summary(String traceId, List<JsonObject> unordered) {
        List<JsonObject> spans = new ArrayList<>(unordered);
        spans.sort((a, b) -> Long.compare(a.getLong("startUs"), b.getLong("startUs"))); // services in call order
        JsonObject root = null;
        long start = Long.MAX_VALUE;
        long end = Long.MIN_VALUE;
        boolean error = false;
        List<String> services = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        spans.forEach(span -> ids.add(span.getString("spanId")));
        for (JsonObject span : spans) {
            long spanStart = span.getLong("startUs");
            start = Math.min(start, spanStart);
            end = Math.max(end, spanStart + span.getLong("durationUs"));
            error |= "ERROR".equals(span.getString("status")) || serverError(span);
            String service = span.getString("service");
            if (service != null && !services.contains(service)) {
                services.add(service);
            }
            boolean isRoot = span.getString("parentSpanId") == null || !ids.contains(span.getString("parentSpanId"));
            if (isRoot && (root == null || spanStart < root.getLong("startUs"))) {
                root = span;
            }
        }
        return new JsonObject().put("traceId", traceId)
                .put("name", root == null ? "" : root.getString("name"))
                .put("service", root == null ? null : root.getString("service"))
                .put("startUs", start).put("durationUs", end - start).put("spans", spans.size())
                .put("services", new JsonArray(services)).put("error", error);
    }

    /** An HTTP answer of 5xx, which Vert.x's spans record as an attribute (a string) without an error status. */
    private static boolean serverError(JsonObject span) {
        JsonObject attributes = span.getJsonObject("attributes");
        Object status = attributes == null ? null : attributes.getValue("http.response.status_code");
        return status != null && String.valueOf(status).startsWith("5");
    }

    public synchronized int size() {
        return traces.size();
    }

    /** Spans refused because their trace already had {@code maxSpans}. */
    public synchronized long dropped() {
        return dropped;
    }

    /** An exporter for the control plane's own spans: straight in, no HTTP. */
    public SpanExporter exporter() {
        return new SpanExporter() {
            @Override
            public CompletableResultCode export(Collection<SpanData> spans) {
                JsonArray batch = new JsonArray();
                spans.forEach(span -> batch.add(SpanJson.of(span)));
                add(batch);
                return CompletableResultCode.ofSuccess();
            }

            @Override
            public CompletableResultCode flush() {
                return CompletableResultCode.ofSuccess();
            }

            @Override
            public CompletableResultCode shutdown() {
                return CompletableResultCode.ofSuccess();
            }
        };
    }
}
