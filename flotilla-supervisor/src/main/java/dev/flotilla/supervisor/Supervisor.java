package dev.flotilla.supervisor;

import dev.flotilla.core.registry.RegistryClient;
import dev.flotilla.supervisor.impl.LogSink;
import dev.flotilla.supervisor.impl.ManagedApp;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Runs apps as supervised processes on this machine, as PM2 does: instances with the fleet's
 * environment, captured logs, restarts with backoff, rolling reloads, scaling. Thread-safe.
 */
public final class Supervisor implements AutoCloseable {

    private final Path baseDirectory;
    private final Path logDirectory;
    private final Map<String, String> fleetEnvironment;
    private final RegistryClient registry;
    private final PrintStream merged;
    private final Map<String, ManagedApp> apps = Collections.synchronizedMap(new LinkedHashMap<>());
    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(1, r -> {
        Thread thread = new Thread(r, "supervisor");
        thread.setDaemon(true);
        return thread;
    });

    /**
     * @param baseDirectory    where relative {@code cwd}s start (the fleet file's directory)
     * @param logDirectory     where {@code APP.log} files go
     * @param fleetEnvironment what every instance gets ({@code FLOTILLA_REGISTRY}, {@code FLOTILLA_REDIS}, ...)
     * @param registry         for marking crashed instances DOWN and registering non-SDK ones; may be null
     * @param merged           every instance's output, prefixed {@code app#slot | }; may be null
     */
    public Supervisor(Path baseDirectory, Path logDirectory, Map<String, String> fleetEnvironment,
            RegistryClient registry, PrintStream merged) {
        this.baseDirectory = baseDirectory;
        this.logDirectory = logDirectory;
        this.fleetEnvironment = Map.copyOf(fleetEnvironment);
        this.registry = registry;
        this.merged = merged;
        scheduler.scheduleAtFixedRate(this::sample, 1, 1, TimeUnit.SECONDS);
    }

    /** Starts {@code spec}'s instances; does not wait for them to be ready. */
    public void start(AppSpec spec) throws IOException {
        start(spec, line -> true);
    }

    /**
     * Starts {@code spec}'s instances; of their output, only the lines {@code shownMerged} accepts go to the
     * merged output (a terminal), while the log file gets all of them. Does not wait for them to be ready.
     */
    public void start(AppSpec spec, Predicate<String> shownMerged) throws IOException {
        if (apps.containsKey(spec.name())) {
            throw new IllegalArgumentException("an app named '" + spec.name() + "' is already running");
        }
        ManagedApp app = new ManagedApp(this, spec,
                new LogSink(logDirectory.resolve(spec.name() + ".log"), merged, shownMerged));
        apps.put(spec.name(), app);
        app.start();
    }

    /** Waits until every instance of {@code name} is ready. */
    public boolean awaitReady(String name, Duration limit) throws InterruptedException {
        return app(name).awaitReady(limit);
    }

    /** Why an instance of {@code name} gave up, naming it (exit code and last output); null when none did. */
    public String failure(String name) {
        return app(name).failure();
    }

    public void reload(String name) throws InterruptedException {
        app(name).reload(Duration.ofSeconds(60));
    }

    public void restart(String name) {
        app(name).restart();
    }

    public void scale(String name, int count) {
        if (count < 0 || count > 256) {
            throw new IllegalArgumentException("instances: " + count + " (expected: 0..256)");
        }
        app(name).scale(count);
    }

    /**
     * Stops one app's instances, or one instance when {@code name} is an instance id ({@code users-1}); they
     * stay listed, stopped.
     */
    public void stop(String name) {
        if (!apps.containsKey(name)) {
            for (ManagedApp app : List.copyOf(apps.values())) {
                if (app.stopInstance(name)) {
                    return;
                }
            }
        }
        app(name).stop().join();
    }

    /** Stops these apps all at once (each drains its own instances) and returns when all are stopped. */
    public void stopTogether(List<String> names) {
        List<CompletableFuture<Void>> stopping = new ArrayList<>();
        for (String name : names) {
            stopping.add(app(name).stop());
        }
        CompletableFuture.allOf(stopping.toArray(CompletableFuture[]::new)).join();
    }

    /** Stops every app, the last started first. */
    public void stopAll() {
        List<ManagedApp> reversed = new ArrayList<>(apps.values());
        Collections.reverse(reversed);
        for (ManagedApp app : reversed) {
            app.stop().join();
        }
    }

    /** Each app by name, in start order: how many instances it should have, and its manual restarts. */
    public JsonObject apps() {
        JsonObject all = new JsonObject();
        for (ManagedApp app : List.copyOf(apps.values())) {
            all.put(app.spec().name(), new JsonObject().put("instances", app.desired())
                    .put("manualRestarts", app.manualRestarts()));
        }
        return all;
    }

    /** One app's spec, environment, log file and processes (PM2's {@code describe}). */
    public JsonObject describe(String name) {
        return app(name).describe();
    }

    /** Stops an app and forgets it (PM2's {@code delete}); its log file stays. */
    public void delete(String name) {
        ManagedApp app = app(name);
        app.stop().join();
        apps.remove(name);
    }

    /** Empties one app's log, or every app's. */
    public void flush(String name) throws IOException {
        for (ManagedApp app : name == null ? List.copyOf(apps.values()) : List.of(app(name))) {
            app.logSink().flush();
        }
    }

    public List<String> appNames() {
        return List.copyOf(apps.keySet());
    }

    public List<InstanceInfo> list() {
        List<InstanceInfo> all = new ArrayList<>();
        for (ManagedApp app : List.copyOf(apps.values())) {
            all.addAll(app.infos());
        }
        return all;
    }

    public Path logFile(String name) {
        return app(name).logSink().file();
    }

    private ManagedApp app(String name) {
        ManagedApp app = apps.get(name);
        if (app == null) {
            throw new IllegalArgumentException("no app named '" + name + "' (apps: " + String.join(", ", apps.keySet())
                    + ")");
        }
        return app;
    }

    private void sample() {
        for (ManagedApp app : List.copyOf(apps.values())) {
            app.sample();
        }
    }

    // Used by the processes it manages.

    public Path baseDirectory() {
        return baseDirectory;
    }

    public Map<String, String> fleetEnvironment() {
        return fleetEnvironment;
    }

    public RegistryClient registry() {
        return registry;
    }

    public ScheduledExecutorService scheduler() {
        return scheduler;
    }

    @Override
    public void close() {
        stopAll();
        scheduler.shutdownNow();
    }
}
