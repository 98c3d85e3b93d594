package dev.flotilla.core.balance;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** How a caller chooses among the instances of a service. */
public enum Strategy {
    /** Each instance in turn, weights ignored (the seed article's strategy, and the default). */
    ROUND_ROBIN("round-robin"),
    /** Each instance in turn, as often as its weight says, interleaved smoothly (nginx's algorithm). */
    WEIGHTED_ROUND_ROBIN("weighted-round-robin"),
    /** The less loaded of two random instances (power of two choices over requests in flight). */
    LEAST_REQUESTS("least-requests"),
    /** The same key always reaches the same instance while it lives (sticky sessions). */
    CONSISTENT_HASH("consistent-hash");

    private final String wireName;

    Strategy(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** Parses a wire name such as {@code least-requests}; the error names the accepted values. */
    public static Strategy parse(String text) {
        String wanted = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        for (Strategy strategy : values()) {
            if (strategy.wireName.equals(wanted)) {
                return strategy;
            }
        }
        throw new IllegalArgumentException("'" + text + "' is not a load-balancing strategy (expected one of: "
                + Arrays.stream(values()).map(Strategy::wireName).collect(Collectors.joining(", ")) + ")");
    }

    @Override
    public String toString() {
        return wireName;
    }
}
