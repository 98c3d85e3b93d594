package dev.flotilla.examples.greeter;

import dev.flotilla.service.FlotillaService;
import dev.flotilla.service.ServiceRequest;
import dev.flotilla.service.ServiceResponse;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A service that calls another: {@code GET /greet/:id} asks the users service (any 1.x) for user
 * {@code id} through the SDK's {@code ServiceClient} (registry watch, load balancing, retries, breaker)
 * and answers a greeting; when users cannot answer it degrades to a greeting for a guest.
 */
public final class GreeterService {

    private static final Logger LOG = LoggerFactory.getLogger(GreeterService.class);

    private GreeterService() {
    }

    public static void main(String[] args) {
        FlotillaService.named("greeter", "1.0.0").routes((router, service) ->
                router.get("/greet/:id").handler(ctx -> {
                    LOG.info("greeting user {}", ctx.pathParam("id"));
                    service.client()
                            .send(ServiceRequest.get("users", "/users/" + ctx.pathParam("id"))
                                    .version("^1").timeout(Duration.ofSeconds(2))
                                    .fallback(failure -> ServiceResponse.of(200, "application/json",
                                            Buffer.buffer("{\"name\":\"guest\",\"degraded\":true}"))))
                            .onSuccess(user -> {
                                if (user.status() == 404) {
                                    ctx.response().setStatusCode(404);
                                    ctx.json(user.bodyAsJsonObject());
                                    return;
                                }
                                JsonObject body = user.bodyAsJsonObject();
                                ctx.json(new JsonObject()
                                        .put("greeting", "Hello, " + body.getString("name") + "!")
                                        .put("usersInstance", user.instance())
                                        .put("degraded", body.getBoolean("degraded", false)));
                            })
                            .onFailure(ctx::fail);
                }))
                .run();
    }
}
