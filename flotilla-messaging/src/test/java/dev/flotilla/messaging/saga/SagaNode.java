package dev.flotilla.messaging.saga;

import dev.flotilla.core.redis.RedisClients;
import dev.flotilla.messaging.ConsumerOptions;
import dev.flotilla.messaging.Messaging;
import dev.flotilla.messaging.Transports;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Command;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A process that runs an order saga's orchestrator and its three participants, for tests that kill it:
 * {@code SagaNode AMQP NAME}. Each participant's effect is applied once per idempotency key, and counted per
 * saga and action in the hash {@code test:saga:NAME:effects}, so a test sees any effect applied twice.
 */
public final class SagaNode {

    static final String REDIS = "redis://127.0.0.1:6379";
    /** Short timeouts: a dead process's deliveries are taken over within seconds. */
    static final ConsumerOptions OPTIONS = ConsumerOptions.DEFAULTS.withHandlerTimeout(Duration.ofSeconds(2))
            .withRetryDelays(Duration.ofMillis(100), Duration.ofSeconds(1));
    private static final String APPLY_ONCE = """
            if redis.call('HSETNX', KEYS[1], ARGV[1], 1) == 1 then
              redis.call('HINCRBY', KEYS[2], ARGV[2], 1)
            end
            return 1
            """;

    private SagaNode() {
    }

    static SagaDefinition definition(String name) {
        return SagaDefinition.named(name)
                .step("reserve", name + ".inventory", "reserve", "release")
                .step("charge", name + ".payment", "charge", "refund")
                .step("notify", name + ".notification", "notify", null)
                .build();
    }

    static String effects(String name) {
        return "test:saga:" + name + ":effects";
    }

    public static void main(String[] args) throws Exception {
        String amqp = args[0];
        String name = args[1];
        Vertx vertx = Vertx.vertx();
        Messaging messaging = Transports.connect(vertx, amqp, REDIS, 1 << 20).await(10, TimeUnit.SECONDS);
        Redis redis = RedisClients.create(vertx, REDIS);
        SagaParticipant.StepHandler apply = command -> redis.send(Request.cmd(Command.EVAL).arg(APPLY_ONCE).arg(2)
                .arg("test:saga:" + name + ":keys").arg(effects(name)).arg(command.key())
                .arg(command.sagaId() + ":" + command.action())).map(r -> new JsonObject());
        SagaParticipant.serve(messaging, name + ".inventory", OPTIONS, Map.of("reserve", apply, "release", apply))
                .await(10, TimeUnit.SECONDS);
        SagaParticipant.serve(messaging, name + ".payment", OPTIONS, Map.of("charge", command ->
                command.data().getInteger("amount") > 100_000
                        ? Future.failedFuture(new StepFailed("payment declined: over 100000 cents"))
                        : apply.run(command), "refund", apply)).await(10, TimeUnit.SECONDS);
        SagaParticipant.serve(messaging, name + ".notification", OPTIONS, Map.of("notify", apply))
                .await(10, TimeUnit.SECONDS);
        Sagas.create(vertx, REDIS, messaging, definition(name)).run(OPTIONS).await(10, TimeUnit.SECONDS);
        System.out.println("ready");
    }
}
