package dev.flotilla.gateway.impl;

import io.vertx.core.Future;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Token buckets kept in this gateway's memory, one per key. At most {@value #MAX_KEYS} keys are kept:
 * when full, buckets that have refilled completely (idle keys) are dropped first, and if none has, the
 * new key is refused rather than letting an attacker grow the heap with made-up keys.
 */
final class LocalRateLimiter implements RateLimiter {

    static final int MAX_KEYS = 100_000;
    private static final Future<Boolean> YES = Future.succeededFuture(true);
    private static final Future<Boolean> NO = Future.succeededFuture(false);

    private final double perNano;
    private final double burst;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    LocalRateLimiter(double requestsPerSecond, int burst) {
        this.perNano = requestsPerSecond / 1e9;
        this.burst = burst;
    }

    @Override
    public Future<Boolean> tryAcquire(String key) {
        long now = System.nanoTime();
        Bucket bucket = buckets.get(key);
        if (bucket == null) {
            if (buckets.size() >= MAX_KEYS && !evictIdle(now)) {
                return NO;
            }
            bucket = buckets.computeIfAbsent(key, k -> new Bucket(burst, now));
        }
        return bucket.take(now, perNano, burst) ? YES : NO;
    }

    private boolean evictIdle(long now) {
        boolean evicted = false;
        for (Iterator<Bucket> it = buckets.values().iterator(); it.hasNext();) {
            if (it.next().fullAt(now, perNano, burst)) {
                it.remove();
                evicted = true;
            }
        }
        return evicted;
    }

    private static final class Bucket {
        private double tokens;
        private long updated;

        Bucket(double tokens, long now) {
            this.tokens = tokens;
            this.updated = now;
        }

        synchronized boolean take(long now, double perNano, double burst) {
            tokens = Math.min(burst, tokens + (now - updated) * perNano);
            updated = now;
            if (tokens >= 1) {
                tokens -= 1;
                return true;
            }
            return false;
        }

        synchronized boolean fullAt(long now, double perNano, double burst) {
            return tokens + (now - updated) * perNano >= burst;
        }
    }
}
