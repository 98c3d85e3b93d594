package dev.flotilla.registry.impl;

import dev.flotilla.core.registry.Instance;
import dev.flotilla.core.registry.InstanceStatus;
import dev.flotilla.registry.HealthCheckConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.tracing.TracingPolicy;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Active health checks: a GET on each instance's own {@code host:port} + {@code healthPath}, never any
 * other address (redirects are not followed). When several registries share a store, each instance is
 * checked by exactly one of them: the live registries are listed through the store, and the instance goes
 * to the one with the highest hash of (registry, instance) — rendezvous hashing, so a registry joining or
 * leaving moves only its share. Each check says which registry sent it ({@code X-Flotilla-Registry}).
 * Event-loop confined.
 */
final class HealthChecker {

    private static final Logger log = LoggerFactory.getLogger(HealthChecker.class);
    private static final long MEMBERSHIP_TTL_MS = 3_000;
    private static final long MEMBERSHIP_PERIOD_MS = 1_000;

    /** Consecutive results for one instance. */
    private static final class State {
        int successes;
        int failures;
        boolean inFlight;
    }

    private final Vertx vertx;
    private final RegistryView view;
    private final RegistryService service;
    private final RegistryStore store;
    private final HealthCheckConfig config;
    private final String self;
    private final Clock clock;
    private final HttpClientAgent http;
    private final Map<String, State> states = new HashMap<>();
    private List<String> members;
    private long checkTimer;
    private long membershipTimer;
    private long checksRun;
    private long checksFailed;

    HealthChecker(Vertx vertx, RegistryView view, RegistryService service, RegistryStore store,
                  HealthCheckConfig config, String self, Clock clock) {
        this.vertx = vertx;
        this.view = view;
        this.service = service;
        this.store = store;
        this.config = config;
        this.self = self;
        this.clock = clock;
        this.members = List.of(self);
        this.http = vertx.createHttpClient(new HttpClientOptions()
                        .setConnectTimeout((int) config.timeout().toMillis())
                        .setKeepAlive(true)
                        .setTracingPolicy(TracingPolicy.IGNORE)
                        .setMaxRedirects(0),
                new PoolOptions().setHttp1MaxSize(1));
    }

    Future<Void> start() {
        return refreshMembers().onComplete(r -> {
            membershipTimer = vertx.setPeriodic(MEMBERSHIP_PERIOD_MS, id -> refreshMembers());
            checkTimer = vertx.setPeriodic(config.interval().toMillis(), id -> checkAll());
        }).mapEmpty();
    }

    long checksRun() {
        return checksRun;
    }

    long checksFailed() {
        return checksFailed;
    }

    private Future<List<String>> refreshMembers() {
        return store.members(self, clock.millis(), MEMBERSHIP_TTL_MS)
                .onSuccess(live -> members = live.isEmpty() ? List.of(self) : live)
                .onFailure(e -> log.debug("Cannot refresh registry membership: {}", e.getMessage()));
    }

    private void checkAll() {
        states.keySet().removeIf(id -> view.get(id) == null);
        for (RegistryStore.Stored stored : view.all()) {
            Instance instance = stored.instance();
            if (instance.healthPath() == null || instance.status() == InstanceStatus.DRAINING || !owns(instance.id())) {
                continue;
            }
            State state = states.computeIfAbsent(instance.id(), id -> new State());
            if (!state.inFlight) {
                check(instance, state);
            }
        }
    }

    /** Rendezvous hashing: this registry checks the instance if it scores highest among the live ones. */
    boolean owns(String instanceId) {
        String best = null;
        long bestScore = -1;
        for (String member : members) {
            CRC32C crc = new CRC32C();
            crc.update((member + '\n' + instanceId).getBytes(StandardCharsets.UTF_8));
            long score = crc.getValue();
            if (score > bestScore || (score == bestScore && member.compareTo(best) < 0)) {
                best = member;
                bestScore = score;
            }
        }
        return self.equals(best);
    }

    private void check(Instance instance, State state) {
        state.inFlight = true;
        checksRun++;
        RequestOptions request = new RequestOptions()
                .setMethod(HttpMethod.GET)
                .setHost(instance.host())
                .setPort(instance.port())
                .setSsl("https".equals(instance.scheme()))
                .setURI(instance.healthPath())
                .setFollowRedirects(false)
                .putHeader("User-Agent", "flotilla-registry-health-check")
                .putHeader("X-Flotilla-Registry", self);
        http.request(request)
                .compose(req -> req.send().compose(resp -> resp.body().map(body -> resp.statusCode())))
                .timeout(config.timeout().toMillis(), TimeUnit.MILLISECONDS)
                .onComplete(result -> {
                    state.inFlight = false;
                    if (result.succeeded() && result.result() >= 200 && result.result() < 400) {
                        passed(instance.id(), state);
                    } else {
                        String detail = result.succeeded() ? "HTTP " + result.result()
                                : result.cause().getClass().getSimpleName() + ": " + result.cause().getMessage();
                        failed(instance.id(), state, detail);
                    }
                });
    }

    private void passed(String id, State state) {
        state.failures = 0;
        if (++state.successes >= config.rise()) {
            verdict(id, true, null);
        }
    }

    private void failed(String id, State state, String detail) {
        checksFailed++;
        state.successes = 0;
        if (++state.failures >= config.fall()) {
            verdict(id, false, detail);
        }
    }

    private void verdict(String id, boolean healthy, String detail) {
        service.healthVerdict(id, healthy, detail).onSuccess(changed -> {
            if (changed != null) {
                log.info("Instance {} is {} ({})", id, changed.status(), changed.statusReason());
            }
        }).onFailure(e -> log.warn("Cannot record the health of {}: {}", id, e.getMessage()));
    }

    void close() {
        vertx.cancelTimer(checkTimer);
        vertx.cancelTimer(membershipTimer);
        http.close();
    }
}
