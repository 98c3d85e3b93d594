package dev.flotilla.examples.messages;

import dev.flotilla.messaging.Messaging;
import dev.flotilla.messaging.Transports;
import dev.flotilla.service.ServiceContext;
import io.vertx.core.Future;

/** One connection to the fleet's queues per process, closed with the service; shared by the two examples. */
final class Queues {

    /** The queue of seed 000. */
    static final String HELLO = "hello";

    private Queues() {
    }

    /** Connects as the environment says: RabbitMQ at {@code FLOTILLA_AMQP}, else Redis Streams. */
    static Future<Messaging> open(ServiceContext service) {
        return Transports.fromEnvironment(service.vertx()).onSuccess(messaging -> service.onClose(messaging::close));
    }
}
