package dev.flotilla.core.balance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.core.registry.Instance;
import dev.flotilla.core.registry.InstanceStatus;
import dev.flotilla.core.time.ManualTicker;
import dev.flotilla.core.version.VersionRange;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class UpstreamTest {

    private static Instance instance(String id, String version, int weight, InstanceStatus status) {
        return Instance.builder(id, "users", version).host("127.0.0.1").port(9000 + id.hashCode() % 100)
                .weight(weight).status(status).build();
    }

    private final ManualTicker ticker = new ManualTicker();

    private Upstream upstream(OutlierPolicy policy, Instance... instances) {
        Upstream upstream = new Upstream("users", VersionRange.parse("^1"), policy, ticker);
        upstream.update(List.of(instances));
        return upstream;
    }

    private static Map<String, Integer> spread(Upstream upstream, Strategy strategy, int picks) {
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < picks; i++) {
            counts.merge(upstream.pick(strategy, null, List.of()).id(), 1, Integer::sum);
        }
        return counts;
    }

    @Test
    void membersAreTheUpInstancesWithinTheVersionRange() {
        Upstream upstream = upstream(OutlierPolicy.DEFAULT,
                instance("a", "1.2.0", 1, InstanceStatus.UP),
                instance("b", "2.0.0", 1, InstanceStatus.UP),
                instance("c", "1.0.0", 1, InstanceStatus.DRAINING),
                instance("d", "1.0.0", 1, InstanceStatus.DOWN),
                instance("e", "1.0.0", 1, InstanceStatus.STARTING));
        assertThat(upstream.endpoints()).extracting(Endpoint::id).containsExactly("a");
    }

    @Test
    void roundRobinVisitsEachInstanceInTurnIgnoringWeights() {
        Upstream upstream = upstream(OutlierPolicy.DEFAULT, instance("a", "1.0.0", 5, InstanceStatus.UP),
                instance("b", "1.0.0", 1, InstanceStatus.UP), instance("c", "1.0.0", 1, InstanceStatus.UP));
        assertThat(spread(upstream, Strategy.ROUND_ROBIN, 300)).containsOnly(
                Map.entry("a", 100), Map.entry("b", 100), Map.entry("c", 100));
    }

    @Test
    void weightedRoundRobinFollowsWeightsAndInterleaves() {
        Upstream upstream = upstream(OutlierPolicy.DEFAULT, instance("a", "1.0.0", 3, InstanceStatus.UP),
                instance("b", "1.0.0", 1, InstanceStatus.UP));
        assertThat(spread(upstream, Strategy.WEIGHTED_ROUND_ROBIN, 400)).containsOnly(
                Map.entry("a", 300), Map.entry("b", 100));
        List<String> cycle = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            cycle.add(upstream.pick(Strategy.WEIGHTED_ROUND_ROBIN, null, List.of()).id());
        }
        assertThat(String.join("", cycle)).doesNotContain("aaaa").doesNotContain("bb");
    }

    @Test
    void leastRequestsAvoidsTheBusyInstance() {
        Upstream upstream = upstream(OutlierPolicy.DEFAULT, instance("a", "1.0.0", 1, InstanceStatus.UP),
                instance("b", "1.0.0", 1, InstanceStatus.UP));
        Endpoint busy = upstream.endpoints().get(0);
        for (int i = 0; i < 10; i++) {
            upstream.acquire(busy);
        }
        assertThat(spread(upstream, Strategy.LEAST_REQUESTS, 200)).containsOnly(Map.entry("b", 200));
    }

    @Test
    void consistentHashKeepsKeysWhereTheyWereWhenAnotherInstanceLeaves() {
        Instance a = instance("a", "1.0.0", 1, InstanceStatus.UP);
        Instance b = instance("b", "1.0.0", 1, InstanceStatus.UP);
        Instance c = instance("c", "1.0.0", 1, InstanceStatus.UP);
        Upstream upstream = upstream(OutlierPolicy.DEFAULT, a, b, c);
        Map<String, String> before = new HashMap<>();
        for (int i = 0; i < 300; i++) {
            String key = "session-" + i;
            String first = upstream.pick(Strategy.CONSISTENT_HASH, key, List.of()).id();
            assertThat(upstream.pick(Strategy.CONSISTENT_HASH, key, List.of()).id()).isEqualTo(first);
            before.put(key, first);
        }
        assertThat(new HashMap<>(before).values()).contains("a", "b", "c");
        upstream.update(List.of(a, b));
        before.forEach((key, owner) -> {
            String now = upstream.pick(Strategy.CONSISTENT_HASH, key, List.of()).id();
            if (!owner.equals("c")) {
                assertThat(now).as(key).isEqualTo(owner);
            }
        });
    }

    @Test
    void aPickSkipsInstancesAlreadyTried() {
        Upstream upstream = upstream(OutlierPolicy.DEFAULT, instance("a", "1.0.0", 1, InstanceStatus.UP),
                instance("b", "1.0.0", 1, InstanceStatus.UP));
        for (Strategy strategy : Strategy.values()) {
            Endpoint first = upstream.pick(strategy, "k", List.of());
            Endpoint second = upstream.pick(strategy, "k", List.of(first));
            assertThat(second).as(strategy.wireName()).isNotNull().isNotSameAs(first);
            assertThat(upstream.pick(strategy, "k", List.of(first, second))).isNull();
        }
    }

    @Test
    void consecutiveFailuresEjectButNeverMoreThanTheAllowedShare() {
        OutlierPolicy policy = new OutlierPolicy(2, 60_000, 60_000, 50);
        Upstream upstream = upstream(policy, instance("a", "1.0.0", 1, InstanceStatus.UP),
                instance("b", "1.0.0", 1, InstanceStatus.UP), instance("c", "1.0.0", 1, InstanceStatus.UP),
                instance("d", "1.0.0", 1, InstanceStatus.UP));
        for (Endpoint endpoint : upstream.endpoints()) {
            for (int i = 0; i < 2; i++) {
                upstream.acquire(endpoint);
                upstream.release(endpoint, true, 1000);
            }
        }
        assertThat(upstream.endpoints().stream().filter(upstream::isEjected).count()).isEqualTo(2);
        Set<String> picked = spread(upstream, Strategy.ROUND_ROBIN, 40).keySet();
        assertThat(picked).hasSize(2).doesNotContain("a", "b");
    }

    @Test
    void aSuccessResetsTheFailureCount() {
        Upstream upstream = upstream(new OutlierPolicy(2, 60_000, 60_000, 50),
                instance("a", "1.0.0", 1, InstanceStatus.UP), instance("b", "1.0.0", 1, InstanceStatus.UP));
        Endpoint a = upstream.endpoints().get(0);
        for (boolean failed : new boolean[] {true, false, true, false, true}) {
            upstream.acquire(a);
            upstream.release(a, failed, 1000);
        }
        assertThat(upstream.isEjected(a)).isFalse();
        assertThat(a.inFlight()).isZero();
    }

    @Test
    void theLastInstanceIsNeverEjected() {
        Upstream upstream = upstream(new OutlierPolicy(1, 60_000, 60_000, 100),
                instance("a", "1.0.0", 1, InstanceStatus.UP));
        Endpoint a = upstream.endpoints().get(0);
        for (int i = 0; i < 5; i++) {
            upstream.acquire(a);
            upstream.release(a, true, 1000);
        }
        assertThat(upstream.isEjected(a)).as("the only instance, even at 100 %% allowed").isFalse();
        assertThat(a.totalEjections()).isZero();
        assertThat(upstream.pick(Strategy.ROUND_ROBIN, null, List.of())).isSameAs(a);
    }

    @Test
    void anEjectionEndsAfterItsTimeAndTheNextOneLastsTwiceAsLong() {
        Upstream upstream = upstream(new OutlierPolicy(1, 1_000, 60_000, 50),
                instance("a", "1.0.0", 1, InstanceStatus.UP), instance("b", "1.0.0", 1, InstanceStatus.UP));
        Endpoint a = upstream.endpoints().get(0);
        upstream.acquire(a);
        upstream.release(a, true, 1000);
        assertThat(upstream.isEjected(a)).isTrue();
        assertThat(spread(upstream, Strategy.ROUND_ROBIN, 10)).containsOnly(Map.entry("b", 10));
        ticker.advance(Duration.ofMillis(999));
        assertThat(upstream.isEjected(a)).isTrue();
        ticker.advance(Duration.ofMillis(1));
        assertThat(upstream.isEjected(a)).as("back after the base ejection time").isFalse();
        assertThat(spread(upstream, Strategy.ROUND_ROBIN, 10)).containsOnly(Map.entry("a", 5), Map.entry("b", 5));

        upstream.acquire(a);
        upstream.release(a, true, 1000);
        ticker.advance(Duration.ofMillis(1_999));
        assertThat(upstream.isEjected(a)).as("the second ejection lasts 2 s").isTrue();
        ticker.advance(Duration.ofMillis(1));
        assertThat(upstream.isEjected(a)).isFalse();
    }

    @Test
    void whenEveryUsableInstanceIsEjectedPicksIgnoreEjection() {
        Upstream upstream = upstream(new OutlierPolicy(1, 60_000, 60_000, 50),
                instance("a", "1.0.0", 1, InstanceStatus.UP), instance("b", "1.0.0", 1, InstanceStatus.UP));
        Endpoint a = upstream.endpoints().get(0);
        Endpoint b = upstream.endpoints().get(1);
        upstream.acquire(a);
        upstream.release(a, true, 1000);
        assertThat(upstream.isEjected(a)).isTrue();
        assertThat(upstream.pick(Strategy.ROUND_ROBIN, null, List.of(b))).as("panic mode").isSameAs(a);
    }
}
