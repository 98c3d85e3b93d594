package dev.flotilla.registry.impl;

import dev.flotilla.core.registry.Instance;
import dev.flotilla.core.registry.RegistryEvent;
import io.vertx.core.Future;
import java.util.List;
import java.util.Map;

/**
 * Where the registry's state lives: in memory for one registry, in Redis for several.
 *
 * <p>A store is a log of {@link RegistryEvent}s with gap-free revisions plus the state they produce. Every
 * write is a compare-and-set on the instance's {@code modRevision} (the revision of the last event that
 * wrote it), so the decisions about what to write are made once, in {@link RegistryService}, whatever the
 * store. Events from every registry sharing the store reach every registry's {@link Listener}, in order.
 */
interface RegistryStore {

    /** An instance with the revision of the event that last wrote it. */
    record Stored(Instance instance, long modRevision) {
    }

    /**
     * All instances as of {@code revision}. {@code epoch} names this life of the store: revisions restart
     * when a store starts empty (a restarted in-memory registry, a flushed Redis), and the epoch tells a
     * watcher that its old revision means nothing here.
     */
    record Snapshot(String epoch, long revision, Map<String, Stored> instances) {
    }

    /**
     * The result of a compare-and-set: {@code committed} with the new event's revision, or not, with the
     * store's current revision (wait for the view to reach it, then decide again).
     */
    record Commit(boolean committed, long revision) {
    }

    /** Receives the store's events in revision order. Called on the registry's event loop. */
    interface Listener {
        void onEvent(RegistryEvent event);

        /** The event stream had a gap it cannot fill (events trimmed while away): start over from this. */
        void onReset(Snapshot snapshot);
    }

    /** Loads the current state and starts delivering every later event to {@code listener}. */
    Future<Snapshot> open(Listener listener);

    /**
     * Writes {@code updated} (or removes the instance when it is null) if the stored instance still has
     * {@code expectedModRevision} (0: must not exist), appending an event of {@code type}.
     *
     * @param leaseExpiresAt epoch ms at which the lease ends; 0 keeps the current lease; ignored on removal
     */
    Future<Commit> commit(String id, long expectedModRevision, Instance updated, RegistryEvent.Type type,
                          long leaseExpiresAt);

    /** Extends a lease; false when the instance is unknown. Appends no event. */
    Future<Boolean> renew(String id, long leaseExpiresAt);

    /** The lease expiry (epoch ms) of an instance; null when unknown. */
    Future<Long> leaseExpiresAt(String id);

    /** Ids whose lease ended at or before {@code now}, at most {@code max}. */
    Future<List<String>> dueLeases(long now, int max);

    /**
     * Removes {@code id} with an {@link RegistryEvent.Type#EXPIRED} event if its lease has still ended at
     * {@code now}. Safe to race: of several registries expiring one instance, exactly one succeeds.
     */
    Future<Boolean> expire(String id, long now);

    /**
     * Announces registry {@code self} as alive until {@code now + ttlMs} and answers every registry
     * still alive (including {@code self}), so that work such as health checks can be divided.
     */
    Future<List<String>> members(String self, long now, long ttlMs);

    /** True while the store can be reached and its events are flowing. */
    boolean healthy();

    Future<Void> close();
}
