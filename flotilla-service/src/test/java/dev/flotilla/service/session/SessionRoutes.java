package dev.flotilla.service.session;

import dev.flotilla.service.FlotillaService;
import dev.flotilla.service.RunningService;
import dev.flotilla.service.ServiceContext;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** The routes the session tests drive: seed 001's login, views and logout, and raw attribute access. */
final class SessionRoutes {

    /** Slow requests that have loaded their session and are waiting, so a test can act meanwhile. */
    static final AtomicInteger SLOW_REQUESTS_HOLDING = new AtomicInteger();

    private SessionRoutes() {
    }

    static RunningService start(String instance, SessionOptions options, String redisUrl) throws Exception {
        FlotillaService service = FlotillaService.named("sessions", "1.0.0");
        return service.config(service.config().withPort(0).withRedisUrl(redisUrl).withInstanceId(instance))
                .eventLoops(1).drainGrace(Duration.ZERO)
                .sessions(options)
                .routes(SessionRoutes::routes)
                .start().await(20, TimeUnit.SECONDS);
    }

    static void routes(Router router, ServiceContext service) {
        router.post("/login").handler(ctx -> {
            Session session = Session.of(ctx);
            String user = ctx.body().asJsonObject().getString("user");
            session.regenerate().compose(v -> session.put("user", user))
                    .onSuccess(v -> ctx.json(new JsonObject().put("user", user)))
                    .onFailure(ctx::fail);
        });
        router.get("/me").handler(ctx -> {
            Session session = Session.of(ctx);
            session.increment("views", 1)
                    .onSuccess(views -> ctx.json(new JsonObject().put("user", session.getString("user"))
                            .put("views", views).put("instance", service.instanceId())))
                    .onFailure(ctx::fail);
        });
        router.get("/peek").handler(ctx -> ctx.json(new JsonObject(Session.of(ctx).attributes())));
        router.post("/logout").handler(ctx -> Session.of(ctx).destroy()
                .onSuccess(v -> ctx.response().setStatusCode(204).end()).onFailure(ctx::fail));
        router.put("/attr/:name").handler(ctx -> put(ctx, 0));
        router.put("/slow/:name").handler(ctx -> put(ctx, Long.parseLong(ctx.queryParams().get("wait"))));
        router.put("/object/:name").handler(ctx -> Session.of(ctx).put(ctx.pathParam("name"), new Object())
                .onSuccess(v -> ctx.end()).onFailure(ctx::fail));
    }

    /** Sets attribute {@code :name} to the body's {@code value}, after waiting {@code waitMs} with the session held. */
    private static void put(RoutingContext ctx, long waitMs) {
        Session session = Session.of(ctx);
        Object value = ctx.body().asJsonObject().getValue("value");
        if (waitMs > 0) {
            SLOW_REQUESTS_HOLDING.incrementAndGet();
        }
        Future<Void> waited = waitMs == 0 ? Future.succeededFuture()
                : Future.future((Promise<Void> p) -> ctx.vertx().setTimer(waitMs, t -> p.complete()));
        waited.compose(v -> session.put(ctx.pathParam("name"), value))
                .onSuccess(v -> ctx.json(new JsonObject().put("stored", ctx.pathParam("name"))))
                .onFailure(ctx::fail);
    }
}
