package dev.flotilla.service;

import dev.flotilla.core.balance.OutlierPolicy;
import dev.flotilla.core.registry.InstanceWatch;
import dev.flotilla.core.resilience.BreakerPolicy;
import dev.flotilla.service.impl.WatchingServiceClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;

/**
 * Calls other services by name: instances come from a registry watch (no lookup per call), are chosen
 * by core's load balancing, and failures are handled by core's failover (retry elsewhere when safe,
 * within a budget), outlier ejection and a circuit breaker per service, the same code the gateway runs.
 */
public interface ServiceClient {

    /** A client over {@code watch}; {@code options} may be null for the defaults. */
    static ServiceClient create(Vertx vertx, InstanceWatch watch, Options options) {
        return new WatchingServiceClient(vertx, watch, options == null ? new Options() : options);
    }

    /** Sends {@code request}; fails only when there is no answer and no fallback. */
    Future<ServiceResponse> send(ServiceRequest request);

    default Future<ServiceResponse> get(String service, String path) {
        return send(ServiceRequest.get(service, path));
    }

    void close();

    /** Defaults for every call of one client. */
    final class Options {
        public Duration timeout = Duration.ofSeconds(5);
        public Duration connectTimeout = Duration.ofSeconds(1);
        public int retries = 2;
        public BreakerPolicy breaker = BreakerPolicy.DEFAULT;
        public OutlierPolicy outlier = OutlierPolicy.DEFAULT;
        /** Whether 5xx answers count as failures for ejection (they always count for the breaker). */
        public boolean ejectOnServerErrors;
    }
}
