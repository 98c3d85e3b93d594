package dev.flotilla.dashboard.alerts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.flotilla.core.config.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The alert rules as a Prometheus rule file ({@code flotilla alerts export}), over the metrics the fleet
 * serves: the gateway's {@code flotilla_gateway_requests_seconds} and {@code flotilla_gateway_breaker_open},
 * the control plane's {@code flotilla_process_restarts_total}, and Prometheus's own {@code up} for the
 * instances it discovers through the registry (whose targets carry a {@code service} label).
 */
public final class PrometheusRules {

    private PrometheusRules() {
    }

    public static String export(List<AlertRule> rules) {
        List<Map<String, Object>> list = new ArrayList<>();
        for (AlertRule rule : rules) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("alert", rule.name());
            entry.put("expr", expression(rule));
            if (!rule.holdFor().isZero()) {
                entry.put("for", promDuration(rule.holdFor()));
            }
            entry.put("labels", Map.of("severity", rule.severity()));
            entry.put("annotations", Map.of("summary", rule.describe()));
            list.add(entry);
        }
        Map<String, Object> group = new LinkedHashMap<>();
        group.put("name", "flotilla");
        group.put("rules", list);
        try {
            return YAMLMapper.builder().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                    .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES).disable(YAMLGenerator.Feature.SPLIT_LINES).build()
                    .writeValueAsString(Map.of("groups", List.of(group)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the rules as YAML", e);
        }
    }

    static String expression(AlertRule rule) {
        if (rule.instancesUp() != null) {
            String service = quote(rule.instancesUp().service());
            return "(sum(up{service=" + service + "}) or vector(0)) < " + rule.instancesUp().below();
        }
        if (rule.errorRate() != null) {
            String route = quote(rule.errorRate().route());
            String window = promDuration(rule.errorRate().window());
            return "sum(rate(flotilla_gateway_requests_seconds_count{route=" + route + ",status=\"5xx\"}[" + window
                    + "])) / sum(rate(flotilla_gateway_requests_seconds_count{route=" + route + "}[" + window
                    + "])) > " + rule.errorRate().above();
        }
        if (rule.p99() != null) {
            return "histogram_quantile(0.99, sum by (le) (rate(flotilla_gateway_requests_seconds_bucket{route="
                    + quote(rule.p99().route()) + "}[" + promDuration(rule.p99().window()) + "]))) > "
                    + rule.p99().above().toNanos() / 1e9;
        }
        if (rule.restarts() != null) {
            return "sum(increase(flotilla_process_restarts_total{app=" + quote(rule.restarts().app()) + "}["
                    + promDuration(rule.restarts().window()) + "])) > " + rule.restarts().above();
        }
        return "max(flotilla_gateway_breaker_open{route=" + quote(rule.breakerOpen().route()) + "}) > 0";
    }

    /** A PromQL string literal. */
    private static String quote(String value) {
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** Prometheus durations have no fractions: whole milliseconds, seconds or minutes. */
    private static String promDuration(Duration duration) {
        String text = Durations.format(duration);
        return text.matches("\\d+(ms|s|m|h)") ? text : duration.toMillis() + "ms";
    }
}
