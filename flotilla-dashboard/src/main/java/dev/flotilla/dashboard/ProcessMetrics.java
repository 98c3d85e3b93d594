package dev.flotilla.dashboard;

import dev.flotilla.supervisor.InstanceInfo;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The supervisor's figures for every instance it runs, as Prometheus metrics on the control plane's
 * {@code /metrics}: {@code flotilla_process_cpu_usage} (1 = one core busy),
 * {@code flotilla_process_resident_memory_bytes}, {@code flotilla_process_uptime_seconds},
 * {@code flotilla_process_online} (1 when running and ready) and {@code flotilla_process_restarts_total}, each
 * labelled with {@code app} and {@code instance} ({@code app#slot}).
 */
final class ProcessMetrics {

    private final PrometheusMeterRegistry registry;
    private final MultiGauge cpu;
    private final MultiGauge memory;
    private final MultiGauge uptime;
    private final MultiGauge online;
    private final Map<String, AtomicLong> restarts = new ConcurrentHashMap<>();

    ProcessMetrics(PrometheusMeterRegistry registry) {
        this.registry = registry;
        cpu = MultiGauge.builder("flotilla.process.cpu.usage")
                .description("CPU use of a supervised instance over the last second (1 = one core)").register(registry);
        memory = MultiGauge.builder("flotilla.process.resident.memory").baseUnit("bytes")
                .description("Resident memory of a supervised instance").register(registry);
        uptime = MultiGauge.builder("flotilla.process.uptime").baseUnit("seconds")
                .description("How long a supervised instance's current process has run").register(registry);
        online = MultiGauge.builder("flotilla.process.online")
                .description("1 while a supervised instance is running (online), else 0").register(registry);
    }

    void update(List<InstanceInfo> instances) {
        List<MultiGauge.Row<?>> cpuRows = new ArrayList<>();
        List<MultiGauge.Row<?>> memoryRows = new ArrayList<>();
        List<MultiGauge.Row<?>> uptimeRows = new ArrayList<>();
        List<MultiGauge.Row<?>> onlineRows = new ArrayList<>();
        for (InstanceInfo info : instances) {
            String instance = info.app() + "#" + info.slot();
            Tags tags = Tags.of("app", info.app(), "instance", instance);
            cpuRows.add(MultiGauge.Row.of(tags, info.cpuPercent() / 100));
            memoryRows.add(MultiGauge.Row.of(tags, info.rssBytes()));
            uptimeRows.add(MultiGauge.Row.of(tags, info.uptimeMs() / 1000.0));
            onlineRows.add(MultiGauge.Row.of(tags, "online".equals(info.state()) ? 1 : 0));
            restarts.computeIfAbsent(instance, k -> {
                AtomicLong count = new AtomicLong();
                FunctionCounter.builder("flotilla.process.restarts", count, AtomicLong::get).tags(tags)
                        .description("Restarts of a supervised instance after it crashed").register(registry);
                return count;
            }).set(info.restarts());
        }
        cpu.register(cpuRows, true);
        memory.register(memoryRows, true);
        uptime.register(uptimeRows, true);
        online.register(onlineRows, true);
    }
}
