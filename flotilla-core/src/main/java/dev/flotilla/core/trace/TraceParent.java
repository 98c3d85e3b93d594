package dev.flotilla.core.trace;

import java.util.concurrent.ThreadLocalRandom;

/**
 * The W3C Trace Context {@code traceparent} header: {@code 00-<trace id>-<parent id>-<flags>}.
 *
 * <p>Hand-written because a proxy or client only has to pass the trace on with a new parent id (or
 * start one); pulling the OpenTelemetry SDK into every request path for that would cost more than the
 * 30 lines here. Spans and their export belong to the observability work.
 */
public final class TraceParent {

    public static final String HEADER = "traceparent";

    private TraceParent() {
    }

    /**
     * The header to send downstream: the incoming trace continued with a fresh parent id, or a new
     * trace when {@code incoming} is absent or malformed (malformed ones are not passed on).
     */
    public static String next(String incoming) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        String spanId = hex(random.nextLong() | 1L, 16);
        if (isValid(incoming)) {
            return "00-" + incoming.substring(3, 35) + "-" + spanId + "-" + incoming.substring(53, 55);
        }
        return "00-" + hex(random.nextLong() | 1L, 16) + hex(random.nextLong(), 16) + "-" + spanId + "-01";
    }

    /** True for a version-00 header with non-zero lower-case hex ids. */
    public static boolean isValid(String header) {
        if (header == null || header.length() != 55 || !header.startsWith("00-")
                || header.charAt(35) != '-' || header.charAt(52) != '-') {
            return false;
        }
        return isHex(header, 3, 35) && isHex(header, 36, 52) && isHex(header, 53, 55)
                && !header.startsWith("00000000000000000000000000000000", 3)
                && !header.startsWith("0000000000000000", 36);
    }

    /** The 32-character trace id of a valid header. */
    public static String traceId(String header) {
        return header.substring(3, 35);
    }

    private static boolean isHex(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }

    private static String hex(long value, int digits) {
        String text = Long.toHexString(value);
        return "0".repeat(digits - text.length()) + text;
    }
}
