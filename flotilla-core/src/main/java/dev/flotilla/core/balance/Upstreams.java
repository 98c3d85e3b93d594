package dev.flotilla.core.balance;

import dev.flotilla.core.registry.InstanceWatch;
import dev.flotilla.core.registry.RegistryEvent;
import dev.flotilla.core.version.VersionRange;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Every {@link Upstream} a caller uses, kept current by one registry watch: each change pushed for a
 * service rebuilds the membership of that service's upstreams, so a new instance takes traffic as soon
 * as it is UP and a DOWN, DRAINING or deregistered one gets no new requests. Nothing is polled.
 */
public final class Upstreams {

    private final InstanceWatch watch;
    private final Map<String, List<Upstream>> byService = new ConcurrentHashMap<>();
    private final Map<String, Upstream> byKey = new ConcurrentHashMap<>();

    public Upstreams(InstanceWatch watch) {
        this.watch = watch;
        watch.addListener(this::onChange);
    }

    /**
     * The upstream for {@code service} within {@code range} under {@code policy}, created on first use and
     * shared by every caller asking for the same three, so they share ejections.
     */
    public Upstream get(String service, VersionRange range, OutlierPolicy policy) {
        String key = service + "@" + range + "/" + policy;
        Upstream existing = byKey.get(key);
        return existing != null ? existing : create(key, service, range, policy);
    }

    /**
     * Creates under the same lock as {@link #onChange}: otherwise a change pushed while the upstream is
     * being created could land before it is listed and be missed, leaving it without instances.
     */
    private synchronized Upstream create(String key, String service, VersionRange range, OutlierPolicy policy) {
        return byKey.computeIfAbsent(key, k -> {
            Upstream upstream = new Upstream(service, range, policy);
            byService.computeIfAbsent(service, s -> new CopyOnWriteArrayList<>()).add(upstream);
            upstream.update(watch.instances(service));
            return upstream;
        });
    }

    public Collection<Upstream> all() {
        return byKey.values();
    }

    private synchronized void onChange(RegistryEvent event) {
        List<Upstream> affected = byService.get(event.instance().service());
        if (affected != null) {
            var instances = watch.instances(event.instance().service());
            for (Upstream upstream : affected) {
                upstream.update(instances);
            }
        }
    }
}
