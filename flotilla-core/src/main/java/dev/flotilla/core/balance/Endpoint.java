package dev.flotilla.core.balance;

import dev.flotilla.core.registry.Instance;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One instance as a caller sees it: where it is, plus the live counters that load balancing and outlier
 * detection read. An endpoint outlives changes to its instance's registration (same id, new fields), so
 * its counters do too. Thread-safe: the counters are touched by every event loop.
 */
public final class Endpoint {

    private volatile Instance instance;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger consecutiveFailures = new AtomicInteger();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private volatile long ejectedUntilNanos;
    private volatile long lastEjectedNanos;
    private volatile int ejections;
    private final AtomicLong totalEjections = new AtomicLong();
    /** Exponentially weighted mean of attempt latency, in microseconds; racy updates are acceptable. */
    private volatile double latencyMicros;
    private volatile String stickyToken;

    Endpoint(Instance instance) {
        this.instance = instance;
    }

    public Instance instance() {
        return instance;
    }

    void update(Instance newer) {
        this.instance = newer;
    }

    public String id() {
        return instance.id();
    }

    /**
     * A name for this instance that reveals nothing of it: the first 16 hex digits of the SHA-256 of its id.
     * Sticky cookies carry it.
     */
    public String stickyToken() {
        String token = stickyToken;
        if (token == null) {
            try {
                byte[] digest = MessageDigest.getInstance("SHA-256").digest(id().getBytes(StandardCharsets.UTF_8));
                token = HexFormat.of().formatHex(digest, 0, 8);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e); // every JDK has SHA-256
            }
            stickyToken = token;
        }
        return token;
    }

    public String host() {
        return instance.host();
    }

    public int port() {
        return instance.port();
    }

    /** Requests started on this endpoint whose outcome is not known yet. */
    public int inFlight() {
        return inFlight.get();
    }

    public boolean isEjected(long nowNanos) {
        return nowNanos - ejectedUntilNanos < 0;
    }

    /** Marks the start of a request; pair with {@link Upstream#release}. */
    void acquire() {
        inFlight.incrementAndGet();
        requests.incrementAndGet();
    }

    void release() {
        inFlight.decrementAndGet();
    }

    void recordLatency(long micros) {
        double previous = latencyMicros;
        latencyMicros = previous == 0 ? micros : previous * 0.9 + micros * 0.1;
    }

    /** Counts a success; returns nothing to do. */
    void succeeded(long nowNanos, OutlierPolicy policy) {
        consecutiveFailures.set(0);
        if (ejections > 0 && nowNanos - lastEjectedNanos > policy.maxEjectionMs() * 2_000_000L) {
            ejections = 0; // healthy for long enough: the next ejection starts short again
        }
    }

    /** Counts a failure; returns true when this failure reaches the policy's threshold. */
    boolean failed(OutlierPolicy policy) {
        failures.incrementAndGet();
        return consecutiveFailures.incrementAndGet() >= policy.consecutiveFailures();
    }

    void eject(long nowNanos, OutlierPolicy policy) {
        long ms = Math.min(policy.maxEjectionMs(), policy.baseEjectionMs() << Math.min(ejections, 20));
        ejections++;
        totalEjections.incrementAndGet();
        lastEjectedNanos = nowNanos;
        ejectedUntilNanos = nowNanos + ms * 1_000_000L;
        consecutiveFailures.set(0);
    }

    void resetFailures() {
        consecutiveFailures.set(0);
    }

    /** Requests started on this endpoint since it joined. */
    public long requests() {
        return requests.get();
    }

    public long totalEjections() {
        return totalEjections.get();
    }

    /** What an operator wants to see about this endpoint (the gateway's {@code /admin/upstreams}). */
    public JsonObject describe(long nowNanos) {
        Instance current = instance;
        boolean ejected = isEjected(nowNanos);
        return new JsonObject()
                .put("id", current.id())
                .put("address", current.host() + ":" + current.port())
                .put("version", current.version())
                .put("weight", current.weight())
                .put("state", ejected ? "ejected" : "serving")
                .put("ejectedForMs", ejected ? (ejectedUntilNanos - nowNanos) / 1_000_000L : 0)
                .put("inFlight", inFlight.get())
                .put("requests", requests.get())
                .put("failures", failures.get())
                .put("consecutiveFailures", consecutiveFailures.get())
                .put("ejections", totalEjections.get())
                .put("latencyMs", Math.round(latencyMicros) / 1000.0);
    }

    @Override
    public String toString() {
        return instance.id() + "@" + instance.host() + ":" + instance.port();
    }
}
