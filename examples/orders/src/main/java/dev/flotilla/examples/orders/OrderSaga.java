package dev.flotilla.examples.orders;

import dev.flotilla.messaging.ConsumerOptions;
import dev.flotilla.messaging.Messaging;
import dev.flotilla.messaging.Subscription;
import dev.flotilla.messaging.Transports;
import dev.flotilla.messaging.saga.SagaDefinition;
import dev.flotilla.messaging.saga.SagaParticipant;
import dev.flotilla.service.ServiceContext;
import io.vertx.core.Future;
import java.util.Map;

/** What the four services share: the saga's steps and queues, and how each process connects. */
final class OrderSaga {

    static final String INVENTORY = "orders-example.inventory";
    static final String PAYMENT = "orders-example.payment";
    static final String NOTIFICATION = "orders-example.notification";
    /** Above this, payment refuses: the saga compensates. */
    static final long PAYMENT_LIMIT_CENTS = 100_000;

    static final SagaDefinition DEFINITION = SagaDefinition.named("order")
            .step("reserve", INVENTORY, "reserve", "release")
            .step("charge", PAYMENT, "charge", "refund")
            .step("notify", NOTIFICATION, "notify", null)
            .build();

    private OrderSaga() {
    }

    /** The fleet's transport ({@code FLOTILLA_AMQP}: RabbitMQ, else Redis Streams), closed with the service. */
    static Future<Messaging> connect(ServiceContext service) {
        return Transports.fromEnvironment(service.vertx()).onSuccess(messaging -> service.onClose(messaging::close));
    }

    static String redisUrl(ServiceContext service) {
        return service.config().redisUrl() == null ? Transports.DEFAULT_REDIS : service.config().redisUrl();
    }

    /** Serves a participant's queue for the life of the service. */
    static Future<Subscription> serve(ServiceContext service, String queue, Map<String, SagaParticipant.StepHandler>
            actions) {
        return connect(service).compose(messaging -> SagaParticipant.serve(messaging, queue, ConsumerOptions.DEFAULTS,
                actions));
    }
}
