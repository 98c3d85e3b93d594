package dev.flotilla.core.registry;

import io.vertx.core.json.JsonObject;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One running copy of a service, as the registry knows it. Immutable.
 *
 * <p>{@code statusReason} says why the status is what it is (free text, may be null); the registry's
 * health checker writes reasons that begin with {@link #HEALTH_CHECK_REASON}, and only takes back the
 * DOWN statuses it set itself. {@code registeredAt} and {@code updatedAt} are epoch milliseconds set by
 * the registry.
 */
public record Instance(
        String id,
        String service,
        String version,
        String host,
        int port,
        String scheme,
        String healthPath,
        Map<String, String> metadata,
        int weight,
        String zone,
        int ttlSeconds,
        InstanceStatus status,
        String statusReason,
        long registeredAt,
        long updatedAt) {

    public static final String DEFAULT_SCHEME = "http";
    public static final int DEFAULT_WEIGHT = 1;
    public static final int DEFAULT_TTL_SECONDS = 15;
    /** The prefix of every status reason written by the registry's health checker. */
    public static final String HEALTH_CHECK_REASON = "health check";

    public Instance {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(host, "host");
        scheme = scheme == null ? DEFAULT_SCHEME : scheme;
        metadata = metadata == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        status = status == null ? InstanceStatus.UP : status;
    }

    /** Starts an instance description with the fields every instance must have. */
    public static Builder builder(String id, String service, String version) {
        return new Builder(id, service, version);
    }

    /** A builder holding this instance's fields, to change some of them. */
    public Builder toBuilder() {
        return new Builder(id, service, version).host(host).port(port).scheme(scheme).healthPath(healthPath)
                .metadata(metadata).weight(weight).zone(zone).ttlSeconds(ttlSeconds).status(status)
                .statusReason(statusReason).registeredAt(registeredAt).updatedAt(updatedAt);
    }

    /** This instance with another status and reason. */
    public Instance withStatus(InstanceStatus newStatus, String reason, long now) {
        return toBuilder().status(newStatus).statusReason(reason).updatedAt(now).build();
    }

    /** True when the two differ only in their timestamps. */
    public boolean sameAs(Instance other) {
        return other != null && equals(other.toBuilder().registeredAt(registeredAt).updatedAt(updatedAt).build());
    }

    /** The wire form, with fields in a fixed order. Absent optional fields are left out. */
    public JsonObject toJson() {
        JsonObject json = new JsonObject()
                .put("id", id)
                .put("service", service)
                .put("version", version)
                .put("host", host)
                .put("port", port)
                .put("scheme", scheme);
        if (healthPath != null) {
            json.put("healthPath", healthPath);
        }
        json.put("metadata", new JsonObject(new LinkedHashMap<>(metadata)))
                .put("weight", weight);
        if (zone != null) {
            json.put("zone", zone);
        }
        json.put("ttlSeconds", ttlSeconds)
                .put("status", status.wireName());
        if (statusReason != null) {
            json.put("statusReason", statusReason);
        }
        return json.put("registeredAt", registeredAt).put("updatedAt", updatedAt);
    }

    /**
     * Reads the wire form written by {@link #toJson()}. Lenient on what is absent (defaults apply); for
     * validating input from outside, the registry has its own strict parser.
     */
    public static Instance fromJson(JsonObject json) {
        Map<String, String> metadata = new LinkedHashMap<>();
        JsonObject meta = json.getJsonObject("metadata");
        if (meta != null) {
            meta.forEach(e -> metadata.put(e.getKey(), String.valueOf(e.getValue())));
        }
        String status = json.getString("status");
        return new Instance(
                json.getString("id"),
                json.getString("service"),
                json.getString("version"),
                json.getString("host"),
                json.getInteger("port", 0),
                json.getString("scheme"),
                json.getString("healthPath"),
                metadata,
                json.getInteger("weight", DEFAULT_WEIGHT),
                json.getString("zone"),
                json.getInteger("ttlSeconds", DEFAULT_TTL_SECONDS),
                status == null ? null : InstanceStatus.parse(status),
                json.getString("statusReason"),
                json.getLong("registeredAt", 0L),
                json.getLong("updatedAt", 0L));
    }

    /** Builds an {@link Instance}; unset optional fields take the documented defaults. */
    public static final class Builder {
        private final String id;
        private final String service;
        private final String version;
        private String host = "127.0.0.1";
        private int port;
        private String scheme = DEFAULT_SCHEME;
        private String healthPath;
        private Map<String, String> metadata = Map.of();
        private int weight = DEFAULT_WEIGHT;
        private String zone;
        private int ttlSeconds = DEFAULT_TTL_SECONDS;
        private InstanceStatus status = InstanceStatus.UP;
        private String statusReason;
        private long registeredAt;
        private long updatedAt;

        private Builder(String id, String service, String version) {
            this.id = id;
            this.service = service;
            this.version = version;
        }

        public Builder host(String host) {
            this.host = host;
            return this;
        }

        public Builder port(int port) {
            this.port = port;
            return this;
        }

        public Builder scheme(String scheme) {
            this.scheme = scheme;
            return this;
        }

        public Builder healthPath(String healthPath) {
            this.healthPath = healthPath;
            return this;
        }

        public Builder metadata(Map<String, String> metadata) {
            this.metadata = metadata;
            return this;
        }

        public Builder weight(int weight) {
            this.weight = weight;
            return this;
        }

        public Builder zone(String zone) {
            this.zone = zone;
            return this;
        }

        public Builder ttlSeconds(int ttlSeconds) {
            this.ttlSeconds = ttlSeconds;
            return this;
        }

        public Builder status(InstanceStatus status) {
            this.status = status;
            return this;
        }

        public Builder statusReason(String statusReason) {
            this.statusReason = statusReason;
            return this;
        }

        public Builder registeredAt(long registeredAt) {
            this.registeredAt = registeredAt;
            return this;
        }

        public Builder updatedAt(long updatedAt) {
            this.updatedAt = updatedAt;
            return this;
        }

        public Instance build() {
            return new Instance(id, service, version, host, port, scheme, healthPath, metadata, weight, zone,
                    ttlSeconds, status, statusReason, registeredAt, updatedAt);
        }
    }
}
