package dev.flotilla.dashboard.traces;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class TraceStoreTest {

    private static JsonObject span(String trace, String id, String parent, String service, long start, long duration) {
        JsonObject span = new JsonObject().put("traceId", trace).put("spanId", id).put("name", "GET /" + service)
                .put("kind", "SERVER").put("service", service).put("startUs", start).put("durationUs", duration)
                .put("status", "UNSET");
        return parent == null ? span : span.put("parentSpanId", parent);
    }

    private static String trace(int n) {
        return String.format("%032x", n + 1);
    }

    private static String id(int n) {
        return String.format("%016x", n + 1);
    }

    @Test
    void aTraceIsAssembledFromSpansOfSeveralProcessesAndSummarisedByItsRoot() {
        TraceStore store = new TraceStore(10, 10);
        // The services' spans arrive before the gateway's, as their batches leave first.
        store.add(new JsonArray().add(span(trace(0), id(2), id(1), "users", 1_300, 200)));
        store.add(new JsonArray().add(span(trace(0), id(1), id(0), "greeter", 1_100, 800))
                .add(span(trace(0), id(0), null, "gateway", 1_000, 1_000)));
        JsonObject summary = store.recent(5).getJsonObject(0);
        assertThat(summary.getString("name")).isEqualTo("GET /gateway");
        assertThat(summary.getInteger("spans")).isEqualTo(3);
        assertThat(summary.getLong("durationUs")).isEqualTo(1_000);
        assertThat(summary.getJsonArray("services").getList()).containsExactly("gateway", "greeter", "users");
        assertThat(store.get(trace(0)).stream().map(s -> ((JsonObject) s).getString("service")))
                .containsExactly("gateway", "greeter", "users");
        assertThat(summary.getBoolean("error")).isFalse();

        // A 5xx anywhere marks the trace failed, as an error status does.
        store.add(new JsonArray().add(span(trace(1), id(0), null, "gateway", 2_000, 10)
                .put("attributes", new JsonObject().put("http.response.status_code", "502"))));
        assertThat(store.recent(1).getJsonObject(0).getBoolean("error")).isTrue();
    }

    @Test
    void theOldestTraceGoesAndSpansBeyondTheLimitAreDropped() {
        TraceStore store = new TraceStore(3, 2);
        for (int t = 0; t < 4; t++) {
            store.add(new JsonArray().add(span(trace(t), id(0), null, "gateway", t, 1)));
        }
        assertThat(store.size()).isEqualTo(3);
        assertThat(store.get(trace(0))).isNull();
        assertThat(store.recent(10).getJsonObject(0).getString("traceId")).isEqualTo(trace(3));

        store.add(new JsonArray().add(span(trace(3), id(1), id(0), "a", 2, 1))
                .add(span(trace(3), id(2), id(0), "b", 3, 1)));
        assertThat(store.get(trace(3))).hasSize(2);
        assertThat(store.dropped()).isEqualTo(1);
    }

    @Test
    void aBatchWithABadSpanIsRefusedWholeAndNamesIt() {
        TraceStore store = new TraceStore(10, 10);
        JsonArray batch = new JsonArray().add(span(trace(0), id(0), null, "gateway", 1, 1))
                .add(span(trace(1), "not-an-id", null, "gateway", 1, 1));
        assertThatThrownBy(() -> store.add(batch)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("span 1: spanId must be 16 lower-case hex digits");
        assertThatThrownBy(() -> store.add(new JsonArray().add("x"))).hasMessage("span 0: expected an object");
        assertThat(store.size()).isZero();
    }
}
