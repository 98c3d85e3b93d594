package dev.flotilla.dashboard.alerts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flotilla.core.config.ConfigException;
import dev.flotilla.core.config.YamlConfig;
import dev.flotilla.dashboard.FleetSamples;
import dev.flotilla.dashboard.RouteWindow;
import dev.flotilla.gateway.RouteStatus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AlertEvaluatorTest {

    record Rules(List<AlertRule> alerts) {
    }

    private static List<AlertRule> rules(String yaml) {
        return YamlConfig.read("test.yaml", yaml, Rules.class).alerts();
    }

    /** A fleet whose readings the test sets. */
    private static final class Fleet implements Readings {
        int up = 2;
        FleetSamples samples = new FleetSamples();

        @Override
        public int instancesUp(String service) {
            return up;
        }

        @Override
        public RouteWindow route(String route, Duration window) {
            return samples.route(route, window);
        }

        @Override
        public long restarts(String app, Duration window) {
            return samples.restarts(app, window);
        }

        @Override
        public boolean breakerOpen(String route) {
            return false;
        }
    }

    private static final long SECOND = 1_000_000_000L;

    @Test
    void aRuleFiresOnceItsConditionHeldForItsForAndResolvesWhenItStops() {
        List<JsonObject> sent = new ArrayList<>();
        AlertEvaluator evaluator = new AlertEvaluator(rules("""
                alerts:
                  - name: users-down
                    instances-up: {service: users, below: 2}
                    for: 3s
                    severity: critical
                """), sent::add);
        Fleet fleet = new Fleet();
        Instant t0 = Instant.parse("2026-12-02T18:00:00Z");
        evaluator.evaluate(fleet, 0, t0);
        assertThat(evaluator.states().getJsonObject(0).getString("state")).isEqualTo("inactive");

        fleet.up = 1;
        evaluator.evaluate(fleet, SECOND, t0.plusSeconds(1));
        assertThat(evaluator.states().getJsonObject(0).getString("state")).isEqualTo("pending");
        evaluator.evaluate(fleet, 3 * SECOND, t0.plusSeconds(3));
        assertThat(sent).isEmpty();
        evaluator.evaluate(fleet, 4 * SECOND, t0.plusSeconds(4));
        assertThat(sent).hasSize(1);
        assertThat(sent.get(0).getString("status")).isEqualTo("firing");
        assertThat(sent.get(0).getString("value")).isEqualTo("1 UP");
        assertThat(evaluator.states().getJsonObject(0).getString("state")).isEqualTo("firing");
        evaluator.evaluate(fleet, 5 * SECOND, t0.plusSeconds(5));
        assertThat(sent).hasSize(1); // fires once, not every second

        fleet.up = 2;
        evaluator.evaluate(fleet, 6 * SECOND, t0.plusSeconds(6));
        assertThat(sent).hasSize(2);
        assertThat(sent.get(1).getString("status")).isEqualTo("resolved");
        assertThat(evaluator.history()).hasSize(2);
    }

    @Test
    void aConditionThatStopsHoldingBeforeItsForNeverFires() {
        List<JsonObject> sent = new ArrayList<>();
        AlertEvaluator evaluator = new AlertEvaluator(rules("""
                alerts: [{name: flap, instances-up: {service: users}, for: 10s}]
                """), sent::add);
        Fleet fleet = new Fleet();
        fleet.up = 0;
        evaluator.evaluate(fleet, 0, Instant.EPOCH);
        fleet.up = 1;
        evaluator.evaluate(fleet, 5 * SECOND, Instant.EPOCH);
        fleet.up = 0;
        evaluator.evaluate(fleet, 12 * SECOND, Instant.EPOCH);
        assertThat(sent).isEmpty();
        assertThat(evaluator.states().getJsonObject(0).getString("state")).isEqualTo("pending");
    }

    @Test
    void errorRateAndLatencyAreTakenOverTheirWindowFromCumulativeCounts() {
        List<JsonObject> sent = new ArrayList<>();
        AlertEvaluator evaluator = new AlertEvaluator(rules("""
                alerts:
                  - {name: errors, error-rate: {route: users, above: 0.1, window: 10s}}
                  - {name: slow, p99: {route: users, above: 150ms, window: 10s}}
                """), sent::add);
        Fleet fleet = new Fleet();
        double[] bounds = {0.01, 0.1, 0.2, 1};
        // Before the window: 1000 fast failures, which must not count.
        fleet.samples.record(0, List.of(route(1000, 1000, bounds, new long[] {1000, 1000, 1000, 1000})), Map.of());
        fleet.samples.record(20 * SECOND, List.of(route(1000, 1000, bounds, new long[] {1000, 1000, 1000, 1000})),
                Map.of());
        evaluator.evaluate(fleet, 20 * SECOND, Instant.EPOCH);
        assertThat(sent).isEmpty();
        // In the window: 100 more answers, 20 of them 5xx, 10 of them between 100 and 200 ms.
        fleet.samples.record(25 * SECOND, List.of(route(1100, 1020, bounds, new long[] {1090, 1090, 1100, 1100})),
                Map.of());
        RouteWindow window = fleet.samples.route("users", Duration.ofSeconds(10));
        assertThat(window.requests()).isEqualTo(100);
        assertThat(window.errorRate()).isEqualTo(0.2);
        assertThat(window.rate()).isEqualTo(20.0);
        assertThat(window.quantile(0.5)).isEqualTo(0.01 * 50 / 90);
        assertThat(window.quantile(0.99)).isEqualTo(0.1 + 0.1 * 9 / 10);
        evaluator.evaluate(fleet, 25 * SECOND, Instant.EPOCH);
        assertThat(sent).extracting(e -> e.getString("alert")).containsExactly("errors", "slow");
        assertThat(sent.get(0).getString("value")).isEqualTo("20.0% 5xx");
    }

    private static RouteStatus route(long requests, long errors, double[] bounds, long[] buckets) {
        return new RouteStatus("users", "/api/users/**", "users", null, requests, errors, bounds, buckets,
                new JsonArray());
    }

    @Test
    void restartsAreCountedWithinTheirWindow() {
        FleetSamples samples = new FleetSamples();
        samples.record(0, List.of(), Map.of("users", 2L));
        samples.record(30 * SECOND, List.of(), Map.of("users", 3L));
        samples.record(60 * SECOND, List.of(), Map.of("users", 7L));
        assertThat(samples.restarts("users", Duration.ofSeconds(45))).isEqualTo(4);
        assertThat(samples.restarts("users", Duration.ofMinutes(5))).isEqualTo(5);
        assertThat(samples.restarts("nobody", Duration.ofMinutes(5))).isZero();
    }

    @Test
    void aBadRuleIsRefusedWithItsNameAndKey() {
        assertThatThrownBy(() -> rules("alerts: [{name: x}]")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("alert 'x': no condition");
        assertThatThrownBy(() -> rules("alerts: [{name: x, instances-up: {service: a}, breaker-open: {route: b}}]"))
                .hasMessageContaining("conditions [instances-up, breaker-open] together");
        assertThatThrownBy(() -> rules("alerts: [{name: x, error-rate: {route: a, above: 5}}]"))
                .hasMessageContaining("error-rate.above: 5.0 (expected a share, 0 to 1");
        assertThatThrownBy(() -> rules("alerts: [{name: x, breaker-open: {route: a}, severity: loud}]"))
                .hasMessageContaining("severity 'loud'");
        assertThatThrownBy(() -> rules("alerts: [{name: x, p99: {route: a, above: 1s, window: 1h}}]"))
                .hasMessageContaining("p99.window: 3600 s (expected 1s to 15m)");
    }
}
