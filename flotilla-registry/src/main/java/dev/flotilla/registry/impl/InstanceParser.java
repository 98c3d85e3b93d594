package dev.flotilla.registry.impl;

import dev.flotilla.core.http.HttpFailure;
import dev.flotilla.core.http.StrictJson;
import dev.flotilla.core.registry.Instance;
import dev.flotilla.core.registry.InstanceStatus;
import dev.flotilla.core.version.VersionRange;
import io.netty.util.NetUtil;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Reads what clients send, strictly: every problem becomes a 400 whose message names the field, the value
 * and what was expected. Nothing is stored until a request has passed.
 */
final class InstanceParser {

    /** A registration as asked for; {@code status} is null when the client did not give one. */
    record Registration(Instance instance, InstanceStatus status) {
    }

    static final int MAX_METADATA_ENTRIES = 64;
    static final int MAX_METADATA_KEY = 128;
    static final int MAX_METADATA_VALUE = 1024;
    static final int MAX_TTL_SECONDS = 3600;
    static final int MAX_WEIGHT = 1000;

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}");
    private static final Pattern SERVICE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final String LABEL = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?";
    private static final Pattern HOST_NAME = Pattern.compile("(?=.{1,253}$)" + LABEL + "(?:\\." + LABEL + ")*\\.?");
    private static final Pattern ZONE = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final Pattern HEALTH_PATH = Pattern.compile("/(?!/)[\\x21-\\x22\\x24-\\x7e]{0,511}");
    private static final Set<String> FIELDS = Set.of("id", "service", "version", "host", "port", "scheme",
            "healthPath", "metadata", "weight", "zone", "ttlSeconds", "status");

    private InstanceParser() {
    }

    /** A DNS name (RFC 1123 labels), an IPv4 literal, or an IPv6 literal (bare or in brackets); never a port. */
    static boolean validHost(String host) {
        if (host.indexOf(':') >= 0) {
            String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
            return NetUtil.isValidIpV6Address(bare);
        }
        return NetUtil.isValidIpV4Address(host) || HOST_NAME.matcher(host).matches() && !looksNumeric(host);
    }

    /** All digits and dots but not a valid IPv4 address (999.1.1.1): neither a name nor an address. */
    private static boolean looksNumeric(String host) {
        return host.chars().allMatch(c -> c == '.' || c >= '0' && c <= '9');
    }

    static String id(String id) {
        if (id == null || !ID.matcher(id).matches()) {
            throw HttpFailure.badRequest("id: '" + id + "' (expected: 1-128 of A-Z a-z 0-9 . _ : @ -, "
                    + "starting with a letter or digit)");
        }
        return id;
    }

    static String service(String name) {
        if (name == null || !SERVICE.matcher(name).matches()) {
            throw HttpFailure.badRequest("service: '" + name + "' (expected: 1-64 of A-Z a-z 0-9 . _ -, "
                    + "starting with a letter or digit)");
        }
        return name;
    }

    static VersionRange range(String range) {
        try {
            return VersionRange.parse(range);
        } catch (IllegalArgumentException e) {
            throw HttpFailure.badRequest("version: " + e.getMessage());
        }
    }

    static InstanceStatus status(Object value) {
        if (!(value instanceof String text)) {
            throw HttpFailure.badRequest("status: " + value + " (expected: UP, DOWN, STARTING or DRAINING)");
        }
        try {
            return InstanceStatus.parse(text);
        } catch (IllegalArgumentException e) {
            throw HttpFailure.badRequest(e.getMessage());
        }
    }

    static JsonObject object(Buffer body) {
        return StrictJson.object(body);
    }

    /** Reads the body of {@code PUT /v1/instances/{id}}. */
    static Registration registration(String id, Buffer body) {
        id(id);
        JsonObject json = object(body);
        for (String field : json.fieldNames()) {
            if (!FIELDS.contains(field)) {
                throw HttpFailure.badRequest("unknown field '" + field + "' (expected: " + String.join(", ",
                        new TreeSet<>(FIELDS)) + ")");
            }
        }
        if (json.containsKey("id") && !id.equals(json.getValue("id"))) {
            throw HttpFailure.badRequest("id: '" + json.getValue("id") + "' in the body differs from '" + id
                    + "' in the path");
        }
        String service = service(string(json, "service", true));
        String version = string(json, "version", true);
        if (!VersionRange.isValidVersion(version)) {
            throw HttpFailure.badRequest("version: '" + version + "' (expected: a semantic version such as 1.4.2)");
        }
        String host = string(json, "host", true);
        if (!validHost(host)) {
            throw HttpFailure.badRequest("host: '" + host + "' (expected: a host name or IP address, without a "
                    + "port: the port goes in 'port')");
        }
        int port = integer(json, "port", null, 1, 65535);
        String scheme = string(json, "scheme", false);
        if (scheme != null && !scheme.equals("http") && !scheme.equals("https")) {
            throw HttpFailure.badRequest("scheme: '" + scheme + "' (expected: http or https)");
        }
        String healthPath = string(json, "healthPath", false);
        if (healthPath != null && !HEALTH_PATH.matcher(healthPath).matches()) {
            throw HttpFailure.badRequest("healthPath: '" + healthPath + "' (expected: a path on the instance "
                    + "itself, such as /health/ready: starts with one /, no spaces, no #, at most 512 characters)");
        }
        String zone = string(json, "zone", false);
        if (zone != null && !ZONE.matcher(zone).matches()) {
            throw HttpFailure.badRequest("zone: '" + zone + "' (expected: 1-64 of A-Z a-z 0-9 . _ -)");
        }
        InstanceStatus status = json.containsKey("status") ? status(json.getValue("status")) : null;
        Instance instance = Instance.builder(id, service, version)
                .host(host)
                .port(port)
                .scheme(scheme)
                .healthPath(healthPath)
                .metadata(metadata(json.getValue("metadata")))
                .weight(integer(json, "weight", Instance.DEFAULT_WEIGHT, 1, MAX_WEIGHT))
                .zone(zone)
                .ttlSeconds(integer(json, "ttlSeconds", Instance.DEFAULT_TTL_SECONDS, 1, MAX_TTL_SECONDS))
                .status(status)
                .build();
        return new Registration(instance, status);
    }

    private static Map<String, String> metadata(Object value) {
        if (value == null) {
            return Map.of();
        }
        if (!(value instanceof JsonObject json)) {
            throw HttpFailure.badRequest("metadata: expected an object of strings");
        }
        if (json.size() > MAX_METADATA_ENTRIES) {
            throw HttpFailure.badRequest("metadata: " + json.size() + " entries (expected: at most "
                    + MAX_METADATA_ENTRIES + ")");
        }
        Map<String, String> result = new LinkedHashMap<>();
        for (Map.Entry<String, Object> entry : json) {
            String key = entry.getKey();
            if (key.isEmpty() || key.length() > MAX_METADATA_KEY) {
                throw HttpFailure.badRequest("metadata: key '" + key + "' (expected: 1-" + MAX_METADATA_KEY
                        + " characters)");
            }
            if (!(entry.getValue() instanceof String text)) {
                throw HttpFailure.badRequest("metadata." + key + ": " + entry.getValue() + " (expected: a string)");
            }
            if (text.length() > MAX_METADATA_VALUE) {
                throw HttpFailure.badRequest("metadata." + key + ": " + text.length()
                        + " characters (expected: at most "
                        + MAX_METADATA_VALUE + ")");
            }
            result.put(key, text);
        }
        return result;
    }

    private static String string(JsonObject json, String field, boolean required) {
        Object value = json.getValue(field);
        if (value == null) {
            if (required) {
                throw HttpFailure.badRequest(field + ": missing (expected: a string)");
            }
            return null;
        }
        if (!(value instanceof String text) || text.isEmpty()) {
            throw HttpFailure.badRequest(field + ": " + value + " (expected: a non-empty string)");
        }
        return text;
    }

    private static int integer(JsonObject json, String field, Integer defaultValue, int min, int max) {
        Object value = json.getValue(field);
        if (value == null) {
            if (defaultValue == null) {
                throw HttpFailure.badRequest(field + ": missing (expected: an integer " + min + "-" + max + ")");
            }
            return defaultValue;
        }
        if (!(value instanceof Integer || value instanceof Long) || ((Number) value).longValue() < min
                || ((Number) value).longValue() > max) {
            throw HttpFailure.badRequest(field + ": " + value + " (expected: an integer " + min + "-" + max + ")");
        }
        return ((Number) value).intValue();
    }
}
