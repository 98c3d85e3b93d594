package dev.flotilla.cli;

import dev.flotilla.cli.fleet.Fleet;
import dev.flotilla.cli.fleet.KnownFleets;
import dev.flotilla.supervisor.AppSpec;
import dev.flotilla.supervisor.ControlServer;
import dev.flotilla.supervisor.InstanceInfo;
import dev.flotilla.supervisor.LogSearch;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The commands that manage a running fleet through its control socket: ls, logs, reload, restart, scale,
 * stop, down. picocli runs command methods on the root command's object, so these are declared on
 * {@link Flotilla} and the work is done here.
 */
final class FleetCommands {

    private final CommandSpec spec;

    FleetCommands(CommandSpec spec) {
        this.spec = spec;
    }

    /** True when a fleet of {@code file} answers on its control socket. */
    static boolean answers(Path file) {
        if (!Files.exists(Fleet.controlSocket(file))) {
            return false;
        }
        try {
            return UpCommand.request(file, new JsonObject().put("cmd", "ls")) != null;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The fleet file a command means: the one given; else ./flotilla.yaml; else the one fleet running on this
     * machine; else the one started last. Several running and none here: the user must choose.
     */
    static Path resolve(Path given) {
        if (given != null) {
            return given;
        }
        Path local = Path.of("flotilla.yaml");
        if (Files.exists(local)) {
            return local;
        }
        List<Path> running = KnownFleets.running();
        if (running.size() == 1) {
            return running.get(0);
        }
        if (running.size() > 1) {
            throw new IllegalArgumentException("several fleets are running (" + running.stream().map(Path::toString)
                    .collect(Collectors.joining(", ")) + "); choose one with -f FILE");
        }
        Path last = KnownFleets.last();
        return last != null ? last : local;
    }

    /** {@link #resolve}, or null after saying why there is no single answer. */
    private Path resolveOrSay(Path given) {
        try {
            return resolve(given);
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("flotilla: " + e.getMessage());
            return null;
        }
    }

    private int send(Path given, JsonObject request) {
        PrintWriter err = spec.commandLine().getErr();
        Path file = resolveOrSay(given);
        if (file == null) {
            return 1;
        }
        if (!answers(file)) {
            err.println("flotilla: no fleet of " + file + " is running (start one: flotilla up -d)");
            return 1;
        }
        try {
            JsonObject answer = UpCommand.request(file, request);
            if (answer == null || !answer.getBoolean("ok", false)) {
                err.println("flotilla: " + (answer == null ? "no answer" : answer.getString("error")));
                return 1;
            }
            if (answer.containsKey("instances")) {
                table(answer);
            } else if (answer.containsKey("app")) {
                describe(answer.getJsonObject("app"));
            } else {
                spec.commandLine().getOut().println("flotilla: " + said(request) + " (" + file + ")");
            }
            return 0;
        } catch (IOException e) {
            err.println("flotilla: the fleet did not answer: " + e.getMessage());
            return 1;
        }
    }

    private void table(JsonObject answer) {
        PrintWriter out = spec.commandLine().getOut();
        JsonObject apps = answer.getJsonObject("apps", new JsonObject());
        out.printf("%-12s %-9s %-8s %-6s %-9s %-9s %-8s %-7s %-6s %-8s%n", "app", "instance", "pid", "port", "status",
                "uptime", "crashes", "manual", "cpu", "memory");
        JsonObject self = answer.getJsonObject("self");
        if (self != null) {
            out.printf("%-12s %-9s %-8s %-6s %-9s %-9s %-8s %-7s %-6s %-8s%n", "flotilla", "-", self.getLong("pid"),
                    "-", "online", uptime(self.getLong("uptimeMs")), "-", "-", "-",
                    (self.getLong("rssBytes") >> 20) + " MB");
        }
        Set<String> listed = new HashSet<>();
        answer.getJsonArray("instances").forEach(o -> {
            InstanceInfo i = InstanceInfo.fromJson((JsonObject) o);
            listed.add(i.app());
            JsonObject app = apps.getJsonObject(i.app(), new JsonObject());
            out.printf("%-12s %-9s %-8s %-6s %-9s %-9s %-8d %-7d %-6s %-8s%n", i.app(), "#" + i.slot(),
                    i.pid() == 0 ? "-" : Long.toString(i.pid()), i.port() == 0 ? "-" : Integer.toString(i.port()),
                    i.state(), uptime(i.uptimeMs()), i.restarts(), app.getInteger("manualRestarts", 0),
                    String.format("%.0f%%", i.cpuPercent()), (i.rssBytes() >> 20) + " MB");
        });
        for (String app : apps.fieldNames()) {
            if (!listed.contains(app)) {
                out.printf("%-12s %-9s %-8s %-6s %-9s%n", app, "-", "-", "-",
                        "scaled to " + apps.getJsonObject(app).getInteger("instances"));
            }
        }
        if (self != null) {
            out.println("(flotilla: the supervisor, with the registry and the gateway inside it)");
        }
        out.flush();
    }

    private static String uptime(long ms) {
        long s = ms / 1000;
        return s < 60 ? s + "s" : s < 3600 ? s / 60 + "m" + s % 60 + "s" : s / 3600 + "h" + s % 3600 / 60 + "m";
    }

    int ls(Path file) {
        return send(file, new JsonObject().put("cmd", "ls"));
    }

    int reload(Path file, String app) {
        return send(file, new JsonObject().put("cmd", "reload").put("app", app));
    }

    int restart(Path file, String app) {
        return send(file, new JsonObject().put("cmd", "restart").put("app", app));
    }

    int scale(Path file, String app, String instances) {
        int count;
        try {
            count = AppSpec.instanceCount(instances);
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("flotilla: " + e.getMessage());
            return 2;
        }
        return send(file, new JsonObject().put("cmd", "scale").put("app", app).put("instances", count));
    }

    int describe(Path file, String app) {
        return send(file, new JsonObject().put("cmd", "describe").put("app", app));
    }

    int delete(Path file, String app) {
        return send(file, new JsonObject().put("cmd", "delete").put("app", app));
    }

    int flush(Path file, String app) {
        return send(file, new JsonObject().put("cmd", "flush").put("app", app));
    }

    /**
     * {@code start APP} starts an app of the fleet file; {@code start app.jar} or {@code start -- CMD ARGS}
     * starts an ad-hoc one, checked by the same rules as the file's apps.
     */
    int start(Path file, String name, String instances, Integer port, String mode, List<String> what) {
        boolean adHoc = name != null || instances != null || port != null || mode != null || what.size() > 1
                || what.get(0).endsWith(".jar");
        if (!adHoc) {
            return send(file, new JsonObject().put("cmd", "start").put("app", what.get(0)));
        }
        JsonObject app = new JsonObject();
        String first = what.get(0);
        if (what.size() == 1 && first.endsWith(".jar")) {
            app.put("jar", Path.of(first).toAbsolutePath().toString());
        } else {
            app.put("command", new JsonArray(what));
        }
        String base = Path.of(first).getFileName().toString().replaceFirst("\\.jar$", "");
        app.put("name", name != null ? name : base.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-"));
        if (instances != null) {
            app.put("instances", instances);
        }
        if (port != null) {
            app.put("port", port);
        }
        if (mode != null) {
            app.put("mode", mode);
        }
        app.put("cwd", Path.of("").toAbsolutePath().toString());
        return send(file, new JsonObject().put("cmd", "start").put("spec", app.encode())); // JSON is YAML
    }

    int stop(Path file, String app) {
        return send(file, new JsonObject().put("cmd", "stop").put("app", app));
    }

    int down(Path given) throws InterruptedException {
        Path file = resolveOrSay(given);
        if (file == null) {
            return 1;
        }
        int result = send(file, new JsonObject().put("cmd", "down"));
        for (int i = 0; i < 600 && result == 0 && answers(file); i++) {
            Thread.sleep(100);
        }
        if (result == 0) {
            spec.commandLine().getOut().println("flotilla: the fleet is down");
        }
        return result;
    }

    int logs(Path given, boolean follow, int lines, String app) {
        Path file = resolveOrSay(given);
        if (file == null) {
            return 1;
        }
        if (!answers(file)) {
            return LogFiles.print(Fleet.workDirectory(file).resolve("logs"), app, lines, follow,
                    spec.commandLine().getOut(), spec.commandLine().getErr());
        }
        PrintWriter out = spec.commandLine().getOut();
        try {
            ControlServer.request(Fleet.controlSocket(file), new JsonObject().put("cmd", "logs").put("app", app)
                    .put("lines", lines).put("follow", follow), line -> {
                        out.println(line);
                        out.flush();
                    });
            return 0;
        } catch (IOException e) {
            spec.commandLine().getErr().println("flotilla: " + e.getMessage());
            return 1;
        }
    }

    /** The lines of the fleet's log files that pass {@code filter}, read from the files (up or not). */
    int searchLogs(Path given, LogSearch.Filter filter, int limit, String app) {
        Path file = resolveOrSay(given);
        if (file == null) {
            return 1;
        }
        Path dir = Fleet.workDirectory(file).resolve("logs");
        PrintWriter out = spec.commandLine().getOut();
        try {
            List<Path> files = LogSearch.files(dir, app);
            if (files.isEmpty()) {
                spec.commandLine().getErr().println("flotilla logs: no log files" + (app == null ? "" : " of " + app)
                        + " in " + dir);
                return 1;
            }
            List<String> found = LogSearch.search(files, filter, limit);
            found.forEach(out::println);
            out.flush();
            return found.isEmpty() ? 1 : 0;
        } catch (IOException e) {
            spec.commandLine().getErr().println("flotilla logs: " + e.getMessage());
            return 1;
        }
    }

    /** What a command did, in words, for the line it prints. */
    private static String said(JsonObject request) {
        String app = request.getString("app");
        return switch (request.getString("cmd")) {
            case "reload" -> "reloaded " + app;
            case "restart" -> "restarted " + app;
            case "scale" -> "scaled " + app + " to " + request.getInteger("instances");
            case "stop" -> "stopped " + (app == null ? "every app" : app);
            case "delete" -> "deleted " + app;
            case "flush" -> "flushed the log of " + (app == null ? "every app" : app);
            case "start" -> "started "
                    + (app != null ? app : new JsonObject(request.getString("spec")).getString("name"));
            case "down" -> "stopping the fleet";
            default -> request.getString("cmd") + " done";
        };
    }

    private void describe(JsonObject app) {
        PrintWriter out = spec.commandLine().getOut();
        for (String key : List.of("name", "run", "args", "mode", "port", "instances", "ready", "killTimeoutMs", "cwd",
                "log", "manualRestarts")) {
            out.printf("%-15s %s%n", key, app.getValue(key));
        }
        out.printf("%-15s %s%n", "env", app.getJsonObject("env").isEmpty() ? "(none beyond the fleet's)"
                : app.getJsonObject("env").encode());
        for (Object o : app.getJsonArray("processes")) {
            JsonObject p = (JsonObject) o;
            out.printf("%-15s pid %s, %s, port %s, up %s, %d crash restarts, last exit: %s%s%n",
                    p.getString("id"), p.getLong("pid") == 0 ? "-" : p.getLong("pid"), p.getString("state"),
                    p.getInteger("port"), uptime(p.getLong("uptimeMs")), p.getInteger("restarts"),
                    p.getString("lastExit") == null ? "none" : p.getString("lastExit"),
                    p.getString("failure") == null ? "" : "; " + p.getString("failure"));
        }
        out.flush();
    }

    /** Redraws the process table every second, with requests per second from the gateway's counters. */
    int monit(Path given, int count) throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        Path file = resolve(given);
        Monit monit = new Monit(file);
        for (int i = 0; count == 0 || i < count; i++) {
            if (!answers(file)) {
                spec.commandLine().getErr().println("flotilla: no fleet of " + file + " is running");
                return 1;
            }
            out.print("\033[H\033[2J");
            out.println("flotilla monit: " + file + "   (Ctrl-C to leave)");
            out.print(monit.render());
            out.flush();
            Thread.sleep(1_000);
        }
        return 0;
    }

    int save() {
        List<Path> running = KnownFleets.running();
        JsonArray fleets = new JsonArray();
        for (Path file : running) {
            try {
                JsonObject ls = UpCommand.request(file, new JsonObject().put("cmd", "ls"));
                JsonObject counts = new JsonObject();
                ls.getJsonObject("apps", new JsonObject()).forEach(e -> {
                    if (!e.getKey().equals("redis")) {
                        counts.put(e.getKey(), ((JsonObject) e.getValue()).getInteger("instances"));
                    }
                });
                fleets.add(new JsonObject().put("file", file.toString()).put("apps", counts));
            } catch (IOException e) {
                spec.commandLine().getErr().println("flotilla: " + file + " did not answer: " + e.getMessage());
            }
        }
        try {
            Files.createDirectories(KnownFleets.dump().getParent());
            Files.writeString(KnownFleets.dump(), fleets.encodePrettily());
        } catch (IOException e) {
            spec.commandLine().getErr().println("flotilla: cannot write " + KnownFleets.dump() + ": " + e.getMessage());
            return 1;
        }
        spec.commandLine().getOut().println("flotilla: saved " + fleets.size() + " fleet(s) to " + KnownFleets.dump()
                + " (apps started ad hoc are not saved: put them in the fleet file)");
        return 0;
    }

    int resurrect() throws Exception {
        if (!Files.exists(KnownFleets.dump())) {
            spec.commandLine().getErr().println("flotilla: nothing saved (flotilla save)");
            return 1;
        }
        int result = 0;
        for (Object o : new JsonArray(Files.readString(KnownFleets.dump()))) {
            JsonObject saved = (JsonObject) o;
            Path file = Path.of(saved.getString("file"));
            if (!answers(file)) {
                int up = Flotilla.commandLine().execute("up", "-d", "-f", file.toString());
                if (up != 0) {
                    result = up;
                    continue;
                }
            }
            for (String app : saved.getJsonObject("apps").fieldNames()) {
                send(file, new JsonObject().put("cmd", "scale").put("app", app)
                        .put("instances", saved.getJsonObject("apps").getInteger(app)));
            }
        }
        return result;
    }

    int startup(Path given) {
        Path file = resolve(given).toAbsolutePath().normalize();
        String launcher = Launcher.path();
        PrintWriter out = spec.commandLine().getOut();
        out.println("# A systemd user unit for this fleet. Install it with:");
        out.println("#   flotilla startup > ~/.config/systemd/user/flotilla.service");
        out.println("#   systemctl --user daemon-reload && systemctl --user enable --now flotilla");
        out.println("#   loginctl enable-linger $USER    # to start it at boot, before you log in");
        out.println("[Unit]");
        out.println("Description=Flotilla fleet " + file);
        out.println("After=network-online.target");
        out.println();
        out.println("[Service]");
        out.println("Type=simple");
        out.println("WorkingDirectory=" + file.getParent());
        out.println("ExecStart=" + launcher + " up -f " + file);
        out.println("ExecStop=" + launcher + " down -f " + file);
        out.println("KillSignal=SIGTERM");
        out.println("TimeoutStopSec=60");
        out.println("Restart=on-failure");
        out.println();
        out.println("[Install]");
        out.println("WantedBy=default.target");
        out.flush();
        return 0;
    }
}
