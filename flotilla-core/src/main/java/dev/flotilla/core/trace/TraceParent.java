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
        // Written into one char array: this runs for every proxied request, and string concatenation of
        // hex pieces showed in the gateway's profile.
        char[] header = new char[55];
        "00-".getChars(0, 3, header, 0);
        if (isValid(incoming)) {
            incoming.getChars(3, 35, header, 3);
            incoming.getChars(53, 55, header, 53);
        } else {
            hex(random.nextLong() | 1L, header, 3);
            hex(random.nextLong(), header, 19);
            header[53] = '0';
            header[54] = '1';
        }
        header[35] = '-';
        hex(random.nextLong() | 1L, header, 36);
        header[52] = '-';
        return new String(header);
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

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    /** Writes {@code value} as 16 lower-case hex digits at {@code at}. */
    private static void hex(long value, char[] into, int at) {
        for (int i = 15; i >= 0; i--) {
            into[at + i] = HEX[(int) (value & 0xF)];
            value >>>= 4;
        }
    }
}
