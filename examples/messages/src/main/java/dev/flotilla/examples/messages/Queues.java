package dev.flotilla.examples.messages;

import dev.flotilla.messaging.Deduplication;
import dev.flotilla.messaging.Messaging;
import dev.flotilla.messaging.rabbit.RabbitMessaging;
import dev.flotilla.service.ServiceContext;
import io.vertx.core.Future;
import java.time.Duration;

/** One connection to RabbitMQ per process, closed with the service; shared by the two examples. */
final class Queues {

    /** The queue of seed 000. */
    static final String HELLO = "hello";

    private Queues() {
    }

    /**
     * Connects to {@code FLOTILLA_AMQP} (default: the local broker as guest), with deduplication in
     * {@code FLOTILLA_REDIS} when it is set.
     */
    static Future<Messaging> open(ServiceContext service) {
        String uri = System.getenv().getOrDefault("FLOTILLA_AMQP", "amqp://guest:guest@127.0.0.1:5672");
        Deduplication deduplication = service.config().redisUrl() == null ? null
                : new Deduplication(service.redis(), Duration.ofHours(1));
        return RabbitMessaging.connect(service.vertx(), uri, deduplication, 64 * 1024).onSuccess(messaging ->
                service.onClose(messaging::close));
    }
}
