package dev.flotilla.service.shared;

/**
 * A shared value and the version it was written at. Versions are the map's revisions: they only grow
 * within one epoch of the map (Redis keeping its data), and a newer value always has the higher one.
 *
 * @param value   String, Boolean, Number, JsonObject or JsonArray
 * @param version the map revision that wrote it
 */
public record Versioned(Object value, long version) {
}
