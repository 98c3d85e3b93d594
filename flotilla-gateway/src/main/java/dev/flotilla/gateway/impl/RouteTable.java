package dev.flotilla.gateway.impl;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** The routes in force, most specific first; replaced as a whole when the routes file changes. */
final class RouteTable {

    static final RouteTable EMPTY = new RouteTable(List.of());

    final List<CompiledRoute> routes;

    RouteTable(List<CompiledRoute> routes) {
        List<CompiledRoute> sorted = new ArrayList<>(routes);
        sorted.sort(Comparator.comparingInt(CompiledRoute::specificity).reversed());
        this.routes = List.copyOf(sorted);
    }

    /** The outcome of matching: a route, or the methods allowed on a path no route accepts this method for. */
    record Match(CompiledRoute route, Set<String> allowed) {
    }

    /** The most specific route for the request; null when no route's path and host match at all. */
    Match match(String host, String method, String path) {
        Set<String> allowed = null;
        for (CompiledRoute route : routes) {
            if (route.matchesPath(path) && route.matchesHost(host)) {
                if (route.allows(method)) {
                    return new Match(route, null);
                }
                if (allowed == null) {
                    allowed = new TreeSet<>();
                }
                allowed.addAll(route.methods);
            }
        }
        return allowed == null ? null : new Match(null, allowed);
    }
}
