package dev.flotilla.cli;

import dev.flotilla.cli.fleet.Fleet;
import dev.flotilla.supervisor.ControlServer;
import dev.flotilla.supervisor.InstanceInfo;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
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

    private int send(Path file, JsonObject request) {
        PrintWriter err = spec.commandLine().getErr();
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
            }
            return 0;
        } catch (IOException e) {
            err.println("flotilla: the fleet did not answer: " + e.getMessage());
            return 1;
        }
    }

    private void table(JsonObject answer) {
        PrintWriter out = spec.commandLine().getOut();
        out.printf("%-12s %-9s %-8s %-6s %-9s %-9s %-9s %-6s %-8s%n", "app", "instance", "pid", "port", "status",
                "uptime", "restarts", "cpu", "memory");
        JsonObject self = answer.getJsonObject("self");
        if (self != null) {
            out.printf("%-12s %-9s %-8s %-6s %-9s %-9s %-9s %-6s %-8s%n", "flotilla", "-", self.getLong("pid"), "-",
                    "online", uptime(self.getLong("uptimeMs")), "-", "-", (self.getLong("rssBytes") >> 20) + " MB");
        }
        Set<String> listed = new HashSet<>();
        answer.getJsonArray("instances").forEach(o -> {
            InstanceInfo i = InstanceInfo.fromJson((JsonObject) o);
            listed.add(i.app());
            out.printf("%-12s %-9s %-8s %-6s %-9s %-9s %-9d %-6s %-8s%n", i.app(), "#" + i.slot(),
                    i.pid() == 0 ? "-" : Long.toString(i.pid()), i.port() == 0 ? "-" : Integer.toString(i.port()),
                    i.state(), uptime(i.uptimeMs()), i.restarts(), String.format("%.0f%%", i.cpuPercent()),
                    (i.rssBytes() >> 20) + " MB");
        });
        JsonObject apps = answer.getJsonObject("apps", new JsonObject());
        for (String app : apps.fieldNames()) {
            if (!listed.contains(app)) {
                out.printf("%-12s %-9s %-8s %-6s %-9s%n", app, "-", "-", "-", "scaled to " + apps.getInteger(app));
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

    int scale(Path file, String app, int instances) {
        return send(file, new JsonObject().put("cmd", "scale").put("app", app).put("instances", instances));
    }

    int stop(Path file, String app) {
        return send(file, new JsonObject().put("cmd", "stop").put("app", app));
    }

    int down(Path file) throws InterruptedException {
        int result = send(file, new JsonObject().put("cmd", "down"));
        for (int i = 0; i < 600 && result == 0 && answers(file); i++) {
            Thread.sleep(100);
        }
        if (result == 0) {
            spec.commandLine().getOut().println("flotilla: the fleet is down");
        }
        return result;
    }

    int logs(Path file, boolean follow, int lines, String app) {
        if (!answers(file)) {
            spec.commandLine().getErr().println("flotilla: no fleet of " + file + " is running");
            return 1;
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
}
