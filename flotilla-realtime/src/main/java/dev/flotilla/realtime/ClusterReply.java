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
 */
public record ClusterReply<T>(List<T> values, int expected, List<String> answered) {

    /** How many instances did not answer in time. */
    public int missing() {
        return Math.max(0, expected - answered.size());
    }

    public boolean complete() {
        return missing() == 0;
    }
}
