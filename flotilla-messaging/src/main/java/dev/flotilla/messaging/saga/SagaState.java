package dev.flotilla.messaging.saga;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where one saga is, and the one function that decides what a participant's reply changes: the rest of the
 * orchestrator only stores the decision (with a compare-and-set on {@code revision}) and sends its command.
 *
 * @param id          the saga's id
 * @param saga        its definition's name
 * @param status      running forwards, compensating, or ended one way or the other
 * @param current     the step waiting for a reply (forward or compensation); -1 once ended
 * @param data        what the saga started with, plus each step's result under the step's name
 * @param steps       each step's status and, when it failed, why
 * @param traceparent the W3C trace context the saga began in, carried on every command, or null
 * @param revision    how many changes it has seen; the compare-and-set's expected value
 * @param started     when it began
 * @param updated     when it last changed
 */
public record SagaState(String id, String saga, Status status, int current, JsonObject data, List<StepState> steps,
        String traceparent, long revision, Instant started, Instant updated) {

    public enum Status { RUNNING, COMPENSATING, COMPLETED, COMPENSATED }

    public enum StepStatus { PENDING, RUNNING, DONE, FAILED, COMPENSATING, COMPENSATED }

    /** One step's status; {@code reason} says why it failed. */
    public record StepState(String name, StepStatus status, String reason) {
    }

    /** A command to send: the step's action, or its compensation. */
    public record Command(int step, boolean compensation) {
    }

    /** A decision: the new state, what happened in words, and the command to send next (or null). */
    public record Transition(SagaState next, String event, Command command) {
    }

    /** A participant's answer to the command for {@code step}. */
    public record Reply(int step, boolean compensation, boolean ok, JsonObject result, String reason) {
    }

    public boolean ended() {
        return status == Status.COMPLETED || status == Status.COMPENSATED;
    }

    /** A new saga, waiting for its first step. */
    public static Transition begin(SagaDefinition definition, String id, JsonObject data, String traceparent,
            Instant now) {
        List<StepState> steps = new ArrayList<>();
        for (int i = 0; i < definition.steps().size(); i++) {
            steps.add(new StepState(definition.steps().get(i).name(), i == 0 ? StepStatus.RUNNING : StepStatus.PENDING,
                    null));
        }
        SagaState state = new SagaState(id, definition.name(), Status.RUNNING, 0, data.copy(), List.copyOf(steps),
                traceparent, 0, now, now);
        return new Transition(state, "started", new Command(0, false));
    }

    /**
     * What {@code reply} changes, or nothing when it is not the one awaited: a repeat of an answer already
     * taken, or an answer to a command the saga has moved past.
     */
    public Optional<Transition> onReply(SagaDefinition definition, Reply reply, Instant now) {
        boolean awaited = reply.step() == current && (reply.compensation()
                ? status == Status.COMPENSATING : status == Status.RUNNING);
        if (!awaited) {
            return Optional.empty();
        }
        List<StepState> next = new ArrayList<>(steps);
        String name = steps.get(current).name();
        if (!reply.compensation() && reply.ok()) {
            next.set(current, new StepState(name, StepStatus.DONE, null));
            JsonObject nextData = data.copy().put(name, reply.result() == null ? new JsonObject() : reply.result());
            if (current + 1 == steps.size()) {
                return Optional.of(new Transition(with(Status.COMPLETED, -1, nextData, next, now),
                        "step " + name + " done; saga completed", null));
            }
            next.set(current + 1, new StepState(steps.get(current + 1).name(), StepStatus.RUNNING, null));
            return Optional.of(new Transition(with(Status.RUNNING, current + 1, nextData, next, now),
                    "step " + name + " done", new Command(current + 1, false)));
        }
        String event;
        if (reply.compensation()) {
            next.set(current, new StepState(name, StepStatus.COMPENSATED, null));
            event = "step " + name + " compensated";
        } else {
            next.set(current, new StepState(name, StepStatus.FAILED, reply.reason()));
            event = "step " + name + " failed: " + reply.reason();
        }
        for (int i = current - 1; i >= 0; i--) {
            if (next.get(i).status() == StepStatus.DONE && definition.steps().get(i).compensation() != null) {
                next.set(i, new StepState(next.get(i).name(), StepStatus.COMPENSATING, null));
                return Optional.of(new Transition(with(Status.COMPENSATING, i, data, next, now),
                        event + "; compensating " + next.get(i).name(), new Command(i, true)));
            }
        }
        return Optional.of(new Transition(with(Status.COMPENSATED, -1, data, next, now), event
                + "; saga compensated", null));
    }

    private SagaState with(Status newStatus, int newCurrent, JsonObject newData, List<StepState> newSteps,
            Instant now) {
        return new SagaState(id, saga, newStatus, newCurrent, newData, List.copyOf(newSteps), traceparent, revision,
                started, now);
    }

    public SagaState withRevision(long newRevision) {
        return new SagaState(id, saga, status, current, data, steps, traceparent, newRevision, started, updated);
    }

    public JsonObject toJson() {
        JsonArray stepsJson = new JsonArray();
        steps.forEach(s -> stepsJson.add(new JsonObject().put("name", s.name()).put("status", s.status().name())
                .put("reason", s.reason())));
        return new JsonObject().put("id", id).put("saga", saga).put("status", status.name()).put("current", current)
                .put("data", data).put("steps", stepsJson).put("traceparent", traceparent).put("revision", revision)
                .put("started", started.toString()).put("updated", updated.toString());
    }

    public static SagaState fromJson(JsonObject json) {
        List<StepState> steps = new ArrayList<>();
        json.getJsonArray("steps").forEach(o -> {
            JsonObject s = (JsonObject) o;
            steps.add(new StepState(s.getString("name"), StepStatus.valueOf(s.getString("status")),
                    s.getString("reason")));
        });
        return new SagaState(json.getString("id"), json.getString("saga"), Status.valueOf(json.getString("status")),
                json.getInteger("current"), json.getJsonObject("data"), List.copyOf(steps),
                json.getString("traceparent"), json.getLong("revision", 0L), Instant.parse(json.getString("started")),
                Instant.parse(json.getString("updated")));
    }
}
