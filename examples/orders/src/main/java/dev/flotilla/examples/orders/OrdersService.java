package dev.flotilla.examples.orders;

import dev.flotilla.core.http.HttpFailure;
import dev.flotilla.core.trace.Tracing;
import dev.flotilla.messaging.ConsumerOptions;
import dev.flotilla.messaging.saga.SagaState;
import dev.flotilla.messaging.saga.Sagas;
import dev.flotilla.service.FlotillaService;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Takes orders and runs each as a saga: inventory reserve, payment charge, notification. {@code POST /orders
 * {"item", "quantity", "amount"}} answers 202 with the order's id; {@code GET /orders/{id}} shows its state
 * ({@code PENDING}, {@code COMPLETED}, {@code CANCELLING}, {@code CANCELLED}) and steps; {@code GET
 * /orders/{id}/history} the saga's history; {@code GET /orders} the most recent.
 */
public final class OrdersService {

    private OrdersService() {
    }

    public static void main(String[] args) {
        AtomicReference<Future<Sagas>> orchestrator = new AtomicReference<>();
        FlotillaService.named("orders", "1.0.0").routes((router, service) -> {
            orchestrator.compareAndSet(null, OrderSaga.connect(service).compose(messaging -> {
                Sagas sagas = Sagas.create(service.vertx(), OrderSaga.redisUrl(service), messaging,
                        OrderSaga.DEFINITION);
                service.onClose(sagas::close);
                return sagas.run(ConsumerOptions.DEFAULTS).map(sagas);
            }));
            router.post("/orders").handler(ctx -> {
                JsonObject order = validate(ctx.body() == null ? null : ctx.body().asJsonObject());
                // Read now, while the request's span is current: the saga's commands carry it through the queues.
                String traceparent = Tracing.currentTraceparent();
                orchestrator.get().compose(sagas -> sagas.begin(order, traceparent))
                        .onSuccess(id -> ctx.response().setStatusCode(202).putHeader("Location", "orders/" + id)
                                .putHeader("Content-Type", "application/json")
                                .end(new JsonObject().put("id", id).put("state", "PENDING").encode()))
                        .onFailure(e -> ctx.fail(new HttpFailure(503, "orders_unavailable",
                                "the order could not be stored: " + e.getMessage())));
            });
            router.get("/orders").handler(ctx -> orchestrator.get().compose(sagas -> sagas.recent(20))
                    .onSuccess(states -> ctx.json(new JsonObject().put("orders", new JsonArray(states.stream()
                            .map(OrdersService::view).toList()))))
                    .onFailure(ctx::fail));
            router.get("/orders/:id").handler(ctx -> withSaga(ctx, orchestrator.get(), (sagas, state) ->
                    ctx.json(view(state))));
            router.get("/orders/:id/history").handler(ctx -> withSaga(ctx, orchestrator.get(), (sagas, state) ->
                    sagas.history(state.id()).onSuccess(history -> ctx.json(new JsonObject().put("id", state.id())
                            .put("saga", state.toJson()).put("history", history))).onFailure(ctx::fail)));
        }).run();
    }

    private interface SagaHandler {
        void handle(Sagas sagas, SagaState state);
    }

    private static void withSaga(RoutingContext ctx, Future<Sagas> orchestrator, SagaHandler handler) {
        String id = ctx.pathParam("id");
        orchestrator.compose(sagas -> sagas.get(id).onSuccess(state -> {
            if (state == null) {
                ctx.fail(new HttpFailure(404, "not_found", "no order " + id));
            } else {
                handler.handle(sagas, state);
            }
        })).onFailure(ctx::fail);
    }

    /** The order as a customer sees it. */
    static JsonObject view(SagaState state) {
        String orderState = switch (state.status()) {
            case RUNNING -> "PENDING";
            case COMPENSATING -> "CANCELLING";
            case COMPLETED -> "COMPLETED";
            case COMPENSATED -> "CANCELLED";
        };
        JsonArray steps = new JsonArray();
        state.steps().forEach(step -> steps.add(new JsonObject().put("name", step.name())
                .put("status", step.status().name()).put("reason", step.reason())));
        JsonObject data = state.data();
        return new JsonObject().put("id", state.id()).put("state", orderState).put("steps", steps)
                .put("item", data.getString("item")).put("quantity", data.getInteger("quantity"))
                .put("amount", data.getLong("amount")).put("updated", state.updated().toString());
    }

    /** The order's fields, or a 400 naming the first that is wrong. */
    static JsonObject validate(JsonObject body) {
        if (body == null) {
            throw new HttpFailure(400, "bad_request", "expected a JSON object {\"item\", \"quantity\", \"amount\"}");
        }
        if (!(body.getValue("item") instanceof String item) || !item.matches("[A-Za-z0-9 _-]{1,100}")) {
            throw new HttpFailure(400, "bad_request", "item: expected a name of 1-100 letters, digits, ' ', '_', '-'");
        }
        if (!(body.getValue("quantity") instanceof Integer quantity) || quantity < 1 || quantity > 1_000) {
            throw new HttpFailure(400, "bad_request", "quantity: expected a whole number from 1 to 1000");
        }
        if (!(body.getValue("amount") instanceof Number amount) || amount instanceof Double || amount instanceof Float
                || amount.longValue() < 1 || amount.longValue() > 1_000_000_000L) {
            throw new HttpFailure(400, "bad_request", "amount: expected whole cents from 1 to 1000000000");
        }
        return new JsonObject().put("item", item).put("quantity", quantity).put("amount", amount.longValue());
    }
}
