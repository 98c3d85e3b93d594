package dev.flotilla.examples.orders;

import dev.flotilla.messaging.saga.SagaCommand;
import dev.flotilla.messaging.saga.StepFailed;
import dev.flotilla.service.FlotillaService;
import dev.flotilla.service.ServiceContext;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.LoggerFactory;

/**
 * Charges and refunds for the order saga, a pretend card processor: a charge over
 * {@value OrderSaga#PAYMENT_LIMIT_CENTS} cents is declined. Totals live in the Redis hash
 * {@code orders-example:payments} ({@code GET /payments}); each charge or refund counts once per key, and a
 * refund gives back what its charge took, or nothing when the charge never happened.
 */
public final class PaymentService {

    static final String TOTALS = "orders-example:payments";
    private static final String DONE = "orders-example:payment:done";
    /** Charges once per key. KEYS: totals, done keys; ARGV: key, amount. */
    private static final String CHARGE = """
            if redis.call('HSETNX', KEYS[2], ARGV[1], ARGV[2]) == 1 then
              redis.call('HINCRBY', KEYS[1], 'charged', tonumber(ARGV[2]))
              redis.call('HINCRBY', KEYS[1], 'charged-count', 1)
            end
            return 1
            """;
    /** Refunds once per key, and only what the charge of ARGV[2] took (nothing if it never happened). */
    private static final String REFUND = """
            local charged = redis.call('HGET', KEYS[2], ARGV[2])
            if redis.call('HSETNX', KEYS[2], ARGV[1], charged or 0) == 1 and charged then
              redis.call('HINCRBY', KEYS[1], 'refunded', tonumber(charged))
              redis.call('HINCRBY', KEYS[1], 'refunded-count', 1)
            end
            return tonumber(redis.call('HGET', KEYS[2], ARGV[1]))
            """;

    private PaymentService() {
    }

    public static void main(String[] args) {
        AtomicBoolean serving = new AtomicBoolean();
        FlotillaService.named("payment", "1.0.0").routes((router, service) -> {
            if (serving.compareAndSet(false, true)) {
                OrderSaga.serve(service, OrderSaga.PAYMENT, Map.of(
                        "charge", command -> charge(service, command),
                        "refund", command -> refund(service, command)))
                        .onFailure(e -> LoggerFactory.getLogger(PaymentService.class)
                                .error("cannot serve {}: {}", OrderSaga.PAYMENT, e.getMessage()));
            }
            router.get("/payments").handler(ctx -> service.redis().send(Request.cmd(Command.HGETALL).arg(TOTALS))
                    .onSuccess(all -> ctx.json(InventoryService.pairs(all))).onFailure(ctx::fail));
        }).run();
    }

    private static Future<JsonObject> charge(ServiceContext service, SagaCommand command) {
        long amount = command.data().getLong("amount");
        if (amount > OrderSaga.PAYMENT_LIMIT_CENTS) {
            return Future.failedFuture(new StepFailed("payment declined: " + amount + " cents is over the limit of "
                    + OrderSaga.PAYMENT_LIMIT_CENTS));
        }
        return service.redis().send(Request.cmd(Command.EVAL).arg(CHARGE).arg(2).arg(TOTALS).arg(DONE)
                .arg(command.key()).arg(amount)).map(r -> new JsonObject().put("charged", amount));
    }

    private static Future<JsonObject> refund(ServiceContext service, SagaCommand command) {
        String charge = SagaCommand.key(command.sagaId(), "charge", "charge");
        return service.redis().send(Request.cmd(Command.EVAL).arg(REFUND).arg(2).arg(TOTALS).arg(DONE)
                .arg(command.key()).arg(charge)).map(r -> new JsonObject().put("refunded", r.toLong()));
    }
}
