package dev.flotilla.registry;

import java.time.Duration;

/**
 * How the registry checks instances that declare a {@code healthPath}: an HTTP GET every {@code interval},
 * failing after {@code timeout}; {@code fall} failures in a row mark an UP instance DOWN, {@code rise}
 * successes in a row bring it (or a STARTING one) UP. A 2xx or 3xx answer is a success.
 *
 * <p>The defaults see a dead instance DOWN within about one second (a refused connection fails at once:
 * two checks 500 ms apart) and a frozen one within about 1.4 s (the second check times out 400 ms after
 * it starts). Immutable; build with {@link #custom()}.
 */
public final class HealthCheckConfig {

    public static final Duration DEFAULT_INTERVAL = Duration.ofMillis(500);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(400);
    public static final int DEFAULT_FALL = 2;
    public static final int DEFAULT_RISE = 2;

    private static final HealthCheckConfig DEFAULTS = custom().build();

    private final Duration interval;
    private final Duration timeout;
    private final int fall;
    private final int rise;

    private HealthCheckConfig(Builder builder) {
        this.interval = builder.interval;
        this.timeout = builder.timeout;
        this.fall = builder.fall;
        this.rise = builder.rise;
    }

    public static HealthCheckConfig ofDefaults() {
        return DEFAULTS;
    }

    public static Builder custom() {
        return new Builder();
    }

    public Duration interval() {
        return interval;
    }

    public Duration timeout() {
        return timeout;
    }

    public int fall() {
        return fall;
    }

    public int rise() {
        return rise;
    }

    /** Validating builder; each setter rejects a bad value with a message naming it. */
    public static final class Builder {
        private Duration interval = DEFAULT_INTERVAL;
        private Duration timeout = DEFAULT_TIMEOUT;
        private int fall = DEFAULT_FALL;
        private int rise = DEFAULT_RISE;

        private Builder() {
        }

        public Builder interval(Duration interval) {
            if (interval == null || interval.toMillis() < 10) {
                throw new IllegalArgumentException("interval: " + interval + " (expected: >= 10ms)");
            }
            this.interval = interval;
            return this;
        }

        public Builder timeout(Duration timeout) {
            if (timeout == null || timeout.toMillis() < 1) {
                throw new IllegalArgumentException("timeout: " + timeout + " (expected: >= 1ms)");
            }
            this.timeout = timeout;
            return this;
        }

        public Builder fall(int fall) {
            if (fall < 1) {
                throw new IllegalArgumentException("fall: " + fall + " (expected: >= 1)");
            }
            this.fall = fall;
            return this;
        }

        public Builder rise(int rise) {
            if (rise < 1) {
                throw new IllegalArgumentException("rise: " + rise + " (expected: >= 1)");
            }
            this.rise = rise;
            return this;
        }

        public HealthCheckConfig build() {
            return new HealthCheckConfig(this);
        }
    }
}
