package dev.flotilla.registry.impl;

import dev.flotilla.core.registry.Instance;
import dev.flotilla.core.registry.RegistryEvent;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The store of a lone registry. Used only from the registry's event loop, so plain maps suffice; events
 * are delivered before the write's future completes.
 */
final class MemoryStore implements RegistryStore {

    private final Map<String, Stored> instances = new HashMap<>();
    private final Map<String, Long> leases = new HashMap<>();
    private final String epoch = UUID.randomUUID().toString().substring(0, 8);
    private long revision;
    private Listener listener;

    @Override
    public Future<Snapshot> open(Listener listener) {
        this.listener = listener;
        return Future.succeededFuture(new Snapshot(epoch, revision, Map.copyOf(instances)));
    }

    @Override
    public Future<Commit> commit(String id, long expectedModRevision, Instance updated, RegistryEvent.Type type,
                                 long leaseExpiresAt) {
        Stored current = instances.get(id);
        long currentModRevision = current == null ? 0 : current.modRevision();
        if (currentModRevision != expectedModRevision || (updated == null && current == null)) {
            return Future.succeededFuture(new Commit(false, revision));
        }
        revision++;
        Instance subject;
        if (updated == null) {
            instances.remove(id);
            leases.remove(id);
            subject = current.instance();
        } else {
            instances.put(id, new Stored(updated, revision));
            if (leaseExpiresAt > 0) {
                leases.put(id, leaseExpiresAt);
            }
            subject = updated;
        }
        listener.onEvent(new RegistryEvent(type, revision, subject));
        return Future.succeededFuture(new Commit(true, revision));
    }

    @Override
    public Future<Boolean> renew(String id, long leaseExpiresAt) {
        if (!instances.containsKey(id)) {
            return Future.succeededFuture(false);
        }
        leases.put(id, leaseExpiresAt);
        return Future.succeededFuture(true);
    }

    @Override
    public Future<Long> leaseExpiresAt(String id) {
        return Future.succeededFuture(leases.get(id));
    }

    @Override
    public Future<List<String>> dueLeases(long now, int max) {
        List<String> due = new ArrayList<>();
        for (Map.Entry<String, Long> lease : leases.entrySet()) {
            if (lease.getValue() <= now && due.size() < max) {
                due.add(lease.getKey());
            }
        }
        return Future.succeededFuture(due);
    }

    @Override
    public Future<Boolean> expire(String id, long now) {
        Long expiresAt = leases.get(id);
        if (expiresAt == null || expiresAt > now) {
            return Future.succeededFuture(false);
        }
        Stored current = instances.get(id);
        return commit(id, current.modRevision(), null, RegistryEvent.Type.EXPIRED, 0).map(Commit::committed);
    }

    @Override
    public Future<List<String>> members(String self, long now, long ttlMs) {
        return Future.succeededFuture(List.of(self));
    }

    @Override
    public boolean healthy() {
        return true;
    }

    @Override
    public Future<Void> close() {
        return Future.succeededFuture();
    }
}
