package dev.flotilla.messaging.saga;

import dev.flotilla.messaging.ConsumerOptions;
import dev.flotilla.messaging.CrashPoints;
import dev.flotilla.messaging.Message;
import dev.flotilla.messaging.Messaging;
import dev.flotilla.messaging.Subscription;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;

/**
 * Serves the commands of a participant's queue: runs the handler of the command's action and replies to the
 * orchestrator. A handler's {@link StepFailed} is a refusal (the saga compensates); any other failure is
 * retried as the queue retries. A compensation is never refused: a failing one is retried, and ends in the
 * dead letters if it keeps failing.
 * <p>
 * The reply is published after the handler succeeded and before the command is acknowledged, under an id
 * derived from the command's key: a crash in between runs the handler again with the same key, so handlers
 * must apply their effect once per key (in the same transaction as the effect, as the examples do).
 */
public final class SagaParticipant {

    /** Runs one action. The result is merged into the saga's data under the step's name. */
    @FunctionalInterface
    public interface StepHandler {
        Future<JsonObject> run(SagaCommand command);
    }

    private SagaParticipant() {
    }

    public static Future<Subscription> serve(Messaging messaging, String queue, ConsumerOptions options,
            Map<String, StepHandler> actions) {
        Map<String, StepHandler> handlers = Map.copyOf(actions);
        return messaging.consume(queue, options, message -> handle(messaging, handlers, message));
    }

    private static Future<Void> handle(Messaging messaging, Map<String, StepHandler> handlers, Message message) {
        JsonObject body = message.body();
        SagaCommand command = new SagaCommand(body.getString("saga"), body.getString("id"), body.getString("name"),
                body.getString("action"), body.getBoolean("compensation", false), body.getString("key"),
                body.getJsonObject("data", new JsonObject()));
        String replyTo = body.getString("replyTo");
        StepHandler handler = handlers.get(command.action());
        if (handler == null || replyTo == null || command.key() == null || body.getInteger("step") == null) {
            return Future.failedFuture(new IllegalArgumentException(handler == null ? "no handler for the action '"
                    + command.action() + "' (known: " + handlers.keySet() + ")" : "not a saga command: "
                    + body.encode()));
        }
        JsonObject reply = new JsonObject().put("saga", command.saga()).put("id", command.sagaId())
                .put("step", body.getInteger("step")).put("compensation", command.compensation());
        Future<JsonObject> ran;
        try {
            ran = handler.run(command);
        } catch (RuntimeException e) {
            ran = Future.failedFuture(e);
        }
        return ran.transform(ar -> {
            if (ar.succeeded()) {
                CrashPoints.reached("saga.participant.after-commit", command.step());
                reply.put("ok", true).put("result", ar.result());
            } else if (ar.cause() instanceof StepFailed refused && !command.compensation()) {
                reply.put("ok", false).put("reason", refused.getMessage());
            } else {
                return Future.failedFuture(ar.cause());
            }
            Map<String, String> headers = new HashMap<>();
            if (message.traceparent() != null) {
                headers.put("traceparent", message.traceparent());
            }
            return messaging.publish(replyTo, reply, headers, command.key() + ":reply").mapEmpty();
        });
    }
}
