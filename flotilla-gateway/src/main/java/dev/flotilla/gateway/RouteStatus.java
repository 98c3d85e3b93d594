package dev.flotilla.gateway;

import io.vertx.core.json.JsonArray;

/**
 * One route as it stands, for a dashboard or an alert: cumulative counts since the gateway started (a reader
 * takes differences between two readings for rates and windowed percentiles, as Prometheus does).
 *
 * @param id            the route's id
 * @param path          its path pattern
 * @param service       the service it forwards to
 * @param breaker       closed, open or half_open; null when the route has no breaker
 * @param requests      answers given so far, every status
 * @param serverErrors  of which 5xx (the gateway's own 502/503/504 included)
 * @param bucketSeconds the latency histogram's upper bounds, in seconds, ascending
 * @param bucketCounts  answers at or under each bound so far (cumulative, as Prometheus's {@code le} buckets)
 * @param instances     the upstream's instances: id, address, in flight, ejected, as the admin API gives them
 */
public record RouteStatus(String id, String path, String service, String breaker, long requests, long serverErrors,
        double[] bucketSeconds, long[] bucketCounts, JsonArray instances) {
}
