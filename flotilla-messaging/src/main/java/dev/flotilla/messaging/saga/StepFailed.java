package dev.flotilla.messaging.saga;

/**
 * Thrown (or failed with) by a participant's step for a business refusal, such as a declined payment: the
 * saga compensates. Any other failure is taken as transient and the command is retried.
 */
public final class StepFailed extends RuntimeException {

    public StepFailed(String reason) {
        super(reason, null, false, false);
    }
}
