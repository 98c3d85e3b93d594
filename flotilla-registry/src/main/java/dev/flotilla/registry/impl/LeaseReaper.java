package dev.flotilla.registry.impl;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Expires instances whose heartbeats stopped. Every registry sharing a store runs one; the store makes
 * each expiry happen exactly once. Event-loop confined.
 */
final class LeaseReaper {

    private static final Logger log = LoggerFactory.getLogger(LeaseReaper.class);
    private static final int BATCH = 256;

    private final Vertx vertx;
    private final RegistryStore store;
    private final Clock clock;
    private final long timer;
    private boolean running;

    LeaseReaper(Vertx vertx, RegistryStore store, Clock clock, long periodMs) {
        this.vertx = vertx;
        this.store = store;
        this.clock = clock;
        this.timer = vertx.setPeriodic(periodMs, id -> reap());
    }

    private void reap() {
        if (running) {
            return;
        }
        running = true;
        long now = clock.millis();
        store.dueLeases(now, BATCH)
                .compose(ids -> Future.join(ids.stream().map(id -> store.expire(id, now)
                        .onSuccess(expired -> {
                            if (expired) {
                                log.info("Instance {} expired: no heartbeat within its TTL", id);
                            }
                        })).toList()))
                .onFailure(e -> log.debug("Lease check failed: {}", e.getMessage()))
                .onComplete(r -> running = false);
    }

    void close() {
        vertx.cancelTimer(timer);
    }
}
