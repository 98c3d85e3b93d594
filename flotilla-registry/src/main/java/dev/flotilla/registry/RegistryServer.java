package dev.flotilla.registry;

import dev.flotilla.registry.impl.RegistryVerticle;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * A running registry: the control plane where instances register and gateways and clients discover them.
 *
 * <pre>{@code
 * RegistryServer registry = RegistryServer.start(vertx, new RegistryOptions().setPort(0)).await();
 * String url = registry.url();   // http://127.0.0.1:PORT
 * }</pre>
 *
 * <p>With {@link RegistryOptions#setRedisUrl} several registries share one state; otherwise it lives in
 * this process's memory.
 */
public final class RegistryServer {

    private final Vertx vertx;
    private final String deploymentId;
    private final RegistryVerticle verticle;
    private final String host;

    private RegistryServer(Vertx vertx, String deploymentId, RegistryVerticle verticle, String host) {
        this.vertx = vertx;
        this.deploymentId = deploymentId;
        this.verticle = verticle;
        this.host = host;
    }

    /**
     * Starts a registry. Fails when the options are unsafe (a non-loopback address without a token), the
     * port is taken, or Redis cannot be reached.
     */
    public static Future<RegistryServer> start(Vertx vertx, RegistryOptions options) {
        try {
            if (options.getToken() == null && !isLoopback(options.getHost())) {
                return Future.failedFuture(new IllegalArgumentException("refusing to listen on " + options.getHost()
                        + " without a token: anyone who can reach it could register or remove instances "
                        + "(give --token, or listen on 127.0.0.1)"));
            }
        } catch (UnknownHostException e) {
            return Future.failedFuture(new IllegalArgumentException("host: '" + options.getHost()
                    + "' cannot be resolved", e));
        }
        RegistryVerticle verticle = new RegistryVerticle(options);
        return vertx.deployVerticle(verticle)
                .map(id -> new RegistryServer(vertx, id, verticle, options.getHost()));
    }

    /** The port the registry listens on. */
    public int port() {
        return verticle.port();
    }

    /** The base URL, e.g. {@code http://127.0.0.1:7070}. */
    public String url() {
        String shown = host.contains(":") ? "[" + host + "]" : host;
        return "http://" + shown + ":" + port();
    }

    /** Stops serving, closes watch streams and disconnects from the store. */
    public Future<Void> close() {
        return vertx.undeploy(deploymentId);
    }

    private static boolean isLoopback(String host) throws UnknownHostException {
        return InetAddress.getByName(host).isLoopbackAddress();
    }
}
