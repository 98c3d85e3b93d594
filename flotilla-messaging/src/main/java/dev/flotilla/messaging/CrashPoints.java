package dev.flotilla.messaging;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Named places where a process may die for a test, like FoundationDB's or TiKV's fail points: with
 * {@code -Dflotilla.crash-at=NAME} the process halts (as {@code kill -9} would: no shutdown hooks, nothing
 * flushed) the first time it reaches the point {@code NAME}; the environment variable
 * {@code FLOTILLA_CRASH_AT} does the same for a supervised process. Unarmed, {@link #reached} costs one field
 * read. The points are the moments between two writes that must not be lost or repeated:
 * <ul>
 * <li>{@code saga.after-commit}: the orchestrator stored a step's outcome and queued the next command, and has
 * not acknowledged the reply;</li>
 * <li>{@code outbox.before-publish}: a relay took an outbox entry and has not published it;</li>
 * <li>{@code outbox.before-mark}: a relay published an entry (the broker confirmed it) and has not marked it
 * sent;</li>
 * <li>{@code saga.participant.after-commit}: a participant ran a step and has not published its reply.</li>
 * </ul>
 * A value {@code NAME@STEP} halts only where the saga step (or the destination queue) is {@code STEP}.
 */
public final class CrashPoints {

    private static final Logger LOG = LoggerFactory.getLogger(CrashPoints.class);
    private static final String ARMED = System.getProperty("flotilla.crash-at", System.getenv("FLOTILLA_CRASH_AT"));

    private CrashPoints() {
    }

    public static void reached(String name, String where) {
        if (ARMED != null && (ARMED.equals(name) || ARMED.equals(name + "@" + where))) {
            LOG.error("crash point {} reached at {}: halting", name, where);
            Runtime.getRuntime().halt(137);
        }
    }
}
