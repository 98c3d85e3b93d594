package dev.flotilla.core.balance;

import dev.flotilla.core.registry.Instance;
import dev.flotilla.core.registry.InstanceStatus;
import dev.flotilla.core.time.Ticker;
import dev.flotilla.core.version.VersionRange;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The instances of one service that match one version range, as a caller load-balances over them: only
 * UP instances are members, ejected ones are skipped, and a retry never returns to an instance it tried.
 *
 * <p>Membership is replaced as a whole ({@link #update}) from the registry watch; picks read an immutable
 * snapshot, so they are lock-free and safe from any event loop.
 *
 * <p>Written here rather than on Vert.x's {@code io.vertx.core.net.endpoint.LoadBalancer}: that SPI picks
 * one server from a list the resolver owns, with no way to skip an ejected instance or one a retry already
 * tried, and no shared outlier state; the gateway and the SDK client both need all three.
 */
public final class Upstream {

    private final String service;
    private final VersionRange range;
    private final OutlierPolicy outlierPolicy;
    private final Ticker ticker;
    private final AtomicInteger cursor = new AtomicInteger(ThreadLocalRandom.current().nextInt(1 << 16));
    private volatile Members members = new Members(List.of());

    public Upstream(String service, VersionRange range, OutlierPolicy outlierPolicy) {
        this(service, range, outlierPolicy, Ticker.SYSTEM);
    }

    /** With {@code ticker} as the clock of ejections (tests advance it by hand). */
    public Upstream(String service, VersionRange range, OutlierPolicy outlierPolicy, Ticker ticker) {
        this.service = service;
        this.range = range;
        this.outlierPolicy = outlierPolicy;
        this.ticker = ticker;
    }

    public String service() {
        return service;
    }

    public VersionRange range() {
        return range;
    }

    /** The current members (UP instances of the service within the range). */
    public List<Endpoint> endpoints() {
        return members.list;
    }

    /**
     * Replaces the membership with the UP instances among {@code instances} that belong here. Endpoints
     * of instances that stay keep their counters and ejection state.
     */
    public synchronized void update(Collection<Instance> instances) {
        Map<String, Endpoint> previous = new HashMap<>();
        for (Endpoint endpoint : members.list) {
            previous.put(endpoint.id(), endpoint);
        }
        List<Endpoint> next = new ArrayList<>();
        for (Instance instance : instances) {
            if (instance.status() != InstanceStatus.UP || !instance.service().equals(service)
                    || !range.matches(instance.version())) {
                continue;
            }
            Endpoint endpoint = previous.get(instance.id());
            if (endpoint == null) {
                endpoint = new Endpoint(instance);
            } else {
                endpoint.update(instance);
            }
            next.add(endpoint);
        }
        next.sort((a, b) -> a.id().compareTo(b.id()));
        members = new Members(List.copyOf(next));
    }

    /** The instance whose {@link Endpoint#stickyToken()} is {@code token}, if it is usable; null otherwise. */
    public Endpoint pinned(String token, Collection<Endpoint> tried) {
        long now = ticker.nanos();
        for (Endpoint endpoint : members.list) {
            if (endpoint.stickyToken().equals(token) && usable(endpoint, tried, now, true)) {
                return endpoint;
            }
        }
        return null;
    }

    /**
     * Chooses an instance for one attempt, or null when none is left. {@code hashKey} matters to
     * {@link Strategy#CONSISTENT_HASH} only (null falls back to round-robin); {@code tried} are skipped.
     * Ejected instances are skipped too, unless every remaining instance is ejected (then ejection is
     * ignored rather than failing every request: "panic mode").
     */
    public Endpoint pick(Strategy strategy, String hashKey, Collection<Endpoint> tried) {
        Members current = members;
        if (current.list.isEmpty()) {
            return null;
        }
        long now = ticker.nanos();
        Endpoint chosen = pick(current, strategy, hashKey, tried, now, true);
        return chosen != null ? chosen : pick(current, strategy, hashKey, tried, now, false);
    }

    private Endpoint pick(Members current, Strategy strategy, String hashKey, Collection<Endpoint> tried,
            long now, boolean skipEjected) {
        switch (strategy) {
            case WEIGHTED_ROUND_ROBIN:
                return walk(current.schedule(), cursor.getAndIncrement(), tried, now, skipEjected);
            case LEAST_REQUESTS:
                return leastRequests(current.list, tried, now, skipEjected);
            case CONSISTENT_HASH:
                if (hashKey != null) {
                    HashRing ring = current.ring();
                    int start = ring.start(hashKey);
                    for (int i = 0; i < ring.size(); i++) {
                        Endpoint candidate = ring.owner(start + i);
                        if (usable(candidate, tried, now, skipEjected)) {
                            return candidate;
                        }
                    }
                    return null;
                }
                return walk(current.array, cursor.getAndIncrement(), tried, now, skipEjected);
            case ROUND_ROBIN:
            default:
                return walk(current.array, cursor.getAndIncrement(), tried, now, skipEjected);
        }
    }

    private static Endpoint walk(Endpoint[] order, int start, Collection<Endpoint> tried, long now,
            boolean skipEjected) {
        int n = order.length;
        int from = Math.floorMod(start, n);
        for (int i = 0; i < n; i++) {
            Endpoint candidate = order[(from + i) % n];
            if (usable(candidate, tried, now, skipEjected)) {
                return candidate;
            }
        }
        return null;
    }

    /** Power of two choices: two distinct random candidates, the one with fewer requests per unit weight. */
    private static Endpoint leastRequests(List<Endpoint> list, Collection<Endpoint> tried, long now,
            boolean skipEjected) {
        int n = list.size();
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int offset = random.nextInt(n);
        Endpoint first = null;
        Endpoint second = null;
        int firstAt = -1;
        for (int i = 0; i < n && first == null; i++) {
            Endpoint candidate = list.get((offset + i) % n);
            if (usable(candidate, tried, now, skipEjected)) {
                first = candidate;
                firstAt = (offset + i) % n;
            }
        }
        if (first == null) {
            return null;
        }
        int offset2 = random.nextInt(n);
        for (int i = 0; i < n && second == null; i++) {
            int at = (offset2 + i) % n;
            Endpoint candidate = list.get(at);
            if (at != firstAt && usable(candidate, tried, now, skipEjected)) {
                second = candidate;
            }
        }
        if (second == null) {
            return first;
        }
        long a = (long) first.inFlight() * Math.max(1, second.instance().weight());
        long b = (long) second.inFlight() * Math.max(1, first.instance().weight());
        return a <= b ? first : second;
    }

    private static boolean usable(Endpoint candidate, Collection<Endpoint> tried, long now, boolean skipEjected) {
        return (!skipEjected || !candidate.isEjected(now)) && (tried.isEmpty() || !tried.contains(candidate));
    }

    /** Whether {@code endpoint} is ejected now, by this upstream's clock. */
    public boolean isEjected(Endpoint endpoint) {
        return endpoint.isEjected(ticker.nanos());
    }

    /** Counts a request starting on {@code endpoint}; every call must be paired with one {@code release}. */
    public void acquire(Endpoint endpoint) {
        endpoint.acquire();
    }

    /**
     * Ends a request on {@code endpoint}: {@code failed} feeds outlier detection, and an ejection happens
     * when the policy's threshold is reached and the share of ejected instances allows it.
     */
    public void release(Endpoint endpoint, boolean failed, long latencyMicros) {
        endpoint.release();
        long now = ticker.nanos();
        if (!failed) {
            endpoint.recordLatency(latencyMicros);
            endpoint.succeeded(now, outlierPolicy);
        } else if (endpoint.failed(outlierPolicy)) {
            tryEject(endpoint, now);
        }
    }

    /** Ends a request on {@code endpoint} whose outcome says nothing about the instance (the client's fault). */
    public void releaseUncounted(Endpoint endpoint) {
        endpoint.release();
    }

    private synchronized void tryEject(Endpoint endpoint, long now) {
        if (endpoint.isEjected(now)) {
            return;
        }
        List<Endpoint> list = members.list;
        int ejected = 0;
        for (Endpoint other : list) {
            if (other.isEjected(now)) {
                ejected++;
            }
        }
        int allowed = Math.min(list.size() - 1, Math.max(1, list.size() * outlierPolicy.maxEjectedPercent() / 100));
        if (outlierPolicy.maxEjectedPercent() == 0) {
            allowed = 0;
        }
        if (ejected < allowed) {
            endpoint.eject(now, outlierPolicy);
        } else {
            endpoint.resetFailures();
        }
    }

    /** The state of every member, for admin pages. */
    public JsonObject describe() {
        long now = ticker.nanos();
        JsonArray list = new JsonArray();
        for (Endpoint endpoint : members.list) {
            list.add(endpoint.describe(now));
        }
        return new JsonObject().put("service", service).put("version", range.toString()).put("instances", list);
    }

    /** One membership, with the weighted schedule and hash ring derived from it on first use. */
    private static final class Members {
        final List<Endpoint> list;
        final Endpoint[] array;
        private volatile Endpoint[] schedule;
        private volatile HashRing ring;

        Members(List<Endpoint> list) {
            this.list = list;
            this.array = list.toArray(new Endpoint[0]);
        }

        /** Smooth weighted round-robin (as nginx does it) unrolled over one cycle of total weight. */
        Endpoint[] schedule() {
            Endpoint[] result = schedule;
            if (result == null) {
                result = smoothWeighted(array);
                schedule = result;
            }
            return result;
        }

        HashRing ring() {
            HashRing result = ring;
            if (result == null) {
                result = new HashRing(list);
                ring = result;
            }
            return result;
        }

        private static Endpoint[] smoothWeighted(Endpoint[] endpoints) {
            int n = endpoints.length;
            int[] weights = new int[n];
            int total = 0;
            for (int i = 0; i < n; i++) {
                weights[i] = Math.max(1, endpoints[i].instance().weight());
                total += weights[i];
            }
            int divisor = 0;
            for (int w : weights) {
                divisor = gcd(divisor, w);
            }
            total /= divisor;
            int length = Math.min(total, 10_000);
            int[] current = new int[n];
            Endpoint[] order = new Endpoint[length];
            for (int step = 0; step < length; step++) {
                int best = 0;
                for (int i = 0; i < n; i++) {
                    current[i] += weights[i] / divisor;
                    if (current[i] > current[best]) {
                        best = i;
                    }
                }
                current[best] -= total;
                order[step] = endpoints[best];
            }
            return order;
        }

        private static int gcd(int a, int b) {
            return b == 0 ? a : gcd(b, a % b);
        }
    }
}
