package dev.flotilla.examples.orders;

import dev.flotilla.service.FlotillaService;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.LoggerFactory;

/**
 * Tells the customer, for the order saga: logs the notice and keeps the last 100 in Redis
 * ({@code GET /notifications}); a repeated command sends nothing twice.
 */
public final class NotificationService {

    static final String SENT = "orders-example:notifications";
    private static final String DONE = "orders-example:notification:done";
    private static final String SEND_ONCE = """
            if redis.call('HSETNX', KEYS[2], ARGV[1], 1) == 1 then
              redis.call('LPUSH', KEYS[1], ARGV[2])
              redis.call('LTRIM', KEYS[1], 0, 99)
            end
            return 1
            """;

    private NotificationService() {
    }

    public static void main(String[] args) {
        AtomicBoolean serving = new AtomicBoolean();
        FlotillaService.named("notification", "1.0.0").routes((router, service) -> {
            if (serving.compareAndSet(false, true)) {
                OrderSaga.serve(service, OrderSaga.NOTIFICATION, Map.of("notify", command -> {
                    String notice = "order " + command.sagaId() + " confirmed: " + command.data().getInteger("quantity")
                            + " x " + command.data().getString("item");
                    return service.redis().send(Request.cmd(Command.EVAL).arg(SEND_ONCE).arg(2).arg(SENT).arg(DONE)
                            .arg(command.key()).arg(notice)).map(r -> {
                                LoggerFactory.getLogger(NotificationService.class).info("{}", notice);
                                return new JsonObject().put("notified", true);
                            });
                })).onFailure(e -> LoggerFactory.getLogger(NotificationService.class)
                        .error("cannot serve {}: {}", OrderSaga.NOTIFICATION, e.getMessage()));
            }
            router.get("/notifications").handler(ctx -> service.redis().send(Request.cmd(Command.LRANGE).arg(SENT)
                    .arg(0).arg(-1)).onSuccess(list -> {
                        JsonArray notices = new JsonArray();
                        for (Response notice : list) {
                            notices.add(notice.toString());
                        }
                        ctx.json(new JsonObject().put("notifications", notices));
                    }).onFailure(ctx::fail));
        }).run();
    }
}
