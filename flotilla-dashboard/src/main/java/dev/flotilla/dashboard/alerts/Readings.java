package dev.flotilla.dashboard.alerts;

import dev.flotilla.dashboard.RouteWindow;
import java.time.Duration;

/** What the fleet looks like now, as the alert rules ask it. */
public interface Readings {

    /** Instances of {@code service} whose registry status is UP. */
    int instancesUp(String service);

    /** A route's traffic over the last {@code window}; null for a route the gateway does not have. */
    RouteWindow route(String route, Duration window);

    /** Restarts of {@code app} after crashes over the last {@code window}. */
    long restarts(String app, Duration window);

    /** True while the route's circuit breaker is open. */
    boolean breakerOpen(String route);
}
