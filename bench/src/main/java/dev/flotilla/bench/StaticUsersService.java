package dev.flotilla.bench;

import dev.flotilla.service.FlotillaService;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** The benchmark's SDK service: {@code GET /users} answers the same static JSON as the Express app. */
public final class StaticUsersService {

    private StaticUsersService() {
    }

    public static void main(String[] args) {
        Buffer users = new JsonArray()
                .add(new JsonObject().put("id", 1).put("name", "Ada Lovelace").put("email", "ada@example.com"))
                .add(new JsonObject().put("id", 2).put("name", "Alan Turing").put("email", "alan@example.com"))
                .toBuffer();
        FlotillaService.named("users", "1.0.0")
                .routes(router -> router.get("/users").handler(ctx -> ctx.response()
                        .putHeader("Content-Type", "application/json").end(users)))
                .run();
    }
}
