package dev.flotilla.core.balance;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * A consistent-hash ring (Karger et al.) with virtual nodes in proportion to weight: when an instance
 * joins or leaves, only the keys on its arcs move. Immutable.
 *
 * <p>Hand-written because Vert.x's consistent-hashing balancer picks from endpoints its resolver owns
 * and cannot skip an instance that outlier detection ejected or a retry already tried; this one walks on
 * to the next instance clockwise, which keeps the remaining keys where they were.
 */
final class HashRing {

    private static final int POINTS_PER_WEIGHT = 64;
    private static final int MAX_WEIGHT_FACTOR = 16;

    private final long[] points;
    private final Endpoint[] owners;

    HashRing(List<Endpoint> endpoints) {
        int total = 0;
        for (Endpoint endpoint : endpoints) {
            total += pointsFor(endpoint);
        }
        long[] hashes = new long[total];
        Endpoint[] byIndex = new Endpoint[total];
        int i = 0;
        for (Endpoint endpoint : endpoints) {
            for (int p = 0; p < pointsFor(endpoint); p++) {
                hashes[i] = hash(endpoint.id() + "#" + p);
                byIndex[i] = endpoint;
                i++;
            }
        }
        Integer[] order = new Integer[total];
        for (int k = 0; k < total; k++) {
            order[k] = k;
        }
        Arrays.sort(order, (a, b) -> Long.compare(hashes[a], hashes[b]));
        points = new long[total];
        owners = new Endpoint[total];
        for (int k = 0; k < total; k++) {
            points[k] = hashes[order[k]];
            owners[k] = byIndex[order[k]];
        }
    }

    private static int pointsFor(Endpoint endpoint) {
        return POINTS_PER_WEIGHT * Math.max(1, Math.min(MAX_WEIGHT_FACTOR, endpoint.instance().weight()));
    }

    /** The index on the ring where {@code key} lands; walk on with {@link #owner(int)} and increasing offsets. */
    int start(String key) {
        int at = Arrays.binarySearch(points, hash(key));
        if (at < 0) {
            at = -at - 1;
        }
        return at == points.length ? 0 : at;
    }

    int size() {
        return points.length;
    }

    Endpoint owner(int index) {
        return owners[index % owners.length];
    }

    /** FNV-1a over UTF-8, then a 64-bit finalizer so that nearby keys spread over the whole ring. */
    static long hash(String key) {
        long h = 0xcbf29ce484222325L;
        for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }
}
