package dev.flotilla.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.flotilla.messaging.ConsumerOptions;
import dev.flotilla.messaging.Messaging;
import dev.flotilla.messaging.Subscription;
import dev.flotilla.messaging.Transports;
import dev.flotilla.testing.Eventually;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/** {@code flotilla dlq list|replay|purge} on the real RabbitMQ. */
class DlqCommandTest {

    private static final String AMQP = "amqp://guest:guest@127.0.0.1:5672";

    private record Run(int exit, String out, String err) {
    }

    private static Run flotilla(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine command = Flotilla.commandLine();
        command.setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true));
        int exit = command.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    /** {@code flotilla dlq ARGS --amqp AMQP}. */
    private static Run dlq(String amqp, String... args) {
        List<String> command = new ArrayList<>(List.of("dlq"));
        command.addAll(List.of(args));
        command.addAll(List.of("--amqp", amqp));
        return flotilla(command.toArray(String[]::new));
    }

    /** Both transports, as a service picks them from {@code FLOTILLA_AMQP}. */
    @ParameterizedTest
    @ValueSource(strings = {AMQP, Transports.REDIS})
    void listsReplaysAndPurgesTheDeadLettersOfAQueue(String amqp) throws Exception {
        String queue = "dlq-" + UUID.randomUUID();
        Vertx vertx = Vertx.vertx();
        Messaging messaging = Transports.connect(vertx, amqp, Transports.DEFAULT_REDIS, 65_536)
                .await(10, TimeUnit.SECONDS);
        try {
            AtomicInteger handled = new AtomicInteger();
            Subscription failing = messaging.consume(queue, ConsumerOptions.DEFAULTS.withMaxAttempts(1),
                    message -> Future.failedFuture("payment service down")).await(10, TimeUnit.SECONDS);
            messaging.publish(queue, new JsonObject().put("order", 1)).await(10, TimeUnit.SECONDS);
            messaging.publish(queue, new JsonObject().put("order", 2)).await(10, TimeUnit.SECONDS);
            Eventually.await("two dead letters", Duration.ofSeconds(10),
                    () -> dlq(amqp, "list", queue).out().lines().count() == 2);
            failing.cancel().await(10, TimeUnit.SECONDS);

            Run list = dlq(amqp, "list", queue, "--limit", "1");
            assertThat(list.exit()).isZero();
            JsonObject first = new JsonObject(list.out().strip());
            assertThat(first.getString("reason")).isEqualTo("payment service down");
            assertThat(first.getInteger("attempts")).isEqualTo(1);
            assertThat(first.getJsonObject("body").containsKey("order")).isTrue();

            messaging.consume(queue, ConsumerOptions.DEFAULTS, message -> {
                handled.incrementAndGet();
                return Future.succeededFuture();
            }).await(10, TimeUnit.SECONDS);
            assertThat(dlq(amqp, "replay", queue, "--limit", "1").out())
                    .contains("replayed 1 dead letters of " + queue);
            Eventually.await("the replayed one is handled", Duration.ofSeconds(10), () -> handled.get() == 1);
            assertThat(dlq(amqp, "purge", queue).out()).contains("purged 1 dead letters of " + queue);
            assertThat(dlq(amqp, "list", queue).out()).isEmpty();

            Run bad = dlq(amqp, "drop", queue);
            assertThat(bad.exit()).isEqualTo(2);
            assertThat(bad.err()).contains("'drop' is not an action (list, replay, purge)");
            Run unreachable = flotilla("dlq", "list", queue, "--amqp", "amqp://guest:guest@127.0.0.1:1");
            assertThat(unreachable.exit()).isEqualTo(1);
            assertThat(unreachable.err()).startsWith("flotilla dlq: ");
        } finally {
            messaging.close().await(10, TimeUnit.SECONDS);
            vertx.close().await(10, TimeUnit.SECONDS);
            if (amqp.equals(AMQP)) {
                ConnectionFactory factory = new ConnectionFactory();
                factory.setUri(AMQP);
                try (Connection connection = factory.newConnection(); Channel channel = connection.createChannel()) {
                    channel.queueDelete(queue);
                    channel.queueDelete(queue + ".dead-letters");
                }
            }
        }
    }
}
