package dev.flotilla.supervisor.impl;

import dev.flotilla.core.registry.Instance;
import dev.flotilla.core.registry.InstanceStatus;
import dev.flotilla.core.registry.Registration;
import dev.flotilla.supervisor.AppSpec;
import dev.flotilla.supervisor.InstanceInfo;
import dev.flotilla.supervisor.JavaCommand;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One supervised process: started with the fleet's environment, its output captured, restarted with
 * backoff when it crashes (after it has been marked DOWN in the registry), stopped with SIGTERM then
 * SIGKILL.
 *
 * <p>Every process is started through a small bash wrapper that keeps the read end of a pipe from the
 * supervisor and then {@code exec}s the real command (so the pid is the command's). When the supervisor
 * dies, even by {@code kill -9}, the pipe closes and the wrapper's watcher sends SIGTERM, then SIGKILL:
 * Java has no other way to ask Linux to end children with their parent. The wrapper runs under
 * {@code setsid}, in a session and process group of its own, so a terminal's Ctrl-C reaches the supervisor
 * only, and the supervisor stops its children itself (each draining).
 *
 * <p>A process that exits on its first start before it was ever ready (by its app's {@code ready} check),
 * or whose command could not be executed at all (exit 126 or 127), is not restarted: a missing class, a
 * missing file or a bad command would only crash-loop. It turns {@code errored} at once with its exit code
 * and its last lines of output, which {@link #failure()} gives to whoever waits for it. An app without a
 * ready check that runs and then crashes is restarted with backoff, as PM2 does.
 */
final class ManagedInstance {

    private static final Logger LOG = LoggerFactory.getLogger(ManagedInstance.class);
    private static final String WRAPPER = "p=$$; exec 3<&0 </dev/null; "
            + "( while kill -0 $p 2>/dev/null; do read -r -t 1 -u 3 _; rc=$?; "
            + "if [ $rc -le 128 ] && [ $rc -ne 0 ]; then kill -TERM $p 2>/dev/null; "
            + "sleep \"${FLOTILLA_KILL_GRACE:-5}\"; kill -KILL $p 2>/dev/null; exit 0; fi; done ) & "
            + "exec 3<&-; exec \"$@\"";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private static final boolean SETSID = new File("/usr/bin/setsid").canExecute();
    private static final int LAST_LINES = 5;

    final ManagedApp app;
    final int slot;
    final String id;
    final int port;
    private volatile Process process;
    private volatile String state = "starting";
    private volatile List<Thread> pumps = List.of();
    private volatile long startedAt;
    /** How long a process without a readiness check must run before it counts as online. */
    private static final long MIN_UPTIME_MS = 1_000;
    private volatile boolean stopping;
    private volatile int restarts;
    private final Deque<Long> recentRestarts = new ArrayDeque<>();
    private int quickCrashes;
    private volatile Registration registration;
    private volatile long lastCpuTicks;
    private volatile long lastCpuAt;
    private volatile double cpuPercent;
    private volatile boolean everReady;
    private volatile String failure;
    /** How the last process of this instance ended: exit code and reason; null while none has. */
    private volatile String lastExit;
    private final Deque<String> lastLines = new ArrayDeque<>();

    ManagedInstance(ManagedApp app, int slot, String id, int port) {
        this.app = app;
        this.slot = slot;
        this.id = id;
        this.port = port;
    }

    String source() {
        return app.spec().name() + "#" + slot;
    }

    synchronized void start() {
        if (stopping) {
            return;
        }
        AppSpec spec = app.spec();
        List<String> command = new ArrayList<>();
        if (SETSID) {
            command.add("/usr/bin/setsid");
        }
        command.addAll(List.of("bash", "-c", WRAPPER, "flotilla-instance"));
        if (spec.main() != null) {
            command.addAll(JavaCommand.forMainClass(spec.javaOptions(), spec.main()));
        } else if (spec.jar() != null) {
            command.addAll(JavaCommand.forJar(spec.javaOptions(), spec.jar()));
        } else {
            command.addAll(spec.command());
        }
        command.addAll(spec.args());
        ProcessBuilder builder = new ProcessBuilder(command).directory(app.workingDirectory().toFile());
        Map<String, String> env = builder.environment();
        env.putAll(app.supervisor().fleetEnvironment());
        env.putAll(spec.env());
        env.putAll(spec.instanceEnv().getOrDefault(Integer.toString(slot), Map.of()));
        env.put("FLOTILLA_INSTANCE", id);
        env.put("FLOTILLA_KILL_GRACE", Long.toString(Math.max(1, spec.killTimeout().toSeconds())));
        if (port > 0) {
            env.put("PORT", Integer.toString(port));
        }
        if (spec.cluster()) {
            env.put("FLOTILLA_REUSE_PORT", "true");
        }
        try {
            process = builder.start();
        } catch (IOException e) {
            failure = "cannot start: " + e.getMessage();
            app.log().line(source(), "flotilla: " + failure);
            state = "errored";
            return;
        }
        startedAt = System.currentTimeMillis();
        state = "starting";
        pumps = List.of(pump(process.getInputStream()), pump(process.getErrorStream()));
        Process started = process;
        started.onExit().thenAccept(this::exited);
        if (spec.register()) {
            registerOnBehalf();
        }
        Thread watcher = new Thread(() -> watchReady(started), "ready-" + source());
        watcher.setDaemon(true);
        watcher.start();
    }

    /** Polls the readiness check until it passes (state online) or this process ends. */
    private void watchReady(Process started) {
        try {
            while (started == process && started.isAlive() && !stopping) {
                if (isReady()) {
                    everReady = true;
                    state = "online";
                    if (registration != null) {
                        registration.status(InstanceStatus.UP);
                    }
                    return;
                }
                Thread.sleep(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Thread pump(InputStream stream) {
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    app.log().line(source(), line);
                    synchronized (lastLines) {
                        if (lastLines.size() == LAST_LINES) {
                            lastLines.pollFirst();
                        }
                        lastLines.addLast(line);
                    }
                }
            } catch (IOException ignored) {
                // the process is gone
            }
        }, "log-" + source());
        reader.setDaemon(true);
        reader.start();
        return reader;
    }

    /** Lets the pumps copy a process's last lines before the supervisor writes about its exit. */
    private void awaitPumps() {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(250);
        try {
            for (Thread pump : pumps) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left > 0) {
                    pump.join(left);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A process without the SDK joins the registry through the supervisor, its ready path as health check. */
    private void registerOnBehalf() {
        var registry = app.supervisor().registry();
        if (registry == null) {
            return;
        }
        AppSpec spec = app.spec();
        registry.register(Instance.builder(id, spec.name(), spec.version()).host("127.0.0.1").port(port)
                        .healthPath(spec.ready()).status(InstanceStatus.STARTING)
                        .metadata(Map.of("pid", Long.toString(process.pid()), "supervised", "true")).build())
                .onSuccess(r -> registration = r)
                .onFailure(e -> app.log().line(source(), "flotilla: cannot register: " + e.getMessage()));
    }

    private void exited(Process exitedProcess) {
        if (exitedProcess != process) {
            return;
        }
        int code = exitedProcess.exitValue();
        lastExit = "code " + code + (stopping ? " (stopped)" : " (crashed)") + " at " + Instant.now();
        if (stopping) {
            state = "stopped";
            return;
        }
        awaitPumps();
        boolean couldNotRun = code == 126 || code == 127; // the shell could not execute the command
        if (restarts == 0 && !everReady && (app.spec().ready() != null || couldNotRun)) {
            String output;
            synchronized (lastLines) {
                output = String.join(" / ", lastLines);
            }
            failure = "exited with code " + code + " before it was ready" + (output.isEmpty() ? "" : ": " + output);
            app.log().line(source(), "flotilla: " + failure + "; not restarting (it never started)");
            state = "errored";
            return;
        }
        state = "crashed";
        app.log().line(source(), "flotilla: exited with code " + code + " after "
                + (System.currentTimeMillis() - startedAt) + " ms");
        markDown("exited with code " + code);
        scheduleRestart();
    }

    /** Tells the registry at once, so that no gateway sends this instance traffic while it is gone. */
    private void markDown(String reason) {
        var registry = app.supervisor().registry();
        if (registry == null) {
            return;
        }
        try {
            if (registration != null) {
                registration.status(InstanceStatus.DOWN).toCompletionStage().toCompletableFuture()
                        .get(1, TimeUnit.SECONDS);
            } else {
                registry.setStatus(id, InstanceStatus.DOWN, "supervisor: " + reason).toCompletionStage()
                        .toCompletableFuture().get(1, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            LOG.debug("could not mark {} DOWN: {}", id, e.getMessage()); // not registered yet, most often
        }
    }

    private synchronized void scheduleRestart() {
        var policy = app.spec().restart();
        long now = System.currentTimeMillis();
        while (!recentRestarts.isEmpty() && now - recentRestarts.peekFirst() > policy.window().toMillis()) {
            recentRestarts.pollFirst();
        }
        if (recentRestarts.size() >= policy.maxRestarts()) {
            // The log line goes first: whoever sees "errored" may read the log at once.
            failure = "crashed " + recentRestarts.size() + " times within " + policy.window().toSeconds() + " s";
            app.log().line(source(), "flotilla: " + failure + "; not restarting (flotilla restart "
                    + app.spec().name() + ")");
            state = "errored";
            return;
        }
        boolean stable = now - startedAt >= policy.stableAfter().toMillis();
        quickCrashes = stable ? 1 : quickCrashes + 1;
        long delay = policy.backoff(quickCrashes).toMillis();
        recentRestarts.addLast(now);
        restarts++;
        app.supervisor().scheduler().schedule(this::start, delay, TimeUnit.MILLISECONDS);
    }

    /** Whether the instance counts as ready by its app's {@code ready} setting. */
    boolean isReady() {
        Process current = process;
        if (current == null || !current.isAlive()) {
            return false;
        }
        String ready = app.spec().ready();
        if (ready == null) {
            // Running is all that is asked, as PM2's "online", but for PM2's min_uptime (1 s): a command that
            // cannot run at all (exit 127 from the wrapper, a missing class) must not count as started.
            return System.currentTimeMillis() - startedAt >= MIN_UPTIME_MS;
        }
        if (ready.equals("registered")) {
            var registry = app.supervisor().registry();
            try {
                // By the id given in FLOTILLA_INSTANCE: the service may register under any name.
                return registry != null && registry.instance(id).toCompletionStage().toCompletableFuture()
                        .get(2, TimeUnit.SECONDS).status() == InstanceStatus.UP;
            } catch (Exception e) {
                return false;
            }
        }
        try {
            HttpResponse<Void> response = HTTP.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + ready)).timeout(Duration.ofSeconds(1)).build(),
                    HttpResponse.BodyHandlers.discarding());
            return response.statusCode() == 200;
        } catch (Exception e) {
            return false;
        }
    }

    /** How its last process ended, or null. */
    String lastExit() {
        return lastExit;
    }

    /** Why this instance is {@code errored}, or null. */
    String failure() {
        return failure;
    }

    /** Waits until ready; false when the instance gave up or {@code limit} passed first. */
    boolean awaitReady(Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (state.equals("online")) {
                return true;
            }
            if (state.equals("errored") || stopping) {
                return false;
            }
            Thread.sleep(50);
        }
        return false;
    }

    /** SIGTERM, then SIGKILL after the kill timeout; completes when the process is gone. */
    CompletableFuture<Void> stop() {
        stopping = true;
        Process current = process;
        if (registration != null) {
            registration.deregister();
        }
        if (current == null || !current.isAlive()) {
            state = "stopped";
            return CompletableFuture.completedFuture(null);
        }
        state = "stopping";
        current.destroy();
        return current.onExit().orTimeout(app.spec().killTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .handle((p, timedOut) -> {
                    if (timedOut != null) {
                        app.log().line(source(), "flotilla: no exit " + app.spec().killTimeout().toMillis()
                                + " ms after SIGTERM; sending SIGKILL");
                        current.destroyForcibly();
                        current.onExit().join();
                    }
                    state = "stopped";
                    return null;
                });
    }

    long pid() {
        Process current = process;
        return current != null && current.isAlive() ? current.pid() : 0;
    }

    String state() {
        return state;
    }

    /** Samples CPU use; called once a second by the supervisor. */
    void sample() {
        long pid = pid();
        if (pid == 0) {
            cpuPercent = 0;
            return;
        }
        long ticks = ProcStats.cpuTicks(pid);
        long now = System.nanoTime();
        if (lastCpuAt != 0 && ticks >= lastCpuTicks) {
            cpuPercent = (ticks - lastCpuTicks) * 1e9 / (now - lastCpuAt); // 100 ticks per second on Linux
        }
        lastCpuTicks = ticks;
        lastCpuAt = now;
    }

    /** Restarts the process when its resident memory passes {@code max-memory}. */
    void enforceMemory() {
        var max = app.spec().maxMemory();
        long pid = pid();
        if (max == null || pid == 0 || stopping || !state.equals("online")) {
            return;
        }
        long rss = ProcStats.rssBytes(pid);
        if (rss > max.bytes()) {
            app.log().line(source(), "flotilla: resident memory " + (rss >> 20) + " MB passed max-memory "
                    + (max.bytes() >> 20) + " MB; restarting");
            Process current = process;
            state = "restarting";
            markDown("max-memory");
            current.destroy();
            current.onExit().orTimeout(app.spec().killTimeout().toMillis(), TimeUnit.MILLISECONDS)
                    .exceptionally(e -> {
                        current.destroyForcibly();
                        return current;
                    }); // the exit is then handled as a crash: marked DOWN, restarted with backoff
        }
    }

    InstanceInfo info() {
        long pid = pid();
        return new InstanceInfo(app.spec().name(), slot, id, pid, port, state,
                pid == 0 ? 0 : System.currentTimeMillis() - startedAt, restarts,
                Math.round(cpuPercent * 10) / 10.0, pid == 0 ? 0 : ProcStats.rssBytes(pid));
    }
}
