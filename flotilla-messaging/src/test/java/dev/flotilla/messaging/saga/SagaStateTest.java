package dev.flotilla.messaging.saga;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flotilla.messaging.saga.SagaState.Reply;
import dev.flotilla.messaging.saga.SagaState.Status;
import dev.flotilla.messaging.saga.SagaState.StepStatus;
import dev.flotilla.messaging.saga.SagaState.Transition;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The orchestrator's one decision: what a reply changes, and which command follows. */
class SagaStateTest {

    private final SagaDefinition order = SagaDefinition.named("order")
            .step("reserve", "inventory", "reserve", "release")
            .step("notify-shop", "notification", "notify", null)
            .step("charge", "payment", "charge", "refund")
            .step("notify", "notification", "notify", null)
            .build();
    private final Instant now = Instant.parse("2026-12-02T12:00:00Z");

    private SagaState after(SagaState state, Reply reply) {
        return state.onReply(order, reply, now).orElseThrow().next();
    }

    @Test
    void aSagaWhoseStepsAllSucceedRunsThemInOrderAndCompletes() {
        Transition begun = SagaState.begin(order, "s1", new JsonObject().put("amount", 5), null, now);
        assertThat(begun.command()).isEqualTo(new SagaState.Command(0, false));
        SagaState state = begun.next();
        for (int step = 0; step < 4; step++) {
            Transition t = state.onReply(order, new Reply(step, false, true, new JsonObject().put("n", step), null),
                    now).orElseThrow();
            assertThat(t.command()).isEqualTo(step == 3 ? null : new SagaState.Command(step + 1, false));
            state = t.next();
        }
        assertThat(state.status()).isEqualTo(Status.COMPLETED);
        assertThat(state.steps()).allMatch(s -> s.status() == StepStatus.DONE);
        assertThat(state.data().getJsonObject("charge").getInteger("n")).isEqualTo(2);
        assertThat(state.data().getInteger("amount")).isEqualTo(5);
    }

    @Test
    void aRefusedStepCompensatesTheStepsDoneBeforeItLastFirstSkippingThoseWithoutCompensation() {
        SagaState state = SagaState.begin(order, "s1", new JsonObject(), null, now).next();
        state = after(state, new Reply(0, false, true, null, null));
        state = after(state, new Reply(1, false, true, null, null));
        Transition refused = state.onReply(order, new Reply(2, false, false, null, "declined"), now).orElseThrow();
        // notify-shop has no compensation: the next one to undo is reserve
        assertThat(refused.command()).isEqualTo(new SagaState.Command(0, true));
        assertThat(refused.next().status()).isEqualTo(Status.COMPENSATING);
        assertThat(refused.next().steps().get(2).reason()).isEqualTo("declined");
        assertThat(refused.event()).contains("charge failed: declined");

        Transition compensated = refused.next().onReply(order, new Reply(0, true, true, null, null), now).orElseThrow();
        assertThat(compensated.command()).isNull();
        assertThat(compensated.next().status()).isEqualTo(Status.COMPENSATED);
        assertThat(compensated.next().steps()).extracting(SagaState.StepState::status).containsExactly(
                StepStatus.COMPENSATED, StepStatus.DONE, StepStatus.FAILED, StepStatus.PENDING);
    }

    @Test
    void aRepeatedOrLateReplyChangesNothing() {
        SagaState state = SagaState.begin(order, "s1", new JsonObject(), null, now).next();
        SagaState moved = after(state, new Reply(0, false, true, null, null));
        assertThat(moved.onReply(order, new Reply(0, false, true, null, null), now)).isEmpty();
        assertThat(moved.onReply(order, new Reply(0, false, false, null, "late"), now)).isEmpty();
        assertThat(moved.onReply(order, new Reply(1, true, true, null, null), now)).isEmpty();
        assertThat(moved.onReply(order, new Reply(3, false, true, null, null), now)).isEmpty();
    }

    @Test
    void aFirstStepRefusedEndsTheSagaCompensatedWithNothingToUndo() {
        Transition refused = SagaState.begin(order, "s1", new JsonObject(), null, now).next()
                .onReply(order, new Reply(0, false, false, null, "out of stock"), now).orElseThrow();
        assertThat(refused.command()).isNull();
        assertThat(refused.next().status()).isEqualTo(Status.COMPENSATED);
    }

    @Test
    void theStateSurvivesItsJson() {
        SagaState state = after(SagaState.begin(order, "s1", new JsonObject().put("item", "widget"),
                "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", now).next(),
                new Reply(0, false, true, new JsonObject().put("reserved", 2), null)).withRevision(3);
        assertThat(SagaState.fromJson(state.toJson())).isEqualTo(state);
    }

    @Test
    void aMalformedDefinitionIsRefusedWithWhatIsWrong() {
        assertThatThrownBy(() -> SagaDefinition.named("Order!").step("a", "q", "do", null).build())
                .hasMessageContaining("saga name: 'Order!'");
        assertThatThrownBy(() -> SagaDefinition.named("order").step("a", "q", "do", null).step("a", "q", "do", null)
                .build()).hasMessageContaining("step name 'a'");
        assertThatThrownBy(() -> SagaDefinition.named("order").step("a", "bad queue", "do", null).build())
                .hasMessageContaining("queue name: 'bad queue'");
    }
}
