package dev.flotilla.core.registry.impl;

import dev.flotilla.core.http.HttpFailure;
import dev.flotilla.core.registry.Instance;
import dev.flotilla.core.registry.InstanceStatus;
import dev.flotilla.core.registry.Registration;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one registration alive: a heartbeat every third of the TTL, and a fresh registration (with the
 * last status it was given) when the registry answers 404 because it no longer knows the instance.
 */
final class LeaseKeeper implements Registration {

    private static final Logger log = LoggerFactory.getLogger(LeaseKeeper.class);

    private final Vertx vertx;
    private final HttpRegistryClient client;
    private final Consumer<LeaseKeeper> onClose;
    private volatile Instance instance;
    private volatile boolean closed;
    private volatile boolean failing;
    private long timerId = -1;

    LeaseKeeper(Vertx vertx, HttpRegistryClient client, Instance instance, Consumer<LeaseKeeper> onClose) {
        this.vertx = vertx;
        this.client = client;
        this.instance = instance;
        this.onClose = onClose;
    }

    void start() {
        long period = Math.max(100, instance.ttlSeconds() * 1000L / 3);
        timerId = vertx.setPeriodic(period, id -> renew());
    }

    @Override
    public Instance instance() {
        return instance;
    }

    @Override
    public Future<Instance> status(InstanceStatus status) {
        return client.call(HttpMethod.PUT, path() + "/status", new JsonObject().put("status", status.wireName()))
                .map(json -> {
                    instance = Instance.fromJson(json.getJsonObject("instance"));
                    return instance;
                })
                .recover(failure -> isUnknown(failure)
                        ? reRegister(instance.toBuilder().status(status).build())
                        : Future.failedFuture(failure));
    }

    @Override
    public Future<Void> deregister() {
        if (closed) {
            return Future.succeededFuture();
        }
        closed = true;
        vertx.cancelTimer(timerId);
        onClose.accept(this);
        return client.call(HttpMethod.DELETE, path(), null)
                .<Void>mapEmpty()
                .recover(failure -> isUnknown(failure) ? Future.succeededFuture() : Future.failedFuture(failure));
    }

    private void renew() {
        if (closed) {
            return;
        }
        client.call(HttpMethod.PUT, path() + "/heartbeat", null)
                .recover(failure -> isUnknown(failure)
                        ? reRegister(instance).map(i -> null)
                        : Future.failedFuture(failure))
                .onSuccess(ignored -> {
                    if (failing) {
                        failing = false;
                        log.info("Registry reachable again; lease of {} renewed", instance.id());
                    }
                })
                .onFailure(failure -> {
                    if (!failing) {
                        failing = true;
                        log.warn("Cannot renew the lease of {}: {}; retrying", instance.id(), failure.getMessage());
                    }
                });
    }

    private Future<Instance> reRegister(Instance wanted) {
        if (closed) {
            return Future.succeededFuture(instance);
        }
        log.info("Registry does not know {}; registering it again", wanted.id());
        return client.put(wanted).onSuccess(stored -> instance = stored);
    }

    private String path() {
        return "/v1/instances/" + HttpRegistryClient.encode(instance.id());
    }

    private static boolean isUnknown(Throwable failure) {
        return failure instanceof HttpFailure http && http.status() == 404;
    }
}
