package dev.flotilla.cli;

import dev.flotilla.messaging.DeadLetter;
import dev.flotilla.messaging.Messaging;
import dev.flotilla.messaging.Transports;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code flotilla dlq list|replay|purge QUEUE}: the dead letters of a queue. */
@Command(name = "dlq", mixinStandardHelpOptions = true,
        description = {"The dead letters of a queue: list them (one JSON line each: id, reason, attempts, failed-at,"
                + " body), replay them (back to the queue, attempts from 1), or purge them.",
            "The transport as services pick it: --amqp (else FLOTILLA_AMQP, else the running fleet's) amqp://... for "
                + "RabbitMQ, or 'redis' (the default) for Redis Streams at --redis (else FLOTILLA_REDIS, else the "
                + "running fleet's, else redis://127.0.0.1:6379)."})
final class DlqCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "ACTION", description = "list, replay or purge")
    String action;

    @Parameters(index = "1", paramLabel = "QUEUE")
    String queue;

    @Option(names = "--limit", description = "How many dead letters to list or replay (default: ${DEFAULT-VALUE}).")
    int limit = 20;

    @Option(names = "--amqp", paramLabel = "URI", defaultValue = "${env:FLOTILLA_AMQP}",
            description = "amqp://USER:PASSWORD@HOST:PORT, or redis.")
    String amqp;

    @Option(names = "--redis", paramLabel = "URL", defaultValue = "${env:FLOTILLA_REDIS}",
            description = "redis://HOST:PORT: Redis Streams' queues.")
    String redis;

    @Override
    public Integer call() throws Exception {
        if (!List.of("list", "replay", "purge").contains(action)) {
            spec.commandLine().getErr().println("flotilla dlq: '" + action
                    + "' is not an action (list, replay, purge)");
            return 2;
        }
        if (limit < 1 || limit > 10_000) {
            spec.commandLine().getErr().println("flotilla dlq: --limit " + limit + " (expected: 1..10000)");
            return 2;
        }
        Vertx vertx = Vertx.vertx();
        try {
            Messaging messaging = Transports.connect(vertx, FleetEnvironment.choose(amqp, "FLOTILLA_AMQP", null),
                    FleetEnvironment.choose(redis, "FLOTILLA_REDIS", Transports.DEFAULT_REDIS),
                    Transports.DEFAULT_MAX_MESSAGE_BYTES).await(15, TimeUnit.SECONDS);
            try {
                switch (action) {
                    case "list" -> {
                        for (DeadLetter letter : messaging.deadLetters(queue, limit).await(30, TimeUnit.SECONDS)) {
                            spec.commandLine().getOut().println(new JsonObject().put("id", letter.message().id())
                                    .put("reason", letter.reason()).put("attempts", letter.attempts())
                                    .put("failed-at", letter.failedAt() == null ? null : letter.failedAt().toString())
                                    .put("body", letter.message().body()).encode());
                        }
                    }
                    case "replay" -> spec.commandLine().getOut().println("replayed " + messaging
                            .replayDeadLetters(queue, limit).await(60, TimeUnit.SECONDS) + " dead letters of " + queue);
                    default -> spec.commandLine().getOut().println("purged " + messaging.purgeDeadLetters(queue)
                            .await(30, TimeUnit.SECONDS) + " dead letters of " + queue);
                }
                return 0;
            } finally {
                messaging.close().await(10, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            spec.commandLine().getErr().println("flotilla dlq: " + (e.getMessage() == null ? e : e.getMessage()));
            return 1;
        } finally {
            vertx.close().await(10, TimeUnit.SECONDS);
        }
    }
}
