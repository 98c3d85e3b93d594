package dev.flotilla.dashboard.alerts;

import dev.flotilla.dashboard.RouteWindow;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Evaluates the rules, as Prometheus does: a rule whose condition holds is pending, and fires once it has held
 * for its {@code for}; it resolves when the condition stops holding. Every firing and resolution goes to
 * {@code notify} (the log and the webhook) and to the recent history the dashboard shows. Called once a
 * second by the control plane, with the time passed in so that tests step it.
 */
public final class AlertEvaluator {

    /** A rule's state: inactive, pending since, or firing since. */
    private static final class State {
        String phase = "inactive";
        long sinceNanos;
        Instant since;
        String value;
    }

    private final List<AlertRule> rules;
    private final Map<String, State> states = new LinkedHashMap<>();
    private final Deque<JsonObject> history = new ArrayDeque<>();
    private final Consumer<JsonObject> notify;

    public AlertEvaluator(List<AlertRule> rules, Consumer<JsonObject> notify) {
        this.rules = List.copyOf(rules);
        this.notify = notify;
        rules.forEach(rule -> states.put(rule.name(), new State()));
    }

    public List<AlertRule> rules() {
        return rules;
    }

    /** Evaluates every rule against {@code readings} at {@code nowNanos} (monotonic) / {@code now} (wall). */
    public synchronized void evaluate(Readings readings, long nowNanos, Instant now) {
        for (AlertRule rule : rules) {
            State state = states.get(rule.name());
            String value = value(rule, readings);
            state.value = value;
            boolean holds = value != null;
            switch (state.phase) {
                case "inactive" -> {
                    if (holds) {
                        state.phase = "pending";
                        state.sinceNanos = nowNanos;
                        state.since = now;
                    }
                }
                case "pending" -> {
                    if (!holds) {
                        state.phase = "inactive";
                    }
                }
                default -> {
                    if (!holds) {
                        state.phase = "inactive";
                        event(rule, "resolved", now, null);
                    }
                }
            }
            if (holds && state.phase.equals("pending") && nowNanos - state.sinceNanos >= rule.holdFor().toNanos()) {
                state.phase = "firing";
                state.since = now;
                event(rule, "firing", now, value);
            }
        }
    }

    /** Null while the condition does not hold; otherwise what was measured, in words. */
    private static String value(AlertRule rule, Readings readings) {
        if (rule.instancesUp() != null) {
            int up = readings.instancesUp(rule.instancesUp().service());
            return up < rule.instancesUp().below() ? up + " UP" : null;
        }
        if (rule.errorRate() != null) {
            RouteWindow window = readings.route(rule.errorRate().route(), rule.errorRate().window());
            return window != null && window.requests() > 0 && window.errorRate() > rule.errorRate().above()
                    ? Math.round(window.errorRate() * 1000) / 10.0 + "% 5xx" : null;
        }
        if (rule.p99() != null) {
            RouteWindow window = readings.route(rule.p99().route(), rule.p99().window());
            double p99 = window == null ? Double.NaN : window.quantile(0.99);
            return !Double.isNaN(p99) && p99 > rule.p99().above().toNanos() / 1e9
                    ? "p99 " + Math.round(p99 * 1000) + " ms" : null;
        }
        if (rule.restarts() != null) {
            long restarts = readings.restarts(rule.restarts().app(), rule.restarts().window());
            return restarts > rule.restarts().above() ? restarts + " restarts" : null;
        }
        return readings.breakerOpen(rule.breakerOpen().route()) ? "open" : null;
    }

    private void event(AlertRule rule, String status, Instant now, String value) {
        JsonObject event = new JsonObject().put("alert", rule.name()).put("status", status)
                .put("severity", rule.severity()).put("summary", rule.describe()).put("value", value)
                .put("at", now.toString());
        history.addFirst(event);
        while (history.size() > 50) {
            history.removeLast();
        }
        notify.accept(event);
    }

    /** Every rule with its state (inactive, pending or firing), since when, and the last value measured. */
    public synchronized JsonArray states() {
        JsonArray list = new JsonArray();
        for (AlertRule rule : rules) {
            State state = states.get(rule.name());
            list.add(new JsonObject().put("alert", rule.name()).put("state", state.phase)
                    .put("severity", rule.severity()).put("summary", rule.describe())
                    .put("since", state.phase.equals("inactive") ? null : state.since.toString())
                    .put("value", state.value));
        }
        return list;
    }

    /** The last 50 firings and resolutions, newest first. */
    public synchronized JsonArray history() {
        return new JsonArray(List.copyOf(history));
    }
}
