package dev.flotilla.core.registry;

import io.vertx.core.json.JsonObject;
import java.util.Locale;

/**
 * One change in the registry. Revisions are global, start at 1 and have no gaps, so a watcher that has
 * seen revision {@code r} knows it has missed nothing when the next event it gets is {@code r + 1}.
 *
 * @param instance the instance after the change; for {@link Type#DEREGISTERED} and {@link Type#EXPIRED},
 *                 the instance as it was when removed
 */
public record RegistryEvent(Type type, long revision, Instance instance) {

    /** What happened to the instance. */
    public enum Type {
        REGISTERED, UPDATED, STATUS_CHANGED, DEREGISTERED, EXPIRED;

        /** The lower-case name used on the wire, e.g. {@code status_changed}. */
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Type fromWireName(String name) {
            return valueOf(name.toUpperCase(Locale.ROOT));
        }

        /** True for the two kinds of event after which the instance is gone. */
        public boolean removes() {
            return this == DEREGISTERED || this == EXPIRED;
        }
    }

    public JsonObject toJson() {
        return new JsonObject().put("type", type.wireName()).put("revision", revision)
                .put("instance", instance.toJson());
    }

    public static RegistryEvent fromJson(JsonObject json) {
        return new RegistryEvent(Type.fromWireName(json.getString("type")), json.getLong("revision"),
                Instance.fromJson(json.getJsonObject("instance")));
    }
}
