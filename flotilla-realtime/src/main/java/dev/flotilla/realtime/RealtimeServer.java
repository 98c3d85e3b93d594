package dev.flotilla.realtime;

import dev.flotilla.realtime.adapter.LocalAdapter;
import dev.flotilla.realtime.adapter.RedisAdapter;
import dev.flotilla.realtime.adapter.StreamsAdapter;
import dev.flotilla.realtime.engine.EngineServer;
import dev.flotilla.service.ServiceContext;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.LoggerFactory;

/**
 * A Socket.IO server (Engine.IO v4, Socket.IO v5) inside a Flotilla service, on the service's own port:
 * <pre>
 * RealtimeServer io = RealtimeServer.create();
 * io.onConnection(socket -&gt; socket.on("message", (args, ack) -&gt; {
 *     io.emit("message", args.getValue(0));
 *     ack.send("ok");
 * }));
 * FlotillaService.named("chat", "1.0.0").routes((router, service) -&gt; io.mount(router, service)).run();
 * </pre>
 * With {@code FLOTILLA_REDIS} set, rooms and broadcasts reach every instance of the service, and Node.js
 * servers using {@code @socket.io/redis-adapter} on the same Redis (see {@link RedisAdapter}).
 */
public final class RealtimeServer {

    private final RealtimeOptions options;
    private final Map<String, Namespace> namespaces = new ConcurrentHashMap<>();
    private volatile Vertx vertx;
    private volatile EngineServer engine;
    private volatile ServiceContext service;
    private volatile boolean closing;

    private RealtimeServer(RealtimeOptions options) {
        this.options = Objects.requireNonNull(options, "options");
        namespaces.put("/", new Namespace("/", this));
    }

    public static RealtimeServer create() {
        return create(RealtimeOptions.defaults());
    }

    public static RealtimeServer create(RealtimeOptions options) {
        return new RealtimeServer(options);
    }

    public RealtimeOptions options() {
        return options;
    }

    /** The namespace {@code name} (created on first use); a client asking for one never created gets an error. */
    public Namespace of(String name) {
        if (name == null || !name.startsWith("/") || name.contains(",")) {
            throw new IllegalArgumentException("namespace: '" + name + "' (expected a name starting with /, no comma)");
        }
        return namespaces.computeIfAbsent(name, n -> {
            Namespace namespace = new Namespace(n, this);
            if (vertx != null) {
                namespace.adapter(newAdapter(namespace));
            }
            return namespace;
        });
    }

    /** The main namespace's connection handler. */
    public RealtimeServer onConnection(Consumer<Socket> handler) {
        of("/").onConnection(handler);
        return this;
    }

    /** The main namespace's middleware. */
    public RealtimeServer use(Middleware middleware) {
        of("/").use(middleware);
        return this;
    }

    public Broadcast to(String... rooms) {
        return of("/").to(rooms);
    }

    public Broadcast except(String... rooms) {
        return of("/").except(rooms);
    }

    public Broadcast local() {
        return of("/").local();
    }

    public void emit(String event, Object... args) {
        of("/").emit(event, args);
    }

    public Future<ClusterReply<RemoteSocket>> fetchSockets() {
        return of("/").fetchSockets();
    }

    /** Connections open on this instance. */
    public int connections() {
        EngineServer current = engine;
        return current == null ? 0 : current.size();
    }

    /**
     * Serves the server under its path on the service's router; call it from the service's routes (it is called
     * once per event loop; the first call starts the server). Closing the service closes every connection
     * first: clients reconnect to another instance and, within the recovery window, get what they missed.
     */
    public void mount(Router router, ServiceContext context) {
        start(context);
        if (options.clientScript() != null) {
            String script = options.clientScript().toString();
            for (String name : new String[] {"socket.io.min.js", "socket.io.js"}) {
                router.get(options.path() + name).handler(ctx -> ctx.response()
                        .putHeader("Content-Type", "application/javascript; charset=UTF-8")
                        .putHeader("Cache-Control", "public, max-age=3600").sendFile(script)
                        .onFailure(e -> ctx.fail(404)));
            }
        }
        router.route(options.path() + "*").handler(engine::handle);
    }

    private synchronized void start(ServiceContext context) {
        if (engine != null) {
            return;
        }
        this.service = context;
        this.vertx = context.vertx();
        namespaces.values().forEach(namespace -> namespace.adapter(newAdapter(namespace)));
        this.engine = new EngineServer(vertx, options, session -> new Client(this, session));
        context.onClose(this::close);
    }

    private LocalAdapter newAdapter(Namespace namespace) {
        RealtimeOptions.Cluster cluster = options.cluster();
        String redisUrl = service.config().redisUrl();
        if (cluster == null) {
            cluster = redisUrl == null ? RealtimeOptions.Cluster.NONE : RealtimeOptions.Cluster.PUBSUB;
        }
        if (cluster == RealtimeOptions.Cluster.NONE) {
            return new LocalAdapter(namespace.members(), options);
        }
        if (redisUrl == null) {
            throw new IllegalStateException("realtime cluster mode " + cluster + " needs Redis (FLOTILLA_REDIS)");
        }
        return cluster == RealtimeOptions.Cluster.STREAMS
                ? new StreamsAdapter(vertx, redisUrl, namespace.members(), options, service.instanceId())
                : new RedisAdapter(vertx, redisUrl, namespace.members(), options, service.instanceId());
    }

    /** Completes once every namespace hears the other instances. */
    public Future<Void> ready() {
        List<Future<Void>> all = new ArrayList<>();
        namespaces.values().forEach(namespace -> all.add(namespace.adapter().ready()));
        return Future.all(all).mapEmpty();
    }

    /** Closes every connection ("server shutting down": clients reconnect elsewhere) and the adapters. */
    public Future<Void> close() {
        closing = true;
        EngineServer current = engine;
        if (current == null) {
            return Future.succeededFuture();
        }
        LoggerFactory.getLogger(RealtimeServer.class).info("realtime: closing {} connections", current.size());
        current.closeAll();
        List<Future<Void>> closed = new ArrayList<>();
        namespaces.values().forEach(namespace -> closed.add(namespace.adapter().close()));
        return Future.join(closed).mapEmpty();
    }

    Namespace namespace(String name) {
        return namespaces.get(name);
    }

    Vertx vertx() {
        return vertx;
    }

    boolean closing() {
        return closing;
    }
}
