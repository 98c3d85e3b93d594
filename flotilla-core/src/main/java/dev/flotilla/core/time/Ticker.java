package dev.flotilla.core.time;

/**
 * A monotonic clock in nanoseconds, the one thing that windows, TTLs, ejections and budgets read time from.
 * Injected, so that their tests advance time by hand instead of sleeping; {@link #SYSTEM} everywhere else.
 */
@FunctionalInterface
public interface Ticker {

    /** {@link System#nanoTime()}. */
    Ticker SYSTEM = System::nanoTime;

    /** The current time in nanoseconds, from an arbitrary origin: only differences mean anything. */
    long nanos();
}
