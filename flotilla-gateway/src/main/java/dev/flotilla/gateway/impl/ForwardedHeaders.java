package dev.flotilla.gateway.impl;

import dev.flotilla.gateway.RouteSpec;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.HostAndPort;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Which headers cross the gateway, each way: end-to-end headers are copied and hop-by-hop ones dropped
 * (RFC 9110 7.6.1), the request gains {@code X-Forwarded-*} and the gateway's {@code traceparent}, and each
 * side gets the route's header rules.
 */
final class ForwardedHeaders {

    private static final String TRACEPARENT = "traceparent";
    private static final String TRACESTATE = "tracestate";

    private ForwardedHeaders() {
    }

    /**
     * Writes the request's headers as sent upstream. {@code traced}: the service's span becomes the child of
     * the gateway's request span. One span per request here, not one more per attempt (with a CLIENT span
     * per attempt, tracing every request added 36 % to the CPU per request in bench/observability.sh, against
     * 31 % without); a retry is an event on the request's span.
     */
    static void toUpstream(Exchange exchange, MultiMap headers, boolean traced) {
        HttpServerRequest request = exchange.request;
        copyEndToEnd(request.headers(), headers);
        headers.remove(HttpHeaders.HOST);
        headers.remove(HttpHeaders.CONTENT_LENGTH); // framed by the gateway: see Forwarder.send()
        headers.remove(HttpHeaders.EXPECT); // answered by the gateway: see Forwarder.streamBody()
        String client = request.remoteAddress().hostAddress();
        String forwardedFor = request.getHeader("X-Forwarded-For");
        headers.set("X-Forwarded-For", forwardedFor == null ? client : forwardedFor + ", " + client);
        headers.set("X-Forwarded-Proto", request.isSSL() ? "https" : "http");
        HostAndPort host = request.authority(); // Vert.x 5 serves Host through authority(), not headers()
        if (host != null) {
            headers.set("X-Forwarded-Host", host.port() < 0 ? host.host() : host.host() + ":" + host.port());
        }
        if (traced) {
            headers.remove(TRACEPARENT);
            headers.remove(TRACESTATE);
            W3CTraceContextPropagator.getInstance().inject(Context.current(), headers, MultiMap::set);
        }
        applyRules(headers, exchange.route.spec.requestHeaders());
    }

    /** Copies headers except hop-by-hop ones, including those the message's Connection header names. */
    static void copyEndToEnd(MultiMap from, MultiMap to) {
        String connection = from.get(HttpHeaders.CONNECTION);
        List<String> listed = connection == null ? List.of() : connectionOptions(connection);
        for (Map.Entry<String, String> header : from) {
            String name = header.getKey();
            if (!isHopByHop(name) && !containsIgnoreCase(listed, name)) {
                to.add(name, header.getValue());
            }
        }
    }

    static void applyRules(MultiMap headers, RouteSpec.HeaderRules rules) {
        for (String name : rules.remove()) {
            headers.remove(name);
        }
        rules.add().forEach(headers::add);
    }

    /**
     * RFC 9110 7.6.1 connection-specific fields, plus the old Proxy-Connection and Keep-Alive. A switch on
     * the length rather than a case-insensitive set: this runs for every header of every message, and the
     * set's lookups showed in profiles.
     */
    static boolean isHopByHop(String name) {
        return switch (name.length()) {
            case 2 -> name.equalsIgnoreCase("te");
            case 7 -> name.equalsIgnoreCase("trailer") || name.equalsIgnoreCase("upgrade");
            case 10 -> name.equalsIgnoreCase("connection") || name.equalsIgnoreCase("keep-alive");
            case 16 -> name.equalsIgnoreCase("proxy-connection");
            case 17 -> name.equalsIgnoreCase("transfer-encoding");
            case 18 -> name.equalsIgnoreCase("proxy-authenticate");
            case 19 -> name.equalsIgnoreCase("proxy-authorization");
            default -> false;
        };
    }

    /** The other header names a Connection header lists (usually none: "keep-alive" and "close" are common). */
    private static List<String> connectionOptions(String connection) {
        if (connection.equalsIgnoreCase("keep-alive") || connection.equalsIgnoreCase("close")) {
            return List.of(); // nearly every message: nothing to split
        }
        List<String> names = null;
        for (String option : connection.split(",")) {
            String name = option.trim();
            if (!name.isEmpty() && !name.equalsIgnoreCase("close") && !isHopByHop(name) && !isFraming(name)) {
                if (names == null) {
                    names = new ArrayList<>(2);
                }
                names.add(name);
            }
        }
        return names == null ? List.of() : names;
    }

    /**
     * Headers a Connection header may not remove (RFC 9110 7.6.1 lets a sender list any field): the body's
     * framing and the target host. The gateway frames the upstream request itself.
     */
    private static boolean isFraming(String name) {
        return name.equalsIgnoreCase("content-length") || name.equalsIgnoreCase("host");
    }

    private static boolean containsIgnoreCase(List<String> names, String name) {
        for (int i = 0; i < names.size(); i++) {
            if (names.get(i).equalsIgnoreCase(name)) {
                return true;
            }
        }
        return false;
    }
}
