package dev.flotilla.core.time;

import java.time.Duration;

/** A {@link Ticker} that moves only when a test says so. */
public final class ManualTicker implements Ticker {

    private long now = 1_000_000_000L;

    @Override
    public long nanos() {
        return now;
    }

    public void advance(Duration duration) {
        now += duration.toNanos();
    }
}
