package dev.flotilla.core.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flotilla.core.balance.Endpoint;
import dev.flotilla.core.balance.OutlierPolicy;
import dev.flotilla.core.balance.Strategy;
import dev.flotilla.core.balance.Upstream;
import dev.flotilla.core.registry.Instance;
import dev.flotilla.core.registry.InstanceStatus;
import dev.flotilla.core.time.ManualTicker;
import dev.flotilla.core.version.VersionRange;
import io.vertx.core.Future;
import java.net.ConnectException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The protocol of a resilient call, with attempts that answer at once: which outcome leads where. */
class ResilientCallerTest {

    private final ManualTicker ticker = new ManualTicker();
    private final Upstream upstream = new Upstream("users", VersionRange.parse("^1"),
            new OutlierPolicy(2, 60_000, 60_000, 50), ticker);
    /** Which instance each attempt went to, in order. */
    private final List<String> attempts = new ArrayList<>();

    ResilientCallerTest() {
        upstream.update(List.of(instance("a"), instance("b"), instance("c")));
    }

    private static Instance instance(String id) {
        return Instance.builder(id, "users", "1.0.0").host("127.0.0.1").port(9000).status(InstanceStatus.UP).build();
    }

    private ResilientCaller caller(CircuitBreaker breaker, RetryBudget budget, boolean serverErrorsEject) {
        return new ResilientCaller(upstream, breaker, budget, serverErrorsEject, ticker);
    }

    private static ResilientCaller.Call call(boolean idempotent, int retries) {
        return new ResilientCaller.Call(Strategy.ROUND_ROBIN, null, idempotent, RetryPolicy.safeRetries(retries), null);
    }

    /** Attempts that fail with the given failures in turn, then answer with {@code status}. */
    private Function<Endpoint, Future<Integer>> failing(int status, Throwable... failures) {
        return endpoint -> {
            attempts.add(endpoint.id());
            return attempts.size() <= failures.length ? Future.failedFuture(failures[attempts.size() - 1])
                    : Future.succeededFuture(status);
        };
    }

    private static <T> T result(Future<T> future) {
        assertThat(future.isComplete()).isTrue();
        return future.result();
    }

    private static UpstreamFailure.Kind failureOf(Future<?> future) {
        assertThat(future.failed()).as("the call failed").isTrue();
        return UpstreamFailure.of(future.cause()).kind();
    }

    @Test
    void aConnectFailureIsRetriedOnAnotherInstanceWhateverTheMethod() {
        Future<ResilientCaller.Outcome<Integer>> outcome = caller(null, RetryBudget.standard(), false)
                .call(call(false, 2), failing(200, UpstreamFailure.connect(new ConnectException("refused"))),
                        status -> status);
        assertThat(result(outcome).attempts()).isEqualTo(2);
        assertThat(attempts).doesNotHaveDuplicates().hasSize(2);
        assertThat(result(outcome).endpoint().id()).isEqualTo(attempts.get(1));
    }

    @Test
    void aTimeoutIsRetriedOnlyWhenTheCallIsIdempotent() {
        ResilientCaller caller = caller(null, RetryBudget.standard(), false);
        Future<ResilientCaller.Outcome<Integer>> post = caller.call(call(false, 2),
                failing(200, new TimeoutException("slow")), status -> status);
        assertThat(failureOf(post)).isEqualTo(UpstreamFailure.Kind.TIMEOUT);
        assertThat(attempts).hasSize(1);

        attempts.clear();
        Future<ResilientCaller.Outcome<Integer>> get = caller.call(call(true, 2),
                failing(200, new TimeoutException("slow")), status -> status);
        assertThat(result(get).attempts()).isEqualTo(2);
    }

    @Test
    void retriesStopAtThePolicysCountAndReturnTheLastFailure() {
        Future<ResilientCaller.Outcome<Integer>> outcome = caller(null, RetryBudget.standard(), false)
                .call(call(true, 1), failing(200, new TimeoutException("one"), new TimeoutException("two")),
                        status -> status);
        assertThat(failureOf(outcome)).isEqualTo(UpstreamFailure.Kind.TIMEOUT);
        assertThat(outcome.cause()).hasMessageContaining("two");
        assertThat(attempts).hasSize(2);
    }

    @Test
    void aSpentBudgetStopsRetries() {
        RetryBudget empty = new RetryBudget(0, 0, ticker);
        Future<ResilientCaller.Outcome<Integer>> outcome = caller(null, empty, false)
                .call(call(true, 2), failing(200, new TimeoutException("slow")), status -> status);
        assertThat(failureOf(outcome)).isEqualTo(UpstreamFailure.Kind.TIMEOUT);
        assertThat(attempts).hasSize(1);
    }

    @Test
    void theInstancesFailuresEjectItButTheClientsDoNot() {
        ResilientCaller caller = caller(null, new RetryBudget(0, 0, ticker), false);
        for (int i = 0; i < 3; i++) {
            caller.call(call(true, 0), endpoint -> {
                attempts.add(endpoint.id());
                return Future.failedFuture(UpstreamFailure.client("the client hung up"));
            }, (Integer status) -> status);
        }
        assertThat(upstream.endpoints()).noneMatch(upstream::isEjected);

        Endpoint a = upstream.endpoints().get(0);
        for (int i = 0; i < 2; i++) {
            caller.call(new ResilientCaller.Call(Strategy.ROUND_ROBIN, null, true, RetryPolicy.NEVER,
                    a.stickyToken()), endpoint -> Future.failedFuture(new TimeoutException("frozen")),
                    (Integer status) -> status);
        }
        assertThat(upstream.isEjected(a)).as("two timeouts in a row").isTrue();
    }

    @Test
    void aStaleConnectionIsRetriedOnceBeyondThePolicyAndNotHeldAgainstTheInstance() {
        UpstreamFailure stale = UpstreamFailure.stale(new RuntimeException("closed"));
        Future<ResilientCaller.Outcome<Integer>> outcome = caller(null, new RetryBudget(0, 0, ticker), false)
                .call(call(true, 0), failing(200, stale), status -> status);
        assertThat(result(outcome).attempts()).isEqualTo(1);
        assertThat(attempts).hasSize(2);
        assertThat(upstream.endpoints()).allMatch(e -> e.inFlight() == 0);

        attempts.clear();
        Future<ResilientCaller.Outcome<Integer>> twice = caller(null, RetryBudget.standard(), false)
                .call(call(true, 0), failing(200, stale, stale), status -> status);
        assertThat(failureOf(twice)).isEqualTo(UpstreamFailure.Kind.STALE);
    }

    @Test
    void serverErrorsOpenTheBreakerAndEjectOnlyWhenAskedTo() {
        CircuitBreaker breaker = new CircuitBreaker(new BreakerPolicy(50, 4, 10_000, 1_000, 1), ticker);
        ResilientCaller caller = caller(breaker, RetryBudget.standard(), false);
        for (int i = 0; i < 4; i++) {
            Future<ResilientCaller.Outcome<Integer>> answer = caller.call(call(true, 2), failing(503),
                    status -> status);
            assertThat(result(answer).result()).as("a 5xx is an answer, not retried").isEqualTo(503);
        }
        assertThat(attempts).hasSize(4);
        assertThat(upstream.endpoints()).noneMatch(upstream::isEjected);
        assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);

        attempts.clear();
        Future<ResilientCaller.Outcome<Integer>> refused = caller.call(call(true, 2), failing(200), status -> status);
        assertThat(failureOf(refused)).isEqualTo(UpstreamFailure.Kind.CIRCUIT_OPEN);
        assertThat(attempts).as("nothing is sent while the breaker is open").isEmpty();
        assertThat(UpstreamFailure.of(refused.cause()).toHttp("users").status()).isEqualTo(503);

        ResilientCaller ejecting = caller(null, RetryBudget.standard(), true);
        Endpoint a = upstream.endpoints().get(0);
        for (int i = 0; i < 2; i++) {
            ejecting.call(new ResilientCaller.Call(Strategy.ROUND_ROBIN, null, true, RetryPolicy.NEVER,
                    a.stickyToken()), endpoint -> Future.succeededFuture(500), (Integer status) -> status);
        }
        assertThat(upstream.isEjected(a)).isTrue();
    }

    @Test
    void withNoInstanceTheCallFailsAtOnce() {
        upstream.update(List.of());
        Future<ResilientCaller.Outcome<Integer>> outcome = caller(null, RetryBudget.standard(), false)
                .call(call(true, 2), failing(200), status -> status);
        assertThat(failureOf(outcome)).isEqualTo(UpstreamFailure.Kind.NO_INSTANCE);
        assertThat(attempts).isEmpty();
    }

    @Test
    void aRetryPolicyRefusesANegativeCount() {
        assertThatThrownBy(() -> RetryPolicy.safeRetries(-1))
                .hasMessage("retries: -1 (expected: >= 0)");
    }
}
