package dev.flotilla.realtime;

import java.util.List;

/**
 * What the service's instances answered to a request sent to all of them ({@code fetchSockets},
 * {@code serverSideEmitWithAck}), within the request timeout: an instance that is gone or frozen does not
 * hold the caller up, it is counted in {@link #missing()}.
 *
 * @param values   the answers, this instance's first
 * @param expected how many other instances were subscribed when the request was sent
 * @param answered the other instances that answered in time (their instance ids; "node" for a Node.js one)
 * @param silent   the Flotilla instances that did not answer in time, by instance id (each instance keeps its
 *                 name in Redis while it runs; a Node.js server that did not answer is counted in
 *                 {@link #missing()} but cannot be named)
 */
public record ClusterReply<T>(List<T> values, int expected, List<String> answered, List<String> silent) {

    /** A reply that needed no other instance. */
    public static <T> ClusterReply<T> local(List<T> values) {
        return new ClusterReply<>(values, 0, List.of(), List.of());
    }

    /** How many instances did not answer in time. */
    public int missing() {
        return Math.max(0, expected - answered.size());
    }

    public boolean complete() {
        return missing() == 0;
    }
}
