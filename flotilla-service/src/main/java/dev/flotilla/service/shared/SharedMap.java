package dev.flotilla.service.shared;

import io.vertx.core.Future;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Data every instance of a service sees (seed 002): kept in Redis, read from a near cache in each process,
 * and pushed to every instance through Redis pub/sub as soon as it changes.
 *
 * <p>Pub/sub delivers at most once, so the cache does not trust it alone. Every change carries the map's
 * next revision (gap-free, like the registry's watch); a repeated or late message never rolls a value back;
 * a missing revision, a reconnect, a Redis that came back empty (a new epoch) or a revision seen in Redis
 * but not heard of within a poll makes the instance load the whole map again before its cache is trusted.
 * While it is not in step ({@link #inStep()} false), {@link #read} goes to Redis.
 *
 * <p>Values are JSON (see {@link dev.flotilla.core.json.JsonValues}); keys are 1-128 characters. A map holds
 * at most {@link #MAX_KEYS} keys and a value at most {@link #MAX_VALUE_BYTES} bytes of JSON.
 */
public interface SharedMap {

    int MAX_KEYS = 10_000;
    int MAX_VALUE_BYTES = 256 << 10;

    String name();

    /**
     * Completes once the cache holds the whole map, or once Redis was found unreachable (the map keeps
     * trying; reads then go to Redis and fail with 503 until it is back).
     */
    Future<Void> ready();

    /** The value from this process's cache, or null; may be behind while {@link #inStep()} is false. */
    Versioned get(String key);

    /** The value, from the cache when it is in step with Redis, else from Redis itself. */
    Future<Versioned> read(String key);

    /** Every key and value in the cache. */
    Map<String, Versioned> entries();

    /** Sets a value; completes with its version once Redis has it and every instance is being told. */
    Future<Long> put(String key, Object value);

    /**
     * Sets a value only if the key is still at {@code expectedVersion} (0: only if absent); fails with a 409
     * {@code version_conflict} otherwise, changing nothing.
     */
    Future<Long> putIfVersion(String key, Object value, long expectedVersion);

    /** Removes a key; completes with the version of the removal. */
    Future<Long> remove(String key);

    /**
     * Calls {@code listener} once per change, in version order, on one thread, for changes from any instance
     * (this one included). After a resync it hears the changes it missed, as the final values.
     */
    void onChange(Consumer<SharedChange> listener);

    /** True when the cache reflects every change up to the last one this process heard of. */
    boolean inStep();

    /** Unsubscribes and closes the map's connections. */
    Future<Void> close();
}
