package dev.flotilla.service.session;

import java.time.Duration;
import java.util.Objects;

/**
 * How sessions behave. Defaults follow OWASP's session management advice and Spring Session's defaults.
 *
 * @param cookieName      the cookie that carries the session id (default {@code flotilla.sid})
 * @param idleTimeout     a session unused this long ends (default 30 min)
 * @param absoluteTimeout a session ends this long after it began, used or not (default 12 h)
 * @param maxAttributes   attributes one session may hold (default 64)
 * @param maxBytes        total size of one session's names and JSON values, in bytes (default 64 KB)
 * @param storeTimeout    how long a request waits for the store before it gets 503 (default 2 s)
 * @param store           where sessions live: {@code redis} (the service's {@code FLOTILLA_REDIS}) or a
 *                        {@code mongodb://} URL naming a database (collection {@code sessions}); default
 *                        {@code FLOTILLA_SESSIONS}, else {@code redis}
 */
public record SessionOptions(String cookieName, Duration idleTimeout, Duration absoluteTimeout, int maxAttributes,
        int maxBytes, Duration storeTimeout, String store) {

    public SessionOptions {
        Objects.requireNonNull(cookieName, "cookieName");
        Objects.requireNonNull(store, "store");
        if (!cookieName.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new IllegalArgumentException("cookieName: '" + cookieName + "' (expected 1-64 of A-Z a-z 0-9 . _ -)");
        }
        positive("idleTimeout", idleTimeout);
        positive("absoluteTimeout", absoluteTimeout);
        positive("storeTimeout", storeTimeout);
        if (maxAttributes < 1 || maxBytes < 64) {
            throw new IllegalArgumentException("maxAttributes " + maxAttributes + ", maxBytes " + maxBytes
                    + " (expected at least 1 attribute and 64 bytes)");
        }
        if (!store.equals("redis") && !store.startsWith("mongodb://") && !store.startsWith("mongodb+srv://")) {
            throw new IllegalArgumentException("store: '" + store + "' (expected redis or a mongodb:// URL)");
        }
    }

    /** The defaults, with the store from {@code FLOTILLA_SESSIONS} when it is set. */
    public static SessionOptions defaults() {
        String store = System.getenv("FLOTILLA_SESSIONS");
        return new SessionOptions("flotilla.sid", Duration.ofMinutes(30), Duration.ofHours(12), 64, 64 << 10,
                Duration.ofSeconds(2), store == null || store.isBlank() ? "redis" : store.trim());
    }

    public SessionOptions withTimeouts(Duration idle, Duration absolute) {
        return new SessionOptions(cookieName, idle, absolute, maxAttributes, maxBytes, storeTimeout, store);
    }

    public SessionOptions withLimits(int attributes, int bytes) {
        return new SessionOptions(cookieName, idleTimeout, absoluteTimeout, attributes, bytes, storeTimeout, store);
    }

    public SessionOptions withStore(String newStore) {
        return new SessionOptions(cookieName, idleTimeout, absoluteTimeout, maxAttributes, maxBytes, storeTimeout,
                newStore);
    }

    public SessionOptions withStoreTimeout(Duration timeout) {
        return new SessionOptions(cookieName, idleTimeout, absoluteTimeout, maxAttributes, maxBytes, timeout, store);
    }

    private static void positive(String name, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + ": " + value + " (expected a positive duration)");
        }
    }
}
