package dev.flotilla.examples.users;

import dev.flotilla.core.http.HttpFailure;
import dev.flotilla.service.FlotillaService;
import dev.flotilla.service.ServiceContext;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Response;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The seed article's users API on the Flotilla SDK. Users live in Redis, so every instance answers the
 * same: {@code GET /users}, {@code GET /users/:id}, {@code POST /users}, {@code DELETE /users/:id}, and
 * {@code GET /whoami} (which instance and process answered, as the seed's cluster workers do).
 * Environment: {@code PORT}, {@code FLOTILLA_REDIS} (required), {@code FLOTILLA_REGISTRY}, and
 * {@code USERS_KEY} (the Redis hash, default {@code flotilla:example:users}).
 */
public final class UsersService {

    private static final Set<String> FIELDS = Set.of("name", "email");
    private static final Logger LOG = LoggerFactory.getLogger(UsersService.class);

    private UsersService() {
    }

    public static void main(String[] args) {
        FlotillaService.named("users", "1.0.0")
                .routes(UsersService::routes)
                .readinessCheck("redis", ctx -> ctx.redis().send(Request.cmd(Command.PING)))
                .run();
    }

    static void routes(Router router, ServiceContext service) {
        String key = System.getenv().getOrDefault("USERS_KEY", "flotilla:example:users");
        router.get("/users").handler(ctx -> redis(service).send(Request.cmd(Command.HVALS).arg(key))
                .onSuccess(values -> ctx.json(sorted(values)))
                .onFailure(ctx::fail));
        router.get("/users/:id").handler(ctx -> redis(service).send(Request.cmd(Command.HGET).arg(key).arg(id(ctx)))
                .onSuccess(value -> {
                    // Logged inside the request: the line carries the request's trace_id (flotilla logs --trace).
                    LOG.info("user {} {}", ctx.pathParam("id"), value == null ? "not found" : "found");
                    if (value == null) {
                        ctx.fail(HttpFailure.notFound("no user " + ctx.pathParam("id")));
                    } else {
                        ctx.json(new JsonObject(value.toString()));
                    }
                })
                .onFailure(ctx::fail));
        router.post("/users").handler(ctx -> {
            JsonObject user = validate(ctx.body().asJsonObject());
            Redis redis = redis(service);
            redis.send(Request.cmd(Command.INCR).arg(key + ":next"))
                    .compose(id -> {
                        user.put("id", id.toLong());
                        return redis.send(Request.cmd(Command.HSET).arg(key).arg(id.toString()).arg(user.encode()));
                    })
                    .onSuccess(v -> ctx.response().setStatusCode(201)
                            .putHeader("Location", "/users/" + user.getLong("id")).end(user.toBuffer()))
                    .onFailure(ctx::fail);
        });
        router.delete("/users/:id").handler(ctx -> redis(service).send(Request.cmd(Command.HDEL).arg(key).arg(id(ctx)))
                .onSuccess(removed -> {
                    if (removed.toInteger() == 0) {
                        ctx.fail(HttpFailure.notFound("no user " + ctx.pathParam("id")));
                    } else {
                        ctx.response().setStatusCode(204).end();
                    }
                })
                .onFailure(ctx::fail));
        router.get("/whoami").handler(ctx -> ctx.json(new JsonObject()
                .put("service", service.name())
                .put("instance", service.instanceId())
                .put("pid", ProcessHandle.current().pid())));
    }

    private static Redis redis(ServiceContext service) {
        return service.redis();
    }

    private static String id(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        if (!id.matches("[0-9]{1,18}")) {
            throw HttpFailure.badRequest("user id '" + id + "' is not a number");
        }
        return id;
    }

    /** A new user: a non-empty name and an email address, nothing else. */
    static JsonObject validate(JsonObject body) {
        if (body == null) {
            throw HttpFailure.badRequest("the body must be a JSON object with name and email");
        }
        for (String field : body.fieldNames()) {
            if (!FIELDS.contains(field)) {
                throw HttpFailure.badRequest("unknown field '" + field + "' (expected: name, email)");
            }
        }
        Object name = body.getValue("name");
        if (!(name instanceof String text) || text.isBlank() || text.length() > 100) {
            throw HttpFailure.badRequest("name: expected a non-empty string of at most 100 characters");
        }
        Object email = body.getValue("email");
        if (!(email instanceof String address) || !address.matches("[^@\\s]+@[^@\\s]+") || address.length() > 200) {
            throw HttpFailure.badRequest("email: expected an address like ada@example.com");
        }
        return new JsonObject().put("name", ((String) name).trim()).put("email", email);
    }

    private static JsonArray sorted(Response values) {
        List<JsonObject> users = values.stream().map(v -> new JsonObject(v.toString()))
                .sorted(Comparator.comparingLong(u -> u.getLong("id"))).toList();
        return new JsonArray(List.copyOf(users));
    }

}
