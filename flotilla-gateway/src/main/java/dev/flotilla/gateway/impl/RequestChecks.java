package dev.flotilla.gateway.impl;


/**
 * Checks on a request's path that must pass before anything is sent upstream, and the one reading of a
 * Content-Length. (The framing itself is checked while the request is decoded: {@link StrictRequestDecoder}.)
 */
final class RequestChecks {

    private RequestChecks() {
    }

    /** The body length a valid Content-Length gives (digits only, at most 18 of them), or -1. */
    static long contentLength(String value) {
        if (value == null || value.isEmpty() || value.length() > 18) {
            return -1;
        }
        for (int i = 0; i < value.length(); i++) {
            if (value.charAt(i) < '0' || value.charAt(i) > '9') {
                return -1;
            }
        }
        return Long.parseLong(value);
    }

    /**
     * What makes a path unsafe to route whatever its segments resolve to, or null: an encoded {@code /} or
     * {@code \} or NUL (a service that decodes them would see other segments than the route matched), and
     * a dot segment with parameters ({@code ..;/}, which servlet containers read as {@code ..}).
     */
    static String pathProblem(String raw) {
        if (raw == null || raw.indexOf('%') < 0 && raw.indexOf(';') < 0) {
            return null; // the common case
        }
        for (int i = raw.indexOf('%'); i >= 0 && i + 2 < raw.length(); i = raw.indexOf('%', i + 1)) {
            String code = raw.substring(i + 1, i + 3);
            if (code.equalsIgnoreCase("2f") || code.equalsIgnoreCase("5c") || code.equals("00")) {
                return "an encoded '/', '\\' or NUL (%" + code + ") in the path";
            }
        }
        for (String segment : raw.split("/", -1)) {
            int semicolon = segment.indexOf(';');
            if (semicolon >= 0) {
                String name = segment.substring(0, semicolon).replace("%2e", ".").replace("%2E", ".");
                if (name.equals(".") || name.equals("..")) {
                    return "a dot segment with parameters ('" + segment + "') in the path";
                }
            }
        }
        return null;
    }

    /**
     * The path with {@code .} and {@code ..} segments resolved (RFC 3986 5.2.4), percent-encoded dots
     * counted as dots; null when a {@code ..} would climb above the root, so it can never escape a route's
     * prefix. Other percent-encodings (including an encoded slash) are passed on untouched.
     */
    static String normalizePath(String raw) {
        if (raw == null || raw.isEmpty() || raw.charAt(0) != '/') {
            return null;
        }
        if (raw.indexOf('.') < 0 && raw.indexOf('%') < 0 && raw.indexOf("//") < 0) {
            return raw; // the common case: nothing to resolve
        }
        String[] segments = raw.substring(1).split("/", -1);
        StringBuilder out = new StringBuilder(raw.length());
        int[] starts = new int[segments.length + 1];
        int depth = 0;
        for (int i = 0; i < segments.length; i++) {
            String segment = segments[i];
            String decoded = segment.replace("%2e", ".").replace("%2E", ".");
            boolean last = i == segments.length - 1;
            if (decoded.equals(".")) {
                if (last) {
                    out.append('/');
                }
                continue;
            }
            if (decoded.equals("..")) {
                if (depth == 0) {
                    return null;
                }
                depth--;
                out.setLength(starts[depth]);
                if (last) {
                    out.append('/');
                }
                continue;
            }
            starts[depth++] = out.length();
            out.append('/').append(segment);
        }
        return out.length() == 0 ? "/" : out.toString();
    }
}
