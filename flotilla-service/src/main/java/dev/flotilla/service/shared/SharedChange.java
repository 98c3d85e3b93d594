package dev.flotilla.service.shared;

/**
 * One change a listener hears about.
 *
 * @param key     the key that changed
 * @param value   the new value, or null when the key was removed
 * @param version the revision of the change
 */
public record SharedChange(String key, Object value, long version) {

    public boolean removed() {
        return value == null;
    }
}
