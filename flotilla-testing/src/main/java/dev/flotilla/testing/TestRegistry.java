package dev.flotilla.testing;

import dev.flotilla.registry.HealthCheckConfig;
import dev.flotilla.registry.RegistryOptions;
import dev.flotilla.registry.RegistryServer;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A real, in-memory registry on a free port, with fast health checks (200 ms interval, fall 2, rise 1)
 * so that tests see instances go DOWN and come back quickly.
 */
public final class TestRegistry implements AutoCloseable {

    private final Vertx vertx;
    private final RegistryServer server;

    private TestRegistry(Vertx vertx, RegistryServer server) {
        this.vertx = vertx;
        this.server = server;
    }

    public static TestRegistry start() throws Exception {
        Vertx vertx = Vertx.vertx();
        HealthCheckConfig checks = HealthCheckConfig.custom().interval(Duration.ofMillis(200))
                .timeout(Duration.ofMillis(300)).fall(2).rise(1).build();
        RegistryOptions options = new RegistryOptions().setPort(0).setHealthCheck(checks);
        RegistryServer server = RegistryServer.start(vertx, options).await(10, TimeUnit.SECONDS);
        return new TestRegistry(vertx, server);
    }

    public String url() {
        return server.url();
    }

    @Override
    public void close() throws Exception {
        vertx.close().await(10, TimeUnit.SECONDS);
    }
}
