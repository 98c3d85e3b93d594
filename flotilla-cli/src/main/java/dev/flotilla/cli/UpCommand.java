package dev.flotilla.cli;

import dev.flotilla.cli.fleet.Fleet;
import dev.flotilla.cli.fleet.FleetFile;
import dev.flotilla.core.config.ConfigException;
import dev.flotilla.core.lifecycle.Shutdown;
import dev.flotilla.messaging.Transports;
import dev.flotilla.supervisor.ControlServer;
import dev.flotilla.supervisor.JavaCommand;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code flotilla up}: the whole fleet of {@code flotilla.yaml}, in the foreground or as a daemon. */
@Command(name = "up", mixinStandardHelpOptions = true,
        description = "Start the fleet described by flotilla.yaml: Redis, registry, gateway and apps.")
final class UpCommand implements Callable<Integer> {

    static final Duration READY_LIMIT = Duration.ofSeconds(120);

    @Spec
    CommandSpec spec;

    @Option(names = {"-f", "--file"}, defaultValue = "flotilla.yaml",
            description = "The fleet file (default: ${DEFAULT-VALUE}).")
    Path file;

    @Option(names = {"-d", "--detach"}, description = "Run in the background; manage it with ls, logs, reload, down.")
    boolean detach;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter out = spec.commandLine().getOut();
        FleetFile fleetFile;
        try {
            fleetFile = FleetFile.read(file);
        } catch (ConfigException e) {
            err.println("flotilla up: " + e.getMessage());
            return 2;
        }
        if (FleetCommands.answers(file)) {
            err.println("flotilla up: the fleet of " + file
                    + " is already up (see: flotilla ls; stop it: flotilla down)");
            return 1;
        }
        long started = System.nanoTime();
        try {
            Fleet.preflight(fleetFile);
        } catch (Fleet.StartFailure e) {
            err.println("flotilla up: " + e.getMessage());
            return 1;
        }
        if (detach) {
            return daemon(fleetFile, started);
        }
        Shutdown shutdown = Shutdown.onSignals();
        Fleet fleet;
        try {
            fleet = Fleet.start(file, fleetFile, System.out, shutdown::request, READY_LIMIT);
        } catch (Fleet.StartFailure e) {
            err.println("flotilla up: " + e.getMessage());
            return 1;
        } catch (Exception e) {
            err.println("flotilla up: cannot start: " + StartFailures.describe(e, "the ports in flotilla.yaml"));
            return 1;
        }
        banner(out, fleetFile, fleet.dashboardUrl(), fleet.gatewayUrl(), fleet.registryUrl(), fleet.gatewayAdminPort(),
                fleet.redisUrl(), fleet.amqpUrl(), started, false);
        shutdown.await();
        out.println("flotilla: stopping the fleet...");
        out.flush();
        fleet.close();
        out.println("flotilla: stopped");
        return 0;
    }

    /** Starts this command again, detached, and waits until its fleet is ready. */
    private int daemon(FleetFile fleetFile, long started) throws Exception {
        Path work = Fleet.workDirectory(file);
        Files.createDirectories(work);
        Path log = work.resolve("supervisor.log");
        List<String> command = new ArrayList<>();
        if (new File("/usr/bin/setsid").canExecute()) {
            command.add("/usr/bin/setsid"); // its own session: a Ctrl-C in this terminal must not reach it
        }
        command.addAll(JavaCommand.forMainClass(List.of("-XX:+UseSerialGC", "-Xms40m", "-Xmn24m", "-Xmx192m"),
                Flotilla.class.getName()));
        command.addAll(List.of("up", "-f", file.toAbsolutePath().toString()));
        Process daemon = new ProcessBuilder(command).redirectOutput(log.toFile()).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        AtomicBoolean ready = new AtomicBoolean();
        long deadline = System.nanoTime() + READY_LIMIT.toNanos();
        while (System.nanoTime() < deadline && daemon.isAlive() && !ready.get()) {
            Thread.sleep(200);
            if (Files.readString(log).contains("flotilla: the fleet is up")) {
                ready.set(true);
            }
        }
        if (!ready.get()) {
            spec.commandLine().getErr().println("flotilla up: the fleet did not come up; its log (" + log + "):\n"
                    + Files.readString(log));
            daemon.destroy();
            return 1;
        }
        FleetFile.Gateway gateway = fleetFile.gateway();
        // The daemon chose the dashboard's port (a free one unless the file names it): its banner says which.
        String dashboardUrl = Files.readAllLines(log).stream().filter(line -> line.startsWith(DASHBOARD_LINE))
                .map(line -> line.substring(DASHBOARD_LINE.length()).trim()).findFirst().orElse("(see " + log + ")");
        banner(spec.commandLine().getOut(), fleetFile, dashboardUrl, "http://127.0.0.1:" + gateway.port(),
                "http://127.0.0.1:" + fleetFile.registry().port(), gateway.adminPort(), null, null, started, true);
        spec.commandLine().getOut().println("supervisor pid " + daemon.pid() + ", log " + log);
        return 0;
    }

    private static final String DASHBOARD_LINE = "  dashboard  ";

    private static void banner(PrintWriter out, FleetFile fleetFile, String dashboardUrl, String gatewayUrl,
            String registryUrl, int adminPort, String redisUrl, String amqpUrl, long started, boolean detached) {
        out.printf("flotilla: the fleet is up in %.1f s%n", (System.nanoTime() - started) / 1e9);
        out.println(DASHBOARD_LINE + dashboardUrl);
        out.println("  gateway    " + gatewayUrl);
        FleetFile.Tls tls = fleetFile.gateway().tls();
        if (tls != null) {
            out.println("  https      https://localhost:" + tls.port() + "   (HTTP/2 and HTTP/1.1)");
        }
        out.println("  registry   " + registryUrl + "   (services: " + registryUrl + "/v1/services)");
        out.println("  admin      http://127.0.0.1:" + adminPort + "/admin/upstreams");
        if (redisUrl != null) {
            out.println("  redis      " + redisUrl);
        }
        if (amqpUrl != null) {
            out.println("  queues     " + Transports.describe(amqpUrl, redisUrl));
        }
        out.println("try:");
        for (String command : Fleet.tryCommands(fleetFile, gatewayUrl)) {
            out.println("  " + command);
        }
        out.println("manage it" + (detached ? "" : " from another terminal") + ": ./flotilla ls | logs -f | reload APP"
                + " | scale APP N | down" + (detached ? "" : "   (Ctrl-C stops it)"));
        out.flush();
    }

    static JsonObject request(Path file, JsonObject request) throws IOException {
        JsonObject[] answer = new JsonObject[1];
        ControlServer.request(Fleet.controlSocket(file), request, line -> answer[0] = new JsonObject(line));
        return answer[0];
    }
}
