package dev.flotilla.gateway.impl;

import dev.flotilla.gateway.RouteSpec;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/** CORS answers for a route (the Fetch standard's preflight and response headers). */
final class Cors {

    private Cors() {
    }

    static boolean isPreflight(HttpServerRequest request) {
        return request.method() == HttpMethod.OPTIONS && request.getHeader("Origin") != null
                && request.getHeader("Access-Control-Request-Method") != null;
    }

    /** Answers a preflight: 204 with the allowed methods and headers, or 403 for an origin not allowed. */
    static void preflight(HttpServerRequest request, RouteSpec.Cors cors) {
        HttpServerResponse response = request.response();
        if (!addOrigin(request, response, cors)) {
            response.setStatusCode(403).putHeader("Content-Type", "application/json")
                    .end("{\"error\":\"cors_origin\",\"message\":\"origin '" + request.getHeader("Origin")
                            .replaceAll("[\"\\\\\\p{Cntrl}]", "") + "' is not allowed\"}");
            return;
        }
        response.putHeader("Access-Control-Allow-Methods", String.join(", ", cors.allowMethods()));
        String requested = request.getHeader("Access-Control-Request-Headers");
        if (!cors.allowHeaders().isEmpty()) {
            response.putHeader("Access-Control-Allow-Headers", String.join(", ", cors.allowHeaders()));
        } else if (requested != null) {
            response.putHeader("Access-Control-Allow-Headers", requested);
        }
        response.putHeader("Access-Control-Max-Age", Long.toString(cors.maxAge().toSeconds()));
        response.setStatusCode(204).end();
    }

    /** Adds the headers of an actual (non-preflight) CORS response, when the request has an allowed Origin. */
    static void decorate(HttpServerRequest request, HttpServerResponse response, RouteSpec.Cors cors) {
        if (request.getHeader("Origin") != null && addOrigin(request, response, cors)
                && !cors.exposeHeaders().isEmpty()) {
            response.putHeader("Access-Control-Expose-Headers", String.join(", ", cors.exposeHeaders()));
        }
    }

    private static boolean addOrigin(HttpServerRequest request, HttpServerResponse response, RouteSpec.Cors cors) {
        String origin = request.getHeader("Origin");
        if (cors.allowOrigins().contains("*")) {
            response.putHeader("Access-Control-Allow-Origin", "*");
            return true;
        }
        if (origin != null && cors.allowOrigins().contains(origin)) {
            response.putHeader("Access-Control-Allow-Origin", origin);
            response.headers().add("Vary", "Origin");
            if (cors.allowCredentials()) {
                response.putHeader("Access-Control-Allow-Credentials", "true");
            }
            return true;
        }
        return false;
    }
}
