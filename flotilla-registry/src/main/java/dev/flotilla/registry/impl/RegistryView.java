package dev.flotilla.registry.impl;

import dev.flotilla.core.http.HttpFailure;
import dev.flotilla.core.registry.Instance;
import dev.flotilla.core.registry.RegistryEvent;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This registry's in-memory copy of the store, built from its events: discovery and watch snapshots are
 * served from here without a round trip to the store. Keeps the most recent events so that a watcher can
 * resume where it left off. Event-loop confined.
 */
final class RegistryView implements RegistryStore.Listener {

    /** Told of every change the view applies. */
    interface ChangeListener {
        void onEvent(RegistryEvent event);

        /** The view started over from a snapshot; events before it cannot be replayed. */
        void onReset();
    }

    private static final Logger log = LoggerFactory.getLogger(RegistryView.class);

    private final Vertx vertx;
    private final int historySize;
    private final long catchUpTimeoutMs;
    private final Map<String, RegistryStore.Stored> entries = new HashMap<>();
    /** The same entries by service name, so that discovery reads only the service asked for. */
    private final Map<String, Map<String, RegistryStore.Stored>> byService = new HashMap<>();
    private final ArrayDeque<RegistryEvent> history = new ArrayDeque<>();
    private final TreeMap<Long, List<Promise<Void>>> waiters = new TreeMap<>();
    private final List<ChangeListener> listeners = new CopyOnWriteArrayList<>();
    private long revision;
    private String epoch = "";

    RegistryView(Vertx vertx, int historySize, long catchUpTimeoutMs) {
        this.vertx = vertx;
        this.historySize = historySize;
        this.catchUpTimeoutMs = catchUpTimeoutMs;
    }

    void addListener(ChangeListener listener) {
        listeners.add(listener);
    }

    /** Starts from a snapshot (at open). */
    void load(RegistryStore.Snapshot snapshot) {
        entries.clear();
        byService.clear();
        snapshot.instances().values().forEach(this::put);
        revision = snapshot.revision();
        epoch = snapshot.epoch();
        history.clear();
        releaseWaiters();
    }

    @Override
    public void onEvent(RegistryEvent event) {
        if (event.revision() <= revision) {
            return; // already applied (a store may deliver an event we loaded in the snapshot)
        }
        if (event.type().removes()) {
            remove(event.instance().id());
        } else {
            put(new RegistryStore.Stored(event.instance(), event.revision()));
        }
        revision = event.revision();
        history.addLast(event);
        if (history.size() > historySize) {
            history.removeFirst();
        }
        for (ChangeListener listener : listeners) {
            try {
                listener.onEvent(event);
            } catch (RuntimeException e) {
                log.error("Registry listener failed on event {}", event.revision(), e);
            }
        }
        releaseWaiters();
    }

    @Override
    public void onReset(RegistryStore.Snapshot snapshot) {
        log.warn("Registry events were lost (revision {} -> {}); starting over from a snapshot",
                revision, snapshot.revision());
        load(snapshot);
        listeners.forEach(ChangeListener::onReset);
    }

    private void put(RegistryStore.Stored stored) {
        Instance instance = stored.instance();
        RegistryStore.Stored old = entries.put(instance.id(), stored);
        if (old != null && !old.instance().service().equals(instance.service())) {
            remove(old.instance().id());
            entries.put(instance.id(), stored);
        }
        byService.computeIfAbsent(instance.service(), s -> new HashMap<>()).put(instance.id(), stored);
    }

    private void remove(String id) {
        RegistryStore.Stored old = entries.remove(id);
        if (old != null) {
            Map<String, RegistryStore.Stored> siblings = byService.get(old.instance().service());
            siblings.remove(id);
            if (siblings.isEmpty()) {
                byService.remove(old.instance().service());
            }
        }
    }

    long revision() {
        return revision;
    }

    /** The life of the store this view follows (see {@link RegistryStore.Snapshot}). */
    String epoch() {
        return epoch;
    }

    /** The SSE id of a revision: {@code REVISION@EPOCH}. */
    String eventId(long rev) {
        return rev + "@" + epoch;
    }

    RegistryStore.Stored get(String id) {
        return entries.get(id);
    }

    int size() {
        return entries.size();
    }

    Collection<RegistryStore.Stored> all() {
        return entries.values();
    }

    /** The instances of one service; empty when it has none. */
    Collection<RegistryStore.Stored> service(String name) {
        return byService.getOrDefault(name, Map.of()).values();
    }

    List<Instance> instances() {
        List<Instance> result = new ArrayList<>(entries.size());
        entries.values().forEach(s -> result.add(s.instance()));
        return result;
    }

    /**
     * The events after {@code since}, or null when they can no longer all be replayed (the watcher needs
     * a snapshot instead).
     */
    List<RegistryEvent> eventsAfter(long since) {
        if (since > revision) {
            return null; // from another store's life (e.g. Redis was flushed): start over
        }
        if (since == revision) {
            return List.of();
        }
        if (history.isEmpty() || history.peekFirst().revision() > since + 1) {
            return null;
        }
        List<RegistryEvent> result = new ArrayList<>();
        for (RegistryEvent event : history) {
            if (event.revision() > since) {
                result.add(event);
            }
        }
        return result;
    }

    /**
     * Completes once the view has applied {@code target}, so that a client reads its own writes through
     * this registry. Fails with 503 if the store's events stop arriving.
     */
    Future<Void> awaitRevision(long target) {
        if (revision >= target) {
            return Future.succeededFuture();
        }
        Promise<Void> promise = Promise.promise();
        waiters.computeIfAbsent(target, k -> new ArrayList<>()).add(promise);
        long timer = vertx.setTimer(catchUpTimeoutMs, id -> promise.tryFail(new HttpFailure(503, "store_lagging",
                "the registry's store did not deliver revision " + target + " within " + catchUpTimeoutMs + " ms")));
        return promise.future().andThen(r -> vertx.cancelTimer(timer));
    }

    private void releaseWaiters() {
        while (!waiters.isEmpty() && waiters.firstKey() <= revision) {
            waiters.pollFirstEntry().getValue().forEach(Promise::tryComplete);
        }
    }
}
