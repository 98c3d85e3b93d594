package dev.flotilla.testing;

import dev.flotilla.core.registry.Instance;
import dev.flotilla.core.registry.InstanceStatus;
import dev.flotilla.core.registry.Registration;
import dev.flotilla.core.registry.RegistryClient;
import dev.flotilla.core.registry.RegistryClientOptions;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real HTTP server standing in for one instance of a service, registered UP in a registry with
 * {@code /health} as its health check. Every other path answers its id as the body (and in
 * {@code X-Instance}), after an optional delay and with a settable status; it counts requests and body
 * bytes without keeping bodies, and echoes WebSocket messages prefixed with its id.
 */
public final class TestBackend implements AutoCloseable {

    public final AtomicInteger status = new AtomicInteger(200);
    public final AtomicLong delayMs = new AtomicLong();
    public final AtomicInteger hits = new AtomicInteger();
    public final AtomicLong bodyBytes = new AtomicLong();
    /** Method, URI and headers of every request, in arrival order. */
    public final List<Seen> seen = new CopyOnWriteArrayList<>();

    private final String id;
    private final Vertx vertx;
    private final HttpServer server;
    private RegistryClient registryClient;
    private Registration registration;

    /** What a backend saw of one request; {@code authority} is its Host. */
    public record Seen(String method, String uri, String authority, MultiMap headers) {
    }

    private TestBackend(String id, Vertx vertx, HttpServer server) {
        this.id = id;
        this.vertx = vertx;
        this.server = server;
    }

    /** Starts a backend on a free port; {@code idleTimeoutSeconds} > 0 closes idle keep-alive connections. */
    public static TestBackend start(String id, int idleTimeoutSeconds) throws Exception {
        Vertx vertx = Vertx.vertx();
        HttpServerOptions options = new HttpServerOptions().setHost("127.0.0.1").setPort(0);
        if (idleTimeoutSeconds > 0) {
            options.setIdleTimeout(idleTimeoutSeconds).setIdleTimeoutUnit(TimeUnit.SECONDS);
        }
        TestBackend[] self = new TestBackend[1];
        HttpServer server = vertx.createHttpServer(options)
                .webSocketHandler(ws -> ws.textMessageHandler(text -> ws.writeTextMessage(id + ":" + text)))
                .requestHandler(req -> self[0].handle(req));
        TestBackend backend = new TestBackend(id, vertx, server);
        self[0] = backend;
        server.listen().await(10, TimeUnit.SECONDS);
        return backend;
    }

    /** Starts a backend and registers it UP as {@code service@version} in the registry at {@code registryUrl}. */
    public static TestBackend register(String registryUrl, String service, String version, String id) throws Exception {
        return register(registryUrl, service, version, id, 1, 0);
    }

    /** As {@link #register(String, String, String, String)}, with a weight and an idle-connection timeout. */
    public static TestBackend register(String registryUrl, String service, String version, String id, int weight,
            int idleTimeoutSeconds) throws Exception {
        TestBackend backend = start(id, idleTimeoutSeconds);
        backend.registryClient = RegistryClient.create(backend.vertx, new RegistryClientOptions(registryUrl));
        backend.registration = backend.registryClient.register(Instance.builder(id, service, version)
                .host("127.0.0.1").port(backend.port()).weight(weight).healthPath("/health")
                .ttlSeconds(5).status(InstanceStatus.UP)
                .build())
                .await(10, TimeUnit.SECONDS);
        return backend;
    }

    private void handle(HttpServerRequest req) {
        if (req.path().equals("/health")) {
            req.response().end("ok");
            return;
        }
        hits.incrementAndGet();
        seen.add(new Seen(req.method().name(), req.uri(), String.valueOf(req.authority()),
                MultiMap.caseInsensitiveMultiMap().addAll(req.headers())));
        req.handler(buffer -> bodyBytes.addAndGet(buffer.length()));
        req.endHandler(v -> {
            long delay = delayMs.get();
            if (delay > 0) {
                vertx.setTimer(delay, t -> answer(req));
            } else {
                answer(req);
            }
        });
    }

    private void answer(HttpServerRequest req) {
        if (!req.response().closed()) {
            req.response().setStatusCode(status.get()).putHeader("X-Instance", id).end(id);
        }
    }

    public String id() {
        return id;
    }

    public int port() {
        return server.actualPort();
    }

    public Vertx vertx() {
        return vertx;
    }

    /** Sets this instance's status in the registry (e.g. DRAINING). */
    public void setStatus(InstanceStatus newStatus) throws Exception {
        registration.status(newStatus).await(10, TimeUnit.SECONDS);
    }

    /** Stops accepting connections (they are refused) while the instance stays registered. */
    public void stopServing() throws Exception {
        server.close().await(10, TimeUnit.SECONDS);
    }

    /** Removes this instance from the registry but keeps serving. */
    public void deregister() throws Exception {
        registration.deregister().await(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws Exception {
        if (registryClient != null) {
            registryClient.close();
        }
        vertx.close().await(10, TimeUnit.SECONDS);
    }
}
