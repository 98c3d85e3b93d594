package dev.flotilla.registry.impl;

import dev.flotilla.core.http.HttpFailure;
import dev.flotilla.core.registry.Instance;
import dev.flotilla.core.registry.InstanceStatus;
import dev.flotilla.core.registry.RegistryEvent.Type;
import io.vertx.core.Future;
import java.time.Clock;
import java.util.Objects;
import java.util.function.Function;

/**
 * Every write to the registry, decided once for all stores: what a request changes, which event it
 * makes, and the rules (one service per id, limits, who may undo a DOWN). Writes are compare-and-set
 * against the view; when another registry changed the instance first, the view catches up and the
 * decision is made again.
 */
final class RegistryService {

    /** A written instance with its lease. */
    record Leased(Instance instance, long leaseExpiresAt) {
    }

    /** What a decision asks the store to do. */
    private record Change(Instance instance, Type type) {
        static final Change NONE = new Change(null, null);
    }

    private static final int MAX_ATTEMPTS = 8;

    private final RegistryStore store;
    private final RegistryView view;
    private final Clock clock;
    private final int maxInstances;

    RegistryService(RegistryStore store, RegistryView view, Clock clock, int maxInstances) {
        this.store = store;
        this.view = view;
        this.clock = clock;
        this.maxInstances = maxInstances;
    }

    /** Registers or updates an instance; idempotent (the same body twice only renews the lease). */
    Future<Leased> register(InstanceParser.Registration request) {
        Instance wanted = request.instance();
        long leaseExpiresAt = clock.millis() + wanted.ttlSeconds() * 1000L;
        return write(wanted.id(), leaseExpiresAt, current -> {
            if (current == null) {
                if (view.size() >= maxInstances) {
                    throw new HttpFailure(409, "instance_limit", "the registry holds " + view.size()
                            + " instances, its limit (maxInstances); deregister some first");
                }
                return new Change(wanted.toBuilder().status(statusOr(request, InstanceStatus.UP))
                        .registeredAt(clock.millis()).build(),
                        Type.REGISTERED);
            }
            if (!current.service().equals(wanted.service())) {
                throw HttpFailure.conflict("instance '" + wanted.id() + "' belongs to service '" + current.service()
                        + "', not '" + wanted.service() + "' (deregister it first, or choose another id)");
            }
            InstanceStatus status = statusOr(request, current.status());
            Instance merged = wanted.toBuilder()
                    .status(status)
                    .statusReason(status == current.status() ? current.statusReason() : null)
                    .registeredAt(current.registeredAt())
                    .build();
            if (merged.sameAs(current)) {
                return Change.NONE;
            }
            boolean onlyStatus = merged.toBuilder().status(current.status()).statusReason(current.statusReason())
                    .build().sameAs(current);
            return new Change(merged, onlyStatus ? Type.STATUS_CHANGED : Type.UPDATED);
        }).compose(written -> written != null
                ? Future.succeededFuture(new Leased(written, leaseExpiresAt))
                : store.renew(wanted.id(), leaseExpiresAt).compose(renewed -> renewed
                        ? Future.succeededFuture(new Leased(view.get(wanted.id()).instance(), leaseExpiresAt))
                        : register(request))); // it expired meanwhile: register it afresh
    }

    /** Renews a lease; 404 when the registry does not know the instance (the client registers again). */
    Future<Long> heartbeat(String id) {
        Instance known = instance(id);
        long leaseExpiresAt = clock.millis() + known.ttlSeconds() * 1000L;
        return store.renew(id, leaseExpiresAt).map(found -> {
            if (!found) {
                throw unknown(id);
            }
            return leaseExpiresAt;
        });
    }

    /** Sets the status an instance or operator declares. */
    Future<Instance> setStatus(String id, InstanceStatus status, String reason) {
        instance(id);
        return write(id, 0, current -> {
            if (current == null) {
                throw unknown(id);
            }
            if (current.status() == status && Objects.equals(current.statusReason(), reason)) {
                return Change.NONE;
            }
            return new Change(current.withStatus(status, reason, clock.millis()), Type.STATUS_CHANGED);
        }).map(written -> written != null ? written : view.get(id).instance());
    }

    /**
     * Applies a health-check verdict: a failing UP instance goes DOWN; a passing instance that the checker
     * itself took DOWN, or one still STARTING, comes UP. A DOWN or DRAINING set by a client is left alone.
     */
    Future<Instance> healthVerdict(String id, boolean healthy, String detail) {
        return write(id, 0, current -> {
            if (current == null) {
                return Change.NONE;
            }
            String reason = Instance.HEALTH_CHECK_REASON + (healthy ? " passed" : " failed: " + detail);
            boolean takenDownByChecker = current.status() == InstanceStatus.DOWN && current.statusReason() != null
                    && current.statusReason().startsWith(Instance.HEALTH_CHECK_REASON);
            if (!healthy && current.status() == InstanceStatus.UP) {
                return new Change(current.withStatus(InstanceStatus.DOWN, reason, clock.millis()),
                        Type.STATUS_CHANGED);
            }
            if (healthy && (takenDownByChecker || current.status() == InstanceStatus.STARTING)) {
                return new Change(current.withStatus(InstanceStatus.UP, reason, clock.millis()),
                        Type.STATUS_CHANGED);
            }
            return Change.NONE;
        });
    }

    Future<Instance> deregister(String id) {
        instance(id);
        return write(id, 0, current -> {
            if (current == null) {
                throw unknown(id);
            }
            return new Change(current, Type.DEREGISTERED);
        });
    }

    /** The lease expiry of a known instance. */
    Future<Long> leaseOf(String id) {
        instance(id);
        return store.leaseExpiresAt(id);
    }

    /** The instance as this registry knows it; 404 when unknown. */
    Instance instance(String id) {
        RegistryStore.Stored stored = view.get(id);
        if (stored == null) {
            throw unknown(id);
        }
        return stored.instance();
    }

    /**
     * Decides a change against the view and commits it; retries when the store moved on meanwhile.
     * {@code leaseExpiresAt} 0 keeps the lease as it is (a health verdict is no sign of life).
     * Completes with the instance written (null when the decision was to write nothing) once this
     * registry's view shows it.
     */
    private Future<Instance> write(String id, long leaseExpiresAt, Function<Instance, Change> decide) {
        return attempt(id, leaseExpiresAt, decide, 1);
    }

    private Future<Instance> attempt(String id, long leaseExpiresAt, Function<Instance, Change> decide, int attempt) {
        RegistryStore.Stored stored = view.get(id);
        Change change;
        try {
            change = decide.apply(stored == null ? null : stored.instance());
        } catch (HttpFailure failure) {
            return Future.failedFuture(failure);
        }
        if (change == Change.NONE) {
            return Future.succeededFuture();
        }
        long expected = stored == null ? 0 : stored.modRevision();
        boolean removes = change.type().removes();
        Instance toWrite = removes ? null : change.instance().toBuilder().updatedAt(clock.millis()).build();
        return store.commit(id, expected, toWrite, change.type(), leaseExpiresAt).compose(commit -> {
            if (commit.committed()) {
                return view.awaitRevision(commit.revision()).map(v -> removes ? change.instance() : toWrite);
            }
            if (attempt >= MAX_ATTEMPTS) {
                return Future.failedFuture(new HttpFailure(503, "contention", "instance '" + id
                        + "' changed " + attempt + " times while this write was decided; try again"));
            }
            return view.awaitRevision(commit.revision()).compose(v -> attempt(id, leaseExpiresAt, decide, attempt + 1));
        });
    }

    private static InstanceStatus statusOr(InstanceParser.Registration request, InstanceStatus fallback) {
        return request.status() != null ? request.status() : fallback;
    }

    private static HttpFailure unknown(String id) {
        return HttpFailure.notFound("no instance with id '" + id + "'");
    }
}
