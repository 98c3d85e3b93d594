package dev.flotilla.core.trace;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.opentelemetry.sdk.trace.samplers.SamplingResult;
import java.util.List;

/**
 * Decides whether a new trace is kept: only requests served start one (a SERVER or CONSUMER span), and of
 * those not the probes ({@code /health/*}, {@code /metrics}), which the registry and Prometheus send every few
 * seconds and would crowd out the requests in the control plane's store. A kept request is then sampled at
 * the configured ratio. Calls made outside any request (a background Redis command) start no trace.
 */
final class RequestSampler implements Sampler {

    private static final AttributeKey<String> URL_PATH = AttributeKey.stringKey("url.path");

    private final Sampler ratio;

    RequestSampler(double ratio) {
        this.ratio = Sampler.traceIdRatioBased(ratio);
    }

    @Override
    public SamplingResult shouldSample(Context parentContext, String traceId, String name, SpanKind spanKind,
            Attributes attributes, List<LinkData> parentLinks) {
        if (spanKind != SpanKind.SERVER && spanKind != SpanKind.CONSUMER) {
            return SamplingResult.drop();
        }
        String path = attributes.get(URL_PATH);
        if (path != null && (path.startsWith("/health/") || path.equals("/metrics"))) {
            return SamplingResult.drop();
        }
        return ratio.shouldSample(parentContext, traceId, name, spanKind, attributes, parentLinks);
    }

    @Override
    public String getDescription() {
        return "RequestSampler{" + ratio.getDescription() + "}";
    }
}
