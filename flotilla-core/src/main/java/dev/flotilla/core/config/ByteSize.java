package dev.flotilla.core.config;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A size in bytes, written in files as {@code 512}, {@code 64KB}, {@code 10MB}, {@code 1GB} (powers of 1024). */
public record ByteSize(long bytes) {

    private static final Pattern FORMAT = Pattern.compile("(\\d{1,15})\\s*([kmg]i?b?|b)?");

    public ByteSize {
        if (bytes < 0) {
            throw new IllegalArgumentException("size: " + bytes + " (expected: >= 0)");
        }
    }

    public static ByteSize parse(String text) {
        Matcher m = FORMAT.matcher(text == null ? "" : text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a size (expected e.g. 512, 64KB, 10MB, 1GB)");
        }
        long value = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "b" : m.group(2);
        long factor = switch (unit.charAt(0)) {
            case 'k' -> 1L << 10;
            case 'm' -> 1L << 20;
            case 'g' -> 1L << 30;
            default -> 1L;
        };
        return new ByteSize(Math.multiplyExact(value, factor));
    }

    @Override
    public String toString() {
        return bytes + "B";
    }
}
