package dev.flotilla.supervisor.impl;

import dev.flotilla.supervisor.AppSpec;
import dev.flotilla.supervisor.InstanceInfo;
import dev.flotilla.supervisor.Supervisor;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/** One app's instances, and what can be done to all of them: start, reload, restart, scale, stop. */
public final class ManagedApp {

    private final Supervisor supervisor;
    private final AppSpec spec;
    private final LogSink log;
    private final List<ManagedInstance> instances = new ArrayList<>();
    private final AtomicInteger nextId = new AtomicInteger();
    /** How many instances the app should have: its spec's count until a {@code scale} changes it. */
    private int desired;
    /** Restarts and reloads asked for by a person, counted apart from crashes. */
    private final AtomicInteger manual = new AtomicInteger();

    public ManagedApp(Supervisor supervisor, AppSpec spec, LogSink log) {
        this.supervisor = supervisor;
        this.spec = spec;
        this.log = log;
        this.desired = spec.instanceCount();
    }

    public AppSpec spec() {
        return spec;
    }

    LogSink log() {
        return log;
    }

    Supervisor supervisor() {
        return supervisor;
    }

    Path workingDirectory() {
        return spec.cwd() == null ? supervisor.baseDirectory() : supervisor.baseDirectory().resolve(spec.cwd());
    }

    /** What {@code ls} shows of each instance. */
    public List<InstanceInfo> infos() {
        return instances().stream().map(ManagedInstance::info).toList();
    }

    /** Samples CPU and enforces max-memory; called once a second. */
    public void sample() {
        for (ManagedInstance instance : instances()) {
            instance.sample();
            instance.enforceMemory();
        }
    }

    public LogSink logSink() {
        return log;
    }

    synchronized List<ManagedInstance> instances() {
        return List.copyOf(instances);
    }

    /** Starts the desired number of instances (the spec's, or the last {@code scale}'s). */
    public synchronized void start() {
        for (int slot = 0; slot < desired; slot++) {
            ManagedInstance instance = newInstance(slot, portFor(slot));
            instances.add(instance);
            instance.start();
        }
    }

    private ManagedInstance newInstance(int slot, int port) {
        return new ManagedInstance(this, slot, spec.name() + "-" + nextId.getAndIncrement(), port);
    }

    private int portFor(int slot) {
        if (spec.port() == null) {
            return 0;
        }
        return spec.cluster() ? spec.port() : spec.port() + slot;
    }

    /** Waits until every instance is ready; false if one is not within {@code limit}. */
    public boolean awaitReady(Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        for (ManagedInstance instance : instances()) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !instance.awaitReady(Duration.ofNanos(left))) {
                return false;
            }
        }
        return true;
    }

    /** Restarts and reloads asked for, apart from crashes. */
    public int manualRestarts() {
        return manual.get();
    }

    /** What {@code describe} shows: the spec, the log file, and each instance with how its last process ended. */
    public JsonObject describe() {
        JsonArray list = new JsonArray();
        for (ManagedInstance instance : instances()) {
            JsonObject json = instance.info().toJson();
            json.put("lastExit", instance.lastExit()).put("failure", instance.failure());
            list.add(json);
        }
        Map<String, String> env = new TreeMap<>(spec.env());
        env.replaceAll((k, v) -> k.contains("TOKEN") || k.contains("SECRET") || k.contains("PASSWORD") ? "***" : v);
        return new JsonObject().put("name", spec.name())
                .put("run", spec.main() != null ? "main " + spec.main() : spec.jar() != null ? "jar " + spec.jar()
                        : "command " + String.join(" ", spec.command()))
                .put("args", new JsonArray(spec.args())).put("mode", spec.mode()).put("port", spec.port())
                .put("instances", desired()).put("ready", spec.ready() == null ? "running" : spec.ready())
                .put("killTimeoutMs", spec.killTimeout().toMillis()).put("cwd", workingDirectory().toString())
                .put("env", new JsonObject(new LinkedHashMap<>(env))).put("log", log.file().toString())
                .put("manualRestarts", manual.get()).put("processes", list);
    }

    /** How many instances the app should have. */
    public synchronized int desired() {
        return desired;
    }

    /** Why an instance of this app gave up ({@code errored}), naming it; null when none did. */
    public String failure() {
        for (ManagedInstance instance : instances()) {
            String failure = instance.failure();
            if (failure != null) {
                return instance.source() + " " + failure;
            }
        }
        return null;
    }

    /**
     * Zero-downtime rolling replacement, one instance at a time: start the new one (cluster: on the shared
     * port; fork: on a free port), wait until it is ready, then stop the old one (SIGTERM, which the SDK
     * answers by draining, then SIGKILL after the kill timeout) while the next replacement starts. Returns
     * when every old instance is gone. Stops at the first replacement that does not become ready, leaving
     * the old instance serving.
     */
    public void reload(Duration readyLimit) throws InterruptedException {
        manual.incrementAndGet();
        List<CompletableFuture<Void>> draining = new ArrayList<>();
        try {
            for (ManagedInstance old : instances()) {
                ManagedInstance replacement = newInstance(old.slot, spec.cluster() || spec.port() == null ? old.port
                        : freePort());
                replacement.start();
                if (!replacement.awaitReady(readyLimit)) {
                    replacement.stop().join();
                    throw new IllegalStateException("reload of " + spec.name() + " stopped: "
                            + replacement.source() + " did not become ready within " + readyLimit.toSeconds()
                            + " s; the old instance stays");
                }
                synchronized (this) {
                    instances.set(instances.indexOf(old), replacement);
                }
                // The old one drains while the next replacement starts: as many instances serve as before.
                draining.add(old.stop());
            }
        } finally {
            CompletableFuture.allOf(draining.toArray(CompletableFuture[]::new)).join();
        }
    }

    /** Stops every instance, then starts them again (not rolling: there is a gap). */
    public void restart() {
        manual.incrementAndGet();
        stop().join();
        synchronized (this) {
            instances.clear();
        }
        start();
    }

    /** Starts or stops instances until there are {@code count}. */
    public void scale(int count) {
        List<ManagedInstance> removed = new ArrayList<>();
        synchronized (this) {
            desired = count;
            while (instances.size() < count) {
                int slot = instances.size();
                ManagedInstance instance = newInstance(slot, portFor(slot));
                instances.add(instance);
                instance.start();
            }
            while (instances.size() > count) {
                removed.add(instances.remove(instances.size() - 1));
            }
        }
        CompletableFuture.allOf(removed.stream().map(ManagedInstance::stop).toArray(CompletableFuture[]::new)).join();
    }

    /** Stops the instance with this id, if it is one of this app's; true when it was. */
    public boolean stopInstance(String id) {
        for (ManagedInstance instance : instances()) {
            if (instance.id.equals(id)) {
                instance.stop().join();
                return true;
            }
        }
        return false;
    }

    public CompletableFuture<Void> stop() {
        return CompletableFuture.allOf(instances().stream().map(ManagedInstance::stop)
                .toArray(CompletableFuture[]::new));
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free port: " + e.getMessage(), e);
        }
    }
}
