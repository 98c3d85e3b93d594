package dev.flotilla.core.registry;

import java.util.Locale;

/** Where an instance is in its life. Only {@link #UP} instances take traffic. */
public enum InstanceStatus {
    /** Registered but not ready yet. */
    STARTING,
    /** Ready for traffic. */
    UP,
    /** Finishing in-flight work before it stops; takes no new traffic. */
    DRAINING,
    /** Failing its health check, crashed, or marked down by an operator. */
    DOWN;

    /**
     * Parses a status name, ignoring case.
     *
     * @throws IllegalArgumentException naming the value and the accepted ones
     */
    public static InstanceStatus parse(String value) {
        if (value != null) {
            for (InstanceStatus status : values()) {
                if (status.name().equalsIgnoreCase(value.trim())) {
                    return status;
                }
            }
        }
        throw new IllegalArgumentException("status '" + value
                + "' is unknown (expected: UP, DOWN, STARTING, DRAINING)");
    }

    public String wireName() {
        return name().toUpperCase(Locale.ROOT);
    }
}
