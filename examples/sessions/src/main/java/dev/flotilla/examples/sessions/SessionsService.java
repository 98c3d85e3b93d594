package dev.flotilla.examples.sessions;

import dev.flotilla.core.http.HttpFailure;
import dev.flotilla.service.FlotillaService;
import dev.flotilla.service.ServiceContext;
import dev.flotilla.service.session.Session;
import dev.flotilla.service.shared.SharedChange;
import dev.flotilla.service.shared.SharedMap;
import dev.flotilla.service.web.StaticFiles;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.LoggerFactory;

/**
 * Seeds 001 and 002 as one app, run as several instances behind the gateway with no stickiness.
 * <ul>
 *   <li>Sessions (001): {@code POST /login {"user": NAME}}, {@code GET /me} (user, views, which instance),
 *       {@code POST /logout}, {@code PUT /cart/:item} (one attribute per item), {@code GET /cart}.</li>
 *   <li>Shared data (002): {@code PUT /shared/:key} with a JSON value, {@code GET /shared/:key} from this
 *       instance's near cache, {@code GET /shared} for all, and {@code GET /shared/events}, a stream of
 *       Server-Sent Events: the values, then each change as it happens on any instance.</li>
 *   <li>The page: {@code public/index.html} (folder {@code SESSIONS_PUBLIC}, default
 *       {@code examples/sessions/public}), served by every instance.</li>
 * </ul>
 */
public final class SessionsService {

    /** Browsers one instance streams changes to; more get 503 rather than exhaust it. */
    static final int MAX_STREAMS = 1_000;
    private static final String CART = "cart:";

    private final ServiceContext service;
    private final SharedMap shared;
    private final Map<HttpServerResponse, Context> streams = new ConcurrentHashMap<>();

    private SessionsService(ServiceContext service) {
        this.service = service;
        this.shared = service.shared("demo");
        shared.onChange(this::broadcast);
        service.vertx().setPeriodic(10_000, t -> streams.forEach((response, context) ->
                context.runOnContext(v -> response.write(": keep-alive\n\n"))));
    }

    public static void main(String[] args) {
        Path page = Path.of(System.getenv().getOrDefault("SESSIONS_PUBLIC", "examples/sessions/public"));
        FlotillaService app = FlotillaService.named("sessions", "1.0.0").sessions();
        if (Files.isDirectory(page)) {
            app.staticFiles(StaticFiles.of("/", page));
        } else {
            LoggerFactory.getLogger(SessionsService.class).info("no page: {} is not a folder (run from the "
                    + "repository, or set SESSIONS_PUBLIC); the API works without it", page.toAbsolutePath());
        }
        Map<Vertx, SessionsService> perProcess = new ConcurrentHashMap<>();
        app.routes((router, service) -> perProcess.computeIfAbsent(service.vertx(),
                v -> new SessionsService(service)).routes(router)).run();
    }

    void routes(Router router) {
        router.post("/login").handler(this::login);
        router.get("/me").handler(this::me);
        router.post("/logout").handler(ctx -> Session.of(ctx).destroy()
                .onSuccess(v -> ctx.response().setStatusCode(204).end()).onFailure(ctx::fail));
        router.put("/cart/:item").handler(ctx -> Session.of(ctx).put(CART + ctx.pathParam("item"), body(ctx))
                .onSuccess(v -> ctx.json(new JsonObject().put("item", ctx.pathParam("item"))
                        .put("instance", service.instanceId())))
                .onFailure(ctx::fail));
        router.get("/cart").handler(this::cart);
        router.get("/shared/events").handler(this::events);
        router.get("/shared").handler(ctx -> {
            if (!shared.inStep()) { // the cache may be behind until it has loaded the map again
                ctx.fail(new HttpFailure(503, "shared_data_resyncing", "this instance is loading the shared "
                        + "data again after losing Redis; try again shortly"));
                return;
            }
            ctx.json(new JsonObject().put("entries", entries()).put("instance", service.instanceId()));
        });
        router.put("/shared/:key").handler(ctx -> shared.put(ctx.pathParam("key"), body(ctx))
                .onSuccess(version -> ctx.json(new JsonObject().put("key", ctx.pathParam("key"))
                        .put("version", version).put("instance", service.instanceId())))
                .onFailure(ctx::fail));
        // From the near cache while it is in step with Redis, from Redis itself while it is not.
        router.get("/shared/:key").handler(ctx -> shared.read(ctx.pathParam("key")).onSuccess(value -> {
            if (value == null) {
                ctx.fail(HttpFailure.notFound("no shared value '" + ctx.pathParam("key") + "'"));
                return;
            }
            ctx.json(new JsonObject().put("value", value.value()).put("version", value.version())
                    .put("instance", service.instanceId()));
        }).onFailure(ctx::fail));
    }

    private void login(RoutingContext ctx) {
        Object user = body(ctx) instanceof JsonObject json ? json.getValue("user") : null;
        if (!(user instanceof String name) || name.isBlank() || name.length() > 64) {
            ctx.fail(HttpFailure.badRequest("user: expected a name of 1-64 characters, as {\"user\": \"ada\"}"));
            return;
        }
        Session session = Session.of(ctx);
        session.regenerate() // a new id at login: an id planted before it is worth nothing
                .compose(v -> session.put("user", name))
                .onSuccess(v -> ctx.json(new JsonObject().put("user", name).put("instance", service.instanceId())))
                .onFailure(ctx::fail);
    }

    private void me(RoutingContext ctx) {
        Session session = Session.of(ctx);
        session.increment("views", 1)
                .onSuccess(views -> ctx.json(new JsonObject().put("user", session.getString("user"))
                        .put("views", views).put("instance", service.instanceId())))
                .onFailure(ctx::fail);
    }

    private void cart(RoutingContext ctx) {
        JsonObject items = new JsonObject();
        Session.of(ctx).attributes().forEach((name, value) -> {
            if (name.startsWith(CART)) {
                items.put(name.substring(CART.length()), value);
            }
        });
        ctx.json(new JsonObject().put("items", items).put("instance", service.instanceId()));
    }

    /** Server-Sent Events: every value now, then each change; a comment every 10 s keeps proxies from timing out. */
    private void events(RoutingContext ctx) {
        if (streams.size() >= MAX_STREAMS) {
            ctx.fail(new HttpFailure(503, "too_many_streams", "this instance already streams to "
                    + MAX_STREAMS + " browsers"));
            return;
        }
        HttpServerResponse response = ctx.response().setChunked(true)
                .putHeader("Content-Type", "text/event-stream").putHeader("Cache-Control", "no-cache");
        response.write("event: snapshot\ndata: " + new JsonObject().put("entries", entries())
                .put("instance", service.instanceId()).encode() + "\n\n");
        streams.put(response, Vertx.currentContext());
        response.closeHandler(v -> streams.remove(response));
    }

    private void broadcast(SharedChange change) {
        String event = "event: change\ndata: " + new JsonObject().put("key", change.key())
                .put("value", change.value()).put("version", change.version())
                .put("instance", service.instanceId()).encode() + "\n\n";
        streams.forEach((response, context) -> context.runOnContext(v -> response.write(event)));
    }

    private JsonObject entries() {
        JsonObject entries = new JsonObject();
        shared.entries().forEach((key, value) -> entries.put(key, new JsonObject().put("value", value.value())
                .put("version", value.version())));
        return entries;
    }

    private static Object body(RoutingContext ctx) {
        if (ctx.body().length() == 0) {
            throw HttpFailure.badRequest("the body is empty (expected a JSON value)");
        }
        return Json.decodeValue(ctx.body().buffer()); // objects and arrays come back as JsonObject, JsonArray
    }
}
