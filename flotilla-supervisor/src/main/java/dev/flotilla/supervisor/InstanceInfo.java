package dev.flotilla.supervisor;

import io.vertx.core.json.JsonObject;

/**
 * What {@code flotilla ls} shows of one instance.
 *
 * @param app        the app
 * @param slot       the instance's index within its app ({@code app#slot})
 * @param id         its id in the registry ({@code FLOTILLA_INSTANCE})
 * @param pid        its process id, or 0 when not running
 * @param port       its PORT, or 0
 * @param state      starting, online, stopping, stopped, crashed, errored
 * @param uptimeMs   how long the current process has run
 * @param restarts   restarts after crashes so far
 * @param cpuPercent CPU use over the last second
 * @param rssBytes   resident memory
 */
public record InstanceInfo(String app, int slot, String id, long pid, int port, String state, long uptimeMs,
        int restarts, double cpuPercent, long rssBytes) {

    public JsonObject toJson() {
        return new JsonObject().put("app", app).put("slot", slot).put("id", id).put("pid", pid).put("port", port)
                .put("state", state).put("uptimeMs", uptimeMs).put("restarts", restarts)
                .put("cpuPercent", cpuPercent).put("rssBytes", rssBytes);
    }

    public static InstanceInfo fromJson(JsonObject json) {
        return new InstanceInfo(json.getString("app"), json.getInteger("slot"), json.getString("id"),
                json.getLong("pid"), json.getInteger("port"), json.getString("state"), json.getLong("uptimeMs"),
                json.getInteger("restarts"), json.getDouble("cpuPercent"), json.getLong("rssBytes"));
    }
}
