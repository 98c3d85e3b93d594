package dev.flotilla.core.registry;

import dev.flotilla.core.registry.impl.HttpRegistryClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;

/**
 * Talks to a Flotilla registry over its HTTP API. Failures carry the registry's JSON error as a
 * {@link dev.flotilla.core.http.HttpFailure}. Safe to use from any thread; results complete on the caller's
 * Vert.x context when there is one.
 */
public interface RegistryClient {

    static RegistryClient create(Vertx vertx, RegistryClientOptions options) {
        return new HttpRegistryClient(vertx, options);
    }

    /**
     * Registers (or updates) {@code instance} and keeps its lease alive until {@link Registration#deregister()}
     * or {@link #close()}.
     */
    Future<Registration> register(Instance instance);

    /** Instances of {@code service} whose version is in {@code versionRange} (null: any), UP only if asked. */
    Future<List<Instance>> discover(String service, String versionRange, boolean upOnly);

    /**
     * Sets the status of an instance registered by someone else (a supervisor marking a crashed child
     * DOWN, for instance). Fails with a 404 {@code HttpFailure} when the registry does not know it.
     */
    Future<Void> setStatus(String instanceId, InstanceStatus status, String reason);

    /** One instance by its id. Fails with a 404 {@code HttpFailure} when the registry does not know it. */
    Future<Instance> instance(String instanceId);

    /** Every service the registry knows. */
    Future<List<ServiceSummary>> services();

    /** Starts a local, pushed copy of the instances of {@code service} (null: of every service). */
    InstanceWatch watch(String service);

    /** Deregisters what this client registered, stops its watches and frees its connections. */
    Future<Void> close();
}
