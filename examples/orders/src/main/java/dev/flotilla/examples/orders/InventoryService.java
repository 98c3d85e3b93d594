package dev.flotilla.examples.orders;

import dev.flotilla.messaging.saga.SagaCommand;
import dev.flotilla.messaging.saga.StepFailed;
import dev.flotilla.service.FlotillaService;
import dev.flotilla.service.ServiceContext;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.LoggerFactory;

/**
 * Reserves and releases stock for the order saga. Stock lives in the Redis hash {@code orders-example:stock}
 * (seeded with widget 1000, gadget 100, gizmo 10); {@code GET /stock} shows it. Each command takes effect
 * once per idempotency key: the effect and the record of the key are one script, and a repeated command gets
 * the outcome recorded the first time.
 */
public final class InventoryService {

    static final String STOCK = "orders-example:stock";
    private static final String DONE = "orders-example:inventory:done";
    private static final String RESERVE = """
            local done = redis.call('HGET', KEYS[2], ARGV[1])
            if done then return done end
            local have = redis.call('HGET', KEYS[1], ARGV[2])
            local outcome
            if not have then
              outcome = 'refused:no item ' .. ARGV[2]
            elseif tonumber(have) < tonumber(ARGV[3]) then
              outcome = 'refused:only ' .. have .. ' ' .. ARGV[2] .. ' left'
            else
              redis.call('HINCRBY', KEYS[1], ARGV[2], -tonumber(ARGV[3]))
              outcome = 'reserved'
            end
            redis.call('HSET', KEYS[2], ARGV[1], outcome)
            return outcome
            """;
    private static final String RELEASE = """
            if redis.call('HSETNX', KEYS[2], ARGV[1], 'released') == 1
                and redis.call('HGET', KEYS[2], ARGV[4]) == 'reserved' then
              redis.call('HINCRBY', KEYS[1], ARGV[2], tonumber(ARGV[3]))
            end
            return 'released'
            """;

    private InventoryService() {
    }

    public static void main(String[] args) {
        AtomicBoolean serving = new AtomicBoolean();
        FlotillaService.named("inventory", "1.0.0").routes((router, service) -> {
            if (serving.compareAndSet(false, true)) {
                seed(service).compose(v -> OrderSaga.serve(service, OrderSaga.INVENTORY, Map.of(
                        "reserve", command -> reserve(service, command),
                        "release", command -> release(service, command))))
                        .onFailure(e -> LoggerFactory.getLogger(InventoryService.class)
                                .error("cannot serve {}: {}", OrderSaga.INVENTORY, e.getMessage()));
            }
            router.get("/stock").handler(ctx -> service.redis().send(Request.cmd(Command.HGETALL).arg(STOCK))
                    .onSuccess(all -> ctx.json(pairs(all))).onFailure(ctx::fail));
        }).run();
    }

    private static Future<Void> seed(ServiceContext service) {
        return Future.all(Map.of("widget", 1000, "gadget", 100, "gizmo", 10).entrySet().stream().map(e ->
                service.redis().send(Request.cmd(Command.HSETNX).arg(STOCK).arg(e.getKey()).arg(e.getValue())))
                .toList()).mapEmpty();
    }

    private static Future<JsonObject> reserve(ServiceContext service, SagaCommand command) {
        JsonObject data = command.data();
        return service.redis().send(Request.cmd(Command.EVAL).arg(RESERVE).arg(2).arg(STOCK).arg(DONE)
                .arg(command.key()).arg(data.getString("item")).arg(data.getInteger("quantity"))).compose(r -> {
                    String outcome = r.toString();
                    return outcome.startsWith("refused:") ? Future.failedFuture(new StepFailed(outcome.substring(8)))
                            : Future.succeededFuture(new JsonObject().put("reserved", data.getInteger("quantity")));
                });
    }

    private static Future<JsonObject> release(ServiceContext service, SagaCommand command) {
        JsonObject data = command.data();
        String reservation = SagaCommand.key(command.sagaId(), "reserve", "reserve");
        return service.redis().send(Request.cmd(Command.EVAL).arg(RELEASE).arg(2).arg(STOCK).arg(DONE)
                .arg(command.key()).arg(data.getString("item")).arg(data.getInteger("quantity")).arg(reservation))
                .map(r -> new JsonObject().put("released", data.getInteger("quantity")));
    }

    static JsonObject pairs(Response hash) {
        JsonObject json = new JsonObject();
        for (int i = 0; i + 1 < hash.size(); i += 2) {
            json.put(hash.get(i).toString(), hash.get(i + 1).toLong());
        }
        return json;
    }
}
