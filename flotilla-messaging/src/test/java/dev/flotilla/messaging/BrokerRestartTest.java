package dev.flotilla.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.flotilla.messaging.rabbit.RabbitMessaging;
import dev.flotilla.testing.Eventually;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The broker restarts (the machine's RabbitMQ, stopped and started with {@code rabbitmqctl}): a message
 * confirmed before is still there, a consumer resumes by itself, and publishing works again.
 */
class BrokerRestartTest {

    private static final String AMQP_URI = "amqp://guest:guest@127.0.0.1:5672";

    private static void rabbitmqctl(String command) throws Exception {
        Process process = new ProcessBuilder("rabbitmqctl", command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("rabbitmqctl " + command + ": " + output).isZero();
    }

    @Test
    void confirmedMessagesSurviveARestartAndTheConsumerResumes() throws Exception {
        Vertx vertx = Vertx.vertx();
        String queue = "restart-" + UUID.randomUUID();
        Messaging messaging = RabbitMessaging.connect(vertx, AMQP_URI, null, 65_536).await(10, TimeUnit.SECONDS);
        try {
            messaging.publish(queue, new JsonObject().put("n", "before")).await(10, TimeUnit.SECONDS);
            rabbitmqctl("stop_app");
            rabbitmqctl("start_app");
            List<String> handled = new CopyOnWriteArrayList<>();
            Eventually.await("the connection is back", Duration.ofSeconds(30), () -> {
                try {
                    messaging.consume(queue, ConsumerOptions.DEFAULTS, message -> {
                        handled.add(message.body().getString("n"));
                        return Future.succeededFuture();
                    }).await(5, TimeUnit.SECONDS);
                    return true;
                } catch (Exception notYet) {
                    return false;
                }
            });
            Eventually.await("the message confirmed before the restart", Duration.ofSeconds(10),
                    () -> handled.contains("before"));

            rabbitmqctl("stop_app");
            rabbitmqctl("start_app");
            Eventually.await("publishing works again", Duration.ofSeconds(30), () -> {
                try {
                    messaging.publish(queue, new JsonObject().put("n", "after")).await(5, TimeUnit.SECONDS);
                    return true;
                } catch (Exception notYet) {
                    return false;
                }
            });
            Eventually.await("the consumer resumed by itself", Duration.ofSeconds(20), () -> handled.contains("after"));
        } finally {
            messaging.close().await(10, TimeUnit.SECONDS);
            vertx.close().await(10, TimeUnit.SECONDS);
            ConnectionFactory factory = new ConnectionFactory();
            factory.setUri(AMQP_URI);
            try (Connection connection = factory.newConnection(); Channel channel = connection.createChannel()) {
                channel.queueDelete(queue);
                channel.queueDelete(queue + ".dead-letters");
            }
        }
    }
}
