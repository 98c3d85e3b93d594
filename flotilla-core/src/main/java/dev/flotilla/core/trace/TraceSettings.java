package dev.flotilla.core.trace;

import dev.flotilla.core.config.ConfigException;
import java.net.URI;
import java.util.Map;

/**
 * Where a process sends its spans and how many it keeps, from its environment:
 * <ul>
 *   <li>{@code FLOTILLA_TRACES}: the control plane's span intake ({@code flotilla up} sets it), which keeps
 *       recent traces for the dashboard;</li>
 *   <li>{@code FLOTILLA_OTLP}: an OpenTelemetry collector's OTLP/HTTP base URL (for example
 *       {@code http://127.0.0.1:4318}), to which spans are exported as well;</li>
 *   <li>{@code FLOTILLA_TRACE_SAMPLE}: the share of new traces kept, 0 to 1 (default 1); a trace begun
 *       elsewhere keeps its caller's decision;</li>
 *   <li>{@code FLOTILLA_TRACING=off}: no spans at all, and {@code traceparent} headers pass through
 *       untouched.</li>
 * </ul>
 */
public record TraceSettings(boolean enabled, String controlPlaneUrl, String otlpUrl, double sampleRatio) {

    public static final String TRACES = "FLOTILLA_TRACES";
    public static final String OTLP = "FLOTILLA_OTLP";
    public static final String SAMPLE = "FLOTILLA_TRACE_SAMPLE";
    public static final String TRACING = "FLOTILLA_TRACING";

    public TraceSettings {
        if (!(sampleRatio >= 0 && sampleRatio <= 1)) {
            throw new ConfigException(SAMPLE + ": " + sampleRatio + " (expected a share from 0 to 1)");
        }
        checkUrl(TRACES, controlPlaneUrl);
        checkUrl(OTLP, otlpUrl);
    }

    public static TraceSettings off() {
        return new TraceSettings(false, null, null, 1);
    }

    public static TraceSettings fromEnvironment() {
        return from(System.getenv());
    }

    public static TraceSettings from(Map<String, String> env) {
        String tracing = env.get(TRACING);
        if (tracing != null && !tracing.equals("on") && !tracing.equals("off")) {
            throw new ConfigException(TRACING + ": '" + tracing + "' (expected on or off)");
        }
        String sample = env.get(SAMPLE);
        double ratio;
        try {
            ratio = sample == null || sample.isBlank() ? 1 : Double.parseDouble(sample.trim());
        } catch (NumberFormatException e) {
            throw new ConfigException(SAMPLE + ": '" + sample + "' (expected a share from 0 to 1)");
        }
        return new TraceSettings(!"off".equals(tracing), blankToNull(env.get(TRACES)), blankToNull(env.get(OTLP)),
                ratio);
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }

    private static void checkUrl(String name, String url) {
        if (url == null) {
            return;
        }
        try {
            URI uri = URI.create(url);
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
                throw new IllegalArgumentException();
            }
        } catch (IllegalArgumentException e) {
            throw new ConfigException(name + ": '" + url + "' (expected an http:// or https:// URL)");
        }
    }
}
