package dev.flotilla.dashboard.alerts;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.flotilla.core.config.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * One alert rule of {@code flotilla.yaml}'s {@code alerts:} list: a name, exactly one condition over the fleet,
 * how long it must hold before the alert fires ({@code for}), a severity, and an optional summary.
 * <pre>
 * alerts:
 *   - name: users-down
 *     instances-up: {service: users, below: 2}      # UP instances in the registry
 *     for: 5s
 *     severity: critical
 *   - name: users-errors
 *     error-rate: {route: users, above: 0.05, window: 1m}   # share of 5xx through the gateway
 *   - name: users-slow
 *     p99: {route: users, above: 250ms, window: 1m}         # gateway latency
 *   - name: crash-loop
 *     restarts: {app: users, above: 3, window: 10m}         # supervisor restarts after crashes
 *   - name: users-breaker
 *     breaker-open: {route: users}
 * </pre>
 */
public record AlertRule(String name, InstancesUp instancesUp, ErrorRate errorRate, P99 p99, Restarts restarts,
        BreakerOpen breakerOpen, @JsonProperty("for") Duration holdFor, String severity, String summary) {

    private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_-]{0,63}");
    private static final List<String> SEVERITIES = List.of("info", "warning", "critical");
    private static final Duration DEFAULT_WINDOW = Duration.ofMinutes(1);
    /** The control plane keeps this much history for windows: see {@code FleetSamples}. */
    public static final Duration LONGEST_WINDOW = Duration.ofMinutes(15);

    public AlertRule {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("name: '" + name + "' (expected a letter, then letters, digits, - or _;"
                    + " at most 64)");
        }
        List<String> given = new ArrayList<>();
        if (instancesUp != null) {
            given.add("instances-up");
        }
        if (errorRate != null) {
            given.add("error-rate");
        }
        if (p99 != null) {
            given.add("p99");
        }
        if (restarts != null) {
            given.add("restarts");
        }
        if (breakerOpen != null) {
            given.add("breaker-open");
        }
        if (given.size() != 1) {
            throw new IllegalArgumentException("alert '" + name + "': " + (given.isEmpty() ? "no condition"
                    : "conditions " + given + " together") + " (expected exactly one of instances-up, error-rate,"
                    + " p99, restarts, breaker-open)");
        }
        holdFor = holdFor == null ? Duration.ZERO : holdFor;
        if (holdFor.isNegative()) {
            throw new IllegalArgumentException("alert '" + name + "': for must not be negative");
        }
        severity = severity == null ? "warning" : severity.toLowerCase(Locale.ROOT);
        if (!SEVERITIES.contains(severity)) {
            throw new IllegalArgumentException("alert '" + name + "': severity '" + severity + "' (expected one of "
                    + SEVERITIES + ")");
        }
    }

    /** What the rule watches, in words: the default summary. */
    public String describe() {
        if (summary != null) {
            return summary;
        }
        if (instancesUp != null) {
            return "fewer than " + instancesUp.below() + " instances of " + instancesUp.service() + " are UP";
        }
        if (errorRate != null) {
            return "route " + errorRate.route() + ": more than " + Math.round(errorRate.above() * 1000) / 10.0
                    + "% of answers are 5xx over " + Durations.format(errorRate.window());
        }
        if (p99 != null) {
            return "route " + p99.route() + ": p99 latency above " + Durations.format(p99.above()) + " over "
                    + Durations.format(p99.window());
        }
        if (restarts != null) {
            return "app " + restarts.app() + ": more than " + restarts.above() + " restarts in "
                    + Durations.format(restarts.window());
        }
        return "route " + breakerOpen.route() + ": the circuit breaker is open";
    }

    private static Duration checkedWindow(Duration window, String rule) {
        Duration value = window == null ? DEFAULT_WINDOW : window;
        if (value.compareTo(Duration.ofSeconds(1)) < 0 || value.compareTo(LONGEST_WINDOW) > 0) {
            throw new IllegalArgumentException(rule + ".window: " + value.toSeconds() + " s (expected 1s to 15m)");
        }
        return value;
    }

    private static String required(String value, String key) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(key + " is missing");
        }
        return value;
    }

    /** Fewer than {@code below} instances of {@code service} UP in the registry. */
    public record InstancesUp(String service, Integer below) {
        public InstancesUp {
            required(service, "instances-up.service");
            below = below == null ? 1 : below;
            if (below < 1) {
                throw new IllegalArgumentException("instances-up.below: " + below + " (expected at least 1)");
            }
        }
    }

    /** More than {@code above} (a share, 0 to 1) of a route's answers are 5xx over {@code window}. */
    public record ErrorRate(String route, Double above, Duration window) {
        public ErrorRate {
            required(route, "error-rate.route");
            if (above == null || !(above >= 0 && above < 1)) {
                throw new IllegalArgumentException("error-rate.above: " + above + " (expected a share, 0 to 1,"
                        + " e.g. 0.05)");
            }
            window = checkedWindow(window, "error-rate");
        }
    }

    /** A route's 99th percentile latency over {@code window} is above {@code above}. */
    public record P99(String route, Duration above, Duration window) {
        public P99 {
            required(route, "p99.route");
            if (above == null || above.isZero() || above.isNegative()) {
                throw new IllegalArgumentException("p99.above: expected a positive duration, e.g. 250ms");
            }
            window = checkedWindow(window, "p99");
        }
    }

    /** An app restarted (after crashes) more than {@code above} times within {@code window}. */
    public record Restarts(String app, Integer above, Duration window) {
        public Restarts {
            required(app, "restarts.app");
            above = above == null ? 0 : above;
            if (above < 0) {
                throw new IllegalArgumentException("restarts.above: " + above + " (expected 0 or more)");
            }
            window = checkedWindow(window, "restarts");
        }
    }

    /** A route's circuit breaker is open. */
    public record BreakerOpen(String route) {
        public BreakerOpen {
            required(route, "breaker-open.route");
        }
    }
}
