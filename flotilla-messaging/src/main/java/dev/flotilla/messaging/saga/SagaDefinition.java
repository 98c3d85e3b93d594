package dev.flotilla.messaging.saga;

import dev.flotilla.messaging.Deliveries;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A saga's steps, in order. Each step sends a command to a participant's queue; when a step fails, the steps
 * done before it are undone by their compensations, last first.
 *
 * @param name  the saga's name: its keys in Redis, its reply queue {@code saga.<name>.replies}
 * @param steps the steps, run one after the other
 */
public record SagaDefinition(String name, List<Step> steps) {

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

    /**
     * One step.
     *
     * @param name         its name, unique in the saga
     * @param queue        the participant's queue
     * @param action       the command's action
     * @param compensation the action that undoes it, or null when nothing needs undoing (a notification)
     */
    public record Step(String name, String queue, String action, String compensation) {
    }

    public SagaDefinition {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("saga name: '" + name + "' (expected 1-63 of a-z, 0-9, '-')");
        }
        if (steps == null || steps.isEmpty() || steps.size() > 32) {
            throw new IllegalArgumentException("saga '" + name + "': expected 1-32 steps");
        }
        Set<String> names = new HashSet<>();
        for (Step step : steps) {
            Deliveries.checkQueue(step.queue());
            if (step.name() == null || !NAME.matcher(step.name()).matches() || !names.add(step.name())) {
                throw new IllegalArgumentException("saga '" + name + "': step name '" + step.name()
                        + "' is missing, malformed or used twice");
            }
            if (step.action() == null || step.action().isBlank()) {
                throw new IllegalArgumentException("saga '" + name + "': step '" + step.name() + "' has no action");
            }
        }
        steps = List.copyOf(steps);
    }

    public static Builder named(String name) {
        return new Builder(name);
    }

    /** The queue the participants answer on. */
    public String replies() {
        return "saga." + name + ".replies";
    }

    public static final class Builder {

        private final String name;
        private final List<Step> steps = new ArrayList<>();

        private Builder(String name) {
            this.name = name;
        }

        /** A step; {@code compensation} null when it needs no undoing. */
        public Builder step(String stepName, String queue, String action, String compensation) {
            steps.add(new Step(stepName, queue, action, compensation));
            return this;
        }

        public SagaDefinition build() {
            return new SagaDefinition(name, steps);
        }
    }
}
