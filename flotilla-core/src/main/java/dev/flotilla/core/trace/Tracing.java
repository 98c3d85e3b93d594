package dev.flotilla.core.trace;

import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SdkTracerProviderBuilder;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.internal.VertxInternal;
import io.vertx.tracing.opentelemetry.OpenTelemetryTracingFactory;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A process's OpenTelemetry: its identity (service, version, instance), a sampler, and where finished spans
 * go (the control plane, an OTLP collector, or both). {@link #vertx} makes the process's Vert.x with
 * OpenTelemetry's tracer, which gives every HTTP request served a SERVER span and every request sent a
 * CLIENT span, with W3C {@code traceparent}/{@code tracestate} on the wire and the HTTP semantic
 * conventions' attributes. Vert.x keeps the request's span on the request's (duplicated) context, so a
 * handler's outgoing calls, and its log lines, belong to its trace with nothing passed by hand.
 */
public final class Tracing implements AutoCloseable {

    private static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");
    private static final AttributeKey<String> SERVICE_VERSION = AttributeKey.stringKey("service.version");
    private static final AttributeKey<String> SERVICE_INSTANCE = AttributeKey.stringKey("service.instance.id");

    private final OpenTelemetrySdk sdk;

    private Tracing(OpenTelemetrySdk sdk) {
        this.sdk = sdk;
    }

    /** Tracing as the process's environment asks ({@link TraceSettings}). */
    public static Tracing fromEnvironment(String service, String version, String instance) {
        return create(TraceSettings.fromEnvironment(), service, version, instance);
    }

    public static Tracing create(TraceSettings settings, String service, String version, String instance) {
        return create(settings, service, version, instance, null);
    }

    /**
     * Tracing that also hands every finished span to {@code local}: the control plane's own spans go straight
     * into its trace store this way, with no HTTP hop.
     */
    public static Tracing create(TraceSettings settings, String service, String version, String instance,
            SpanExporter local) {
        if (!settings.enabled()) {
            return new Tracing(null);
        }
        Resource resource = Resource.create(Attributes.of(SERVICE_NAME, service, SERVICE_VERSION,
                version == null ? "" : version, SERVICE_INSTANCE, instance == null ? service : instance));
        SdkTracerProviderBuilder provider = SdkTracerProvider.builder().setResource(resource)
                .setSampler(Sampler.parentBased(new RequestSampler(settings.sampleRatio())));
        if (local != null) {
            provider.addSpanProcessor(batch(local));
        }
        if (settings.controlPlaneUrl() != null) {
            provider.addSpanProcessor(batch(new ControlPlaneExporter(settings.controlPlaneUrl())));
        }
        if (settings.otlpUrl() != null) {
            String base = settings.otlpUrl().endsWith("/") ? settings.otlpUrl() : settings.otlpUrl() + "/";
            provider.addSpanProcessor(batch(OtlpHttpSpanExporter.builder().setEndpoint(base + "v1/traces")
                    .setTimeout(Duration.ofSeconds(5)).build()));
        }
        OpenTelemetrySdk sdk = OpenTelemetrySdk.builder().setTracerProvider(provider.build())
                .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance())).build();
        return new Tracing(sdk);
    }

    /** Spans leave in batches from a thread of the SDK's, never from an event loop; a full queue drops. */
    private static BatchSpanProcessor batch(SpanExporter exporter) {
        return BatchSpanProcessor.builder(exporter).setScheduleDelay(Duration.ofMillis(500))
                .setMaxQueueSize(8192).setMaxExportBatchSize(512).build();
    }

    /** A Vert.x whose HTTP servers and clients trace (or a plain one when tracing is off). */
    public Vertx vertx(VertxOptions options) {
        if (sdk == null) {
            return Vertx.vertx(options);
        }
        return Vertx.builder().with(options).withTracer(new OpenTelemetryTracingFactory(sdk)).build();
    }

    /**
     * Makes this the process's OpenTelemetry for code that has no handle on it (the queues' consumer spans):
     * the first call in a process wins; later ones (several services in one test JVM) change nothing.
     */
    public Tracing registerGlobal() {
        if (sdk != null) {
            try {
                GlobalOpenTelemetry.set(sdk);
            } catch (IllegalStateException alreadySet) {
                // the first one stays
            }
        }
        return this;
    }

    /** The W3C {@code traceparent} of the current span (the request being handled), or null outside any. */
    public static String currentTraceparent() {
        String[] header = new String[1];
        W3CTraceContextPropagator.getInstance().inject(Context.current(), header,
                (carrier, key, value) -> {
                    if (key.equals("traceparent")) {
                        carrier[0] = value;
                    }
                });
        return header[0];
    }

    /** True when {@code vertx} was made with a tracer (by {@link #vertx} with tracing on). */
    public static boolean isTracing(Vertx vertx) {
        return vertx instanceof VertxInternal internal && internal.tracer() != null;
    }

    /** Sends the spans still queued (up to 5 s) and stops. */
    @Override
    public void close() {
        if (sdk != null) {
            sdk.getSdkTracerProvider().shutdown().join(5, TimeUnit.SECONDS);
        }
    }
}
