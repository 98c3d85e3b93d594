package dev.flotilla.messaging;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.flotilla.messaging.rabbit.RabbitMessaging;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** The contract on the real RabbitMQ (localhost:5672, guest/guest). */
class RabbitMessagingTest extends MessagingContractTest {

    private static final String AMQP_URI = "amqp://guest:guest@127.0.0.1:5672";

    @Override
    Messaging open(Vertx vertx, Deduplication deduplication) throws Exception {
        return RabbitMessaging.connect(vertx, AMQP_URI, deduplication, 64 * 1024).await(10, TimeUnit.SECONDS);
    }

    private static Connection raw() throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(AMQP_URI);
        return factory.newConnection();
    }

    @Override
    void publishRaw(String queue, String body, String id) throws Exception {
        try (Connection connection = raw(); Channel channel = connection.createChannel()) {
            channel.basicPublish("", queue, new AMQP.BasicProperties.Builder().messageId(id).build(),
                    body.getBytes(StandardCharsets.UTF_8));
        }
    }

    @Override
    long depth(String queue) throws Exception {
        try (Connection connection = raw(); Channel channel = connection.createChannel()) {
            return channel.queueDeclarePassive(queue).getMessageCount();
        }
    }

    @Override
    long deadLetterCount(String queue) throws Exception {
        return depth(queue + ".dead-letters");
    }

    @Override
    void cleanup(String queue) throws Exception {
        try (Connection connection = raw(); Channel channel = connection.createChannel()) {
            channel.queueDelete(queue);
            channel.queueDelete(queue + ".dead-letters");
            for (long delay : new long[] {100, 200, 400}) {
                channel.queueDelete(queue + ".retry." + delay);
            }
        }
    }
}
