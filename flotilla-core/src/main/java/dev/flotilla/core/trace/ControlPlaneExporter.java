package dev.flotilla.core.trace;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.vertx.core.json.JsonArray;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Collection;

/**
 * Sends finished spans to the control plane's intake as a JSON array of {@link SpanJson} objects. Not OTLP:
 * the control plane keeps a bounded set of recent traces for its dashboard and needs only what the
 * waterfall shows, and reading OTLP's protobuf there would need the protobuf runtime and OTLP's generated
 * classes for that alone. A collector gets real OTLP ({@code FLOTILLA_OTLP}).
 */
final class ControlPlaneExporter implements SpanExporter {

    private final URI intake;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    ControlPlaneExporter(String url) {
        this.intake = URI.create(url);
    }

    @Override
    public CompletableResultCode export(Collection<SpanData> spans) {
        JsonArray body = new JsonArray();
        spans.forEach(span -> body.add(SpanJson.of(span)));
        CompletableResultCode result = new CompletableResultCode();
        HttpRequest request = HttpRequest.newBuilder(intake).timeout(Duration.ofSeconds(5))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.encode())).build();
        http.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, error) -> {
            if (error == null && response.statusCode() / 100 == 2) {
                result.succeed();
            } else {
                result.fail(); // the control plane is down or restarting: these spans are lost, as a full queue's
            }
        });
        return result;
    }

    @Override
    public CompletableResultCode flush() {
        return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
        return CompletableResultCode.ofSuccess();
    }
}
