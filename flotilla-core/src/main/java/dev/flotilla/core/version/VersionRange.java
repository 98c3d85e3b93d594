package dev.flotilla.core.version;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.semver4j.Range;
import org.semver4j.RangesList;
import org.semver4j.RangesListFactory;
import org.semver4j.Semver;

/**
 * An npm-style version range: {@code 1.2.3}, {@code ^1.2}, {@code ~1.2}, {@code >=1.0 <2}, {@code 1.x},
 * {@code 1.2.3 - 2.0.0}, {@code *}, alternatives joined with {@code ||}.
 *
 * <p>Matching is semver4j's (the npm rules); this class adds strict validation, because semver4j reads
 * a malformed range such as {@code banana} as "matches nothing" instead of refusing it.
 */
public final class VersionRange {

    /** Matches every version. */
    public static final VersionRange ANY = new VersionRange("*", RangesListFactory.create("*"));

    /** One token of a range: an operator or a (partial) version, possibly with operators in front. */
    private static final Pattern TOKEN = Pattern.compile(
            "\\|\\||-|(?:[<>]=?|=|~|\\^)?v?(?:\\d+|[xX*])(?:\\.(?:\\d+|[xX*])){0,2}"
                    + "(?:-[0-9A-Za-z.-]+)?(?:\\+[0-9A-Za-z.-]+)?");
    private static final int MAX_LENGTH = 256;
    /**
     * Parsed versions and ranges, so that discovery does not parse the same few strings on every request.
     * A fleet has few distinct versions; the caches are emptied if they ever grow past this.
     */
    private static final int MAX_CACHED = 4096;
    private static final Map<String, Semver> VERSIONS = new ConcurrentHashMap<>();
    private static final Map<String, VersionRange> RANGES = new ConcurrentHashMap<>();

    private final String text;
    private final RangesList ranges;

    private VersionRange(String text, RangesList ranges) {
        this.text = text;
        this.ranges = ranges;
    }

    /**
     * Parses a range; {@code null} or blank means {@link #ANY}.
     *
     * @throws IllegalArgumentException naming the range and what is wrong with it
     */
    public static VersionRange parse(String text) {
        if (text == null || text.isBlank() || text.trim().equals("*")) {
            return ANY;
        }
        VersionRange cached = RANGES.get(text);
        if (cached != null) {
            return cached;
        }
        VersionRange parsed = parseUncached(text);
        if (RANGES.size() >= MAX_CACHED) {
            RANGES.clear();
        }
        RANGES.put(text, parsed);
        return parsed;
    }

    private static VersionRange parseUncached(String text) {
        String trimmed = text.trim();
        if (trimmed.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("version range is " + trimmed.length()
                    + " characters long (expected: at most " + MAX_LENGTH + ")");
        }
        // Operators may be written apart from their version (">= 1.0"); join them before splitting.
        String normalized = trimmed.replaceAll("([<>]=?|=|~|\\^)\\s+", "$1");
        for (String token : normalized.split("\\s+")) {
            if (!TOKEN.matcher(token).matches()) {
                throw new IllegalArgumentException("version range '" + trimmed + "': '" + token
                        + "' is not a version or operator (expected npm syntax such as ^1.2, ~1.2.3, >=1.0 <2)");
            }
        }
        RangesList ranges;
        try {
            ranges = RangesListFactory.create(normalized);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("version range '" + trimmed + "': " + e.getMessage(), e);
        }
        List<List<Range>> alternatives = ranges.get();
        if (alternatives.isEmpty() || alternatives.stream().anyMatch(List::isEmpty)) {
            throw new IllegalArgumentException("version range '" + trimmed
                    + "' is not a valid range (expected npm syntax such as ^1.2, ~1.2.3, >=1.0 <2)");
        }
        return new VersionRange(trimmed, ranges);
    }

    /** True when {@code version} is a valid semantic version inside this range. */
    public boolean matches(String version) {
        if (this == ANY) {
            return true;
        }
        Semver parsed = VERSIONS.get(version);
        if (parsed == null) {
            parsed = Semver.parse(version);
            if (parsed == null) {
                return false;
            }
            if (VERSIONS.size() >= MAX_CACHED) {
                VERSIONS.clear();
            }
            VERSIONS.put(version, parsed);
        }
        return ranges.isSatisfiedBy(parsed);
    }

    /** True when {@code version} is a full semantic version such as {@code 1.4.0} or {@code 2.0.0-rc.1}. */
    public static boolean isValidVersion(String version) {
        return version != null && version.length() <= MAX_LENGTH && !version.startsWith("v")
                && Semver.parse(version) != null;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VersionRange other && other.text.equals(text);
    }

    @Override
    public int hashCode() {
        return Objects.hash(text);
    }

    @Override
    public String toString() {
        return text;
    }
}
