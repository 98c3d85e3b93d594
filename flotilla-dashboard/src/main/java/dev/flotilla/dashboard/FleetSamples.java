package dev.flotilla.dashboard;

import dev.flotilla.dashboard.alerts.AlertRule;
import dev.flotilla.gateway.RouteStatus;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * The fleet's cumulative counters read once a second and kept for {@link AlertRule#LONGEST_WINDOW}: each
 * route's requests, 5xx and latency histogram, and each app's restarts. A window is the difference between
 * the newest reading and the oldest one inside it.
 */
public final class FleetSamples {

    private record RouteReading(long nanos, long requests, long serverErrors, double[] bucketSeconds,
            long[] bucketCounts) {
    }

    private record Count(long nanos, long value) {
    }

    private final Map<String, Deque<RouteReading>> routes = new HashMap<>();
    private final Map<String, Deque<Count>> restarts = new HashMap<>();
    private final long keepNanos = AlertRule.LONGEST_WINDOW.plusSeconds(5).toNanos();

    public synchronized void record(long nowNanos, List<RouteStatus> routeStatus, Map<String, Long> restartsByApp) {
        for (RouteStatus route : routeStatus) {
            Deque<RouteReading> readings = routes.computeIfAbsent(route.id(), k -> new ArrayDeque<>());
            readings.addLast(new RouteReading(nowNanos, route.requests(), route.serverErrors(),
                    route.bucketSeconds(), route.bucketCounts()));
            trim(readings, nowNanos, RouteReading::nanos);
        }
        restartsByApp.forEach((app, value) -> {
            Deque<Count> counts = restarts.computeIfAbsent(app, k -> new ArrayDeque<>());
            counts.addLast(new Count(nowNanos, value));
            trim(counts, nowNanos, Count::nanos);
        });
    }

    private <T> void trim(Deque<T> readings, long nowNanos, ToLongFunction<T> time) {
        while (readings.size() > 1 && nowNanos - time.applyAsLong(readings.peekFirst()) > keepNanos) {
            readings.removeFirst();
        }
    }

    /** The route's traffic over the last {@code span} (less while fewer readings exist); null if never seen. */
    public synchronized RouteWindow route(String id, Duration span) {
        Deque<RouteReading> readings = routes.get(id);
        if (readings == null || readings.isEmpty()) {
            return null;
        }
        RouteReading newest = readings.peekLast();
        RouteReading oldest = newest;
        for (RouteReading reading : readings) {
            if (newest.nanos() - reading.nanos() <= span.toNanos()) {
                oldest = reading;
                break;
            }
        }
        if (oldest == newest) {
            return new RouteWindow(0, 0, 0, newest.bucketSeconds(), new long[0]);
        }
        long[] buckets = new long[newest.bucketCounts().length];
        for (int i = 0; i < buckets.length; i++) {
            // Counters restart from zero when the routes are reloaded: a negative difference counts as zero.
            long before = i < oldest.bucketCounts().length ? oldest.bucketCounts()[i] : 0;
            buckets[i] = Math.max(0, newest.bucketCounts()[i] - before);
        }
        return new RouteWindow((newest.nanos() - oldest.nanos()) / 1e9,
                Math.max(0, newest.requests() - oldest.requests()),
                Math.max(0, newest.serverErrors() - oldest.serverErrors()), newest.bucketSeconds(), buckets);
    }

    /** Restarts of {@code app} over the last {@code span}; 0 when unknown. */
    public synchronized long restarts(String app, Duration span) {
        Deque<Count> counts = restarts.get(app);
        if (counts == null || counts.isEmpty()) {
            return 0;
        }
        Count newest = counts.peekLast();
        for (Count count : counts) {
            if (newest.nanos() - count.nanos() <= span.toNanos()) {
                return Math.max(0, newest.value() - count.value());
            }
        }
        return 0;
    }
}
