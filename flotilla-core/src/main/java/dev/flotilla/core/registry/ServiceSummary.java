package dev.flotilla.core.registry;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** A service as {@code GET /v1/services} lists it: its versions and how many instances are in each status. */
public record ServiceSummary(String name, List<String> versions, Map<InstanceStatus, Integer> counts) {

    public int total() {
        return counts.values().stream().mapToInt(Integer::intValue).sum();
    }

    public JsonObject toJson() {
        JsonObject byStatus = new JsonObject();
        for (InstanceStatus status : InstanceStatus.values()) {
            byStatus.put(status.wireName(), counts.getOrDefault(status, 0));
        }
        return new JsonObject().put("name", name).put("versions", new JsonArray(new ArrayList<>(versions)))
                .put("instances", byStatus).put("total", total());
    }

    public static ServiceSummary fromJson(JsonObject json) {
        Map<InstanceStatus, Integer> counts = new EnumMap<>(InstanceStatus.class);
        json.getJsonObject("instances")
                .forEach(e -> counts.put(InstanceStatus.parse(e.getKey()), (Integer) e.getValue()));
        List<String> versions = new ArrayList<>();
        json.getJsonArray("versions").forEach(v -> versions.add((String) v));
        return new ServiceSummary(json.getString("name"), versions, counts);
    }
}
