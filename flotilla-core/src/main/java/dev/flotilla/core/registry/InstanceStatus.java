package dev.flotilla.core.registry;

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

    /** The name used on the wire: the constant's name, e.g. {@code UP}. */
    public String wireName() {
        return name();
    }
}
