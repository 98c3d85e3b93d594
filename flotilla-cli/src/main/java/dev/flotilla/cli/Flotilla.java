package dev.flotilla.cli;

import dev.flotilla.supervisor.LogSearch;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Properties;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/** The {@code flotilla} command. */
@Command(name = "flotilla",
        mixinStandardHelpOptions = true,
        versionProvider = Flotilla.Version.class,
        description = "Run a web application as a fleet of small services.",
        subcommands = {UpCommand.class, RegistryCommand.class, GatewayCommand.class, ExampleCommand.class,
            DlqCommand.class, SagaCommand.class, AlertsCommand.class, WarmUpCommand.class,
            CommandLine.HelpCommand.class})
public final class Flotilla implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        if (System.getProperty("flotilla.log.format") == null) {
            // Plain lines on a terminal, JSON lines otherwise, unless FLOTILLA_LOG_FORMAT (text or json) says.
            String asked = System.getenv("FLOTILLA_LOG_FORMAT");
            System.setProperty("flotilla.log.format", "json".equals(asked) || "text".equals(asked) ? asked
                    : System.console() == null ? "json" : "text");
        }
        System.exit(commandLine().execute(args));
    }

    /** The command with every subcommand, including those that manage a running fleet. */
    static CommandLine commandLine() {
        CommandLine root = new CommandLine(new Flotilla());
        return root;
    }

    private static final String FILE_HELP = "The fleet file (default: ./flotilla.yaml, else the one fleet running "
            + "on this machine).";

    @Command(name = "ls", aliases = "list", mixinStandardHelpOptions = true,
            description = "List the fleet's processes: app, instance, pid, port, status, uptime, crashes, manual "
                    + "restarts, CPU, memory.")
    int ls(@Option(names = {"-f", "--file"}, description = FILE_HELP) Path file) {
        return new FleetCommands(spec).ls(file);
    }

    @Command(name = "describe", mixinStandardHelpOptions = true,
            description = "Show an app's spec, environment, log file, and each process with how its last run ended.")
    int describe(@Option(names = {"-f", "--file"}, description = FILE_HELP) Path file,
            @Parameters(paramLabel = "APP") String app) {
        return new FleetCommands(spec).describe(file, app);
    }

    @Command(name = "reload", mixinStandardHelpOptions = true,
            description = "Replace an app's instances one at a time, with no downtime.")
    int reload(@Option(names = {"-f", "--file"}, description = FILE_HELP) Path file,
            @Parameters(paramLabel = "APP") String app) {
        return new FleetCommands(spec).reload(file, app);
    }

    @Command(name = "restart", mixinStandardHelpOptions = true,
            description = "Stop and start an app (not rolling), with the instance count it has now.")
    int restart(@Option(names = {"-f", "--file"}, description = FILE_HELP) Path file,
            @Parameters(paramLabel = "APP") String app) {
        return new FleetCommands(spec).restart(file, app);
    }

    @Command(name = "scale", mixinStandardHelpOptions = true, description = "Run N instances of an app.")
    int scale(@Option(names = {"-f", "--file"}, description = FILE_HELP) Path file,
            @Parameters(paramLabel = "APP") String app,
            @Parameters(paramLabel = "N", description = "A number (0 keeps the app listed), or max: one per core.")
            String instances) {
        return new FleetCommands(spec).scale(file, app, instances);
    }

    @Command(name = "start", mixinStandardHelpOptions = true,
            description = "Start an app of the fleet file that is not running, or an ad-hoc one: "
                    + "flotilla start --name web -i 2 --port 4000 -- node app.js, or flotilla start app.jar")
    int start(@Option(names = {"-f", "--file"}, description = FILE_HELP) Path file,
            @Option(names = "--name", description = "The app's name (default: from the jar or the command).")
            String name,
            @Option(names = {"-i", "--instances"}, description = "How many, or max (default 1).") String instances,
            @Option(names = "--port", description = "The base port (fork) or the shared port (cluster).")
            Integer port,
            @Option(names = "--mode", description = "fork (default) or cluster.") String mode,
            @Parameters(paramLabel = "APP|JAR|COMMAND", arity = "1..*") java.util.List<String> what) {
        return new FleetCommands(spec).start(file, name, instances, port, mode, what);
    }

    @Command(name = "stop", mixinStandardHelpOptions = true,
            description = "Stop an app's instances, one instance (by its id, e.g. users-1), or every app; "
                    + "they stay listed.")
    int stop(@Option(names = {"-f", "--file"}, description = FILE_HELP) Path file,
            @Parameters(paramLabel = "APP|INSTANCE", arity = "0..1") String app) {
        return new FleetCommands(spec).stop(file, app);
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = "Stop an app and remove it from the fleet (its log file stays).")
    int delete(@Option(names = {"-f", "--file"}, description = FILE_HELP) Path file,
            @Parameters(paramLabel = "APP") String app) {
        return new FleetCommands(spec).delete(file, app);
    }

    @Command(name = "down", mixinStandardHelpOptions = true, description = "Stop the whole fleet.")
    int down(@Option(names = {"-f", "--file"}, description = FILE_HELP) Path file) throws InterruptedException {
        return new FleetCommands(spec).down(file);
    }

    @Command(name = "logs", mixinStandardHelpOptions = true,
            description = {"Show an app's log (or every app's); read from the files when no fleet is up.",
                "With --trace, --grep, --since or --level: search every app's log files (rotated ones too) and print"
                        + " the matching lines in time order."})
    int logs(@Option(names = "--file", description = FILE_HELP) Path file,
            @Option(names = {"-f", "--follow"}, description = "Keep printing new lines.") boolean follow,
            @Option(names = "-n", description = "Lines to show (default: 20; when searching, the last 1000 matches).")
            Integer lines,
            @Option(names = "--trace", paramLabel = "TRACE_ID",
                    description = "Only the lines written while handling this trace's requests, in every process.")
            String trace,
            @Option(names = "--grep", paramLabel = "REGEX", description = "Only lines matching this regular expression")
            String grep,
            @Option(names = "--since", paramLabel = "WHEN",
                    description = "Only lines since a time (2026-12-02T18:00:00Z) or a while ago (10m, 2h).")
            String since,
            @Option(names = "--level", paramLabel = "LEVEL",
                    description = "Only lines at this level or worse: TRACE, DEBUG, INFO, WARN, ERROR.") String level,
            @Parameters(paramLabel = "APP", arity = "0..1") String app) {
        FleetCommands commands = new FleetCommands(spec);
        LogSearch.Filter filter;
        try {
            filter = LogSearch.Filter.parse(trace, grep, since, level, Clock.systemUTC());
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("flotilla logs: " + e.getMessage());
            return 2;
        }
        if (filter.isEmpty()) {
            return commands.logs(file, follow, lines == null ? 20 : lines, app);
        }
        if (follow) {
            spec.commandLine().getErr().println("flotilla logs: --follow shows every new line; it does not combine"
                    + " with --trace, --grep, --since or --level");
            return 2;
        }
        return commands.searchLogs(file, filter, lines == null ? 1000 : lines, app);
    }

    @Command(name = "flush", mixinStandardHelpOptions = true, description = "Empty an app's log (or every app's).")
    int flush(@Option(names = {"-f", "--file"}, description = FILE_HELP) Path file,
            @Parameters(paramLabel = "APP", arity = "0..1") String app) {
        return new FleetCommands(spec).flush(file, app);
    }

    @Command(name = "monit", mixinStandardHelpOptions = true,
            description = "A live view of every process: CPU, memory, crashes, requests per second. Ctrl-C ends it.")
    int monit(@Option(names = {"-f", "--file"}, description = FILE_HELP) Path file,
            @Option(names = "--count", defaultValue = "0", description = "Stop after N refreshes (0: never).")
            int count) throws InterruptedException {
        return new FleetCommands(spec).monit(file, count);
    }

    @Command(name = "save", mixinStandardHelpOptions = true,
            description = "Remember the running fleets and their instance counts, for resurrect.")
    int save() {
        return new FleetCommands(spec).save();
    }

    @Command(name = "resurrect", mixinStandardHelpOptions = true,
            description = "Start the fleets that save remembered, with their instance counts.")
    int resurrect() throws Exception {
        return new FleetCommands(spec).resurrect();
    }

    @Command(name = "startup", mixinStandardHelpOptions = true,
            description = "Print a systemd unit that runs the fleet at boot (install it as the comment says).")
    int startup(@Option(names = {"-f", "--file"}, description = FILE_HELP) Path file) {
        return new FleetCommands(spec).startup(file);
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Reads the version Maven wrote into the jar. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            Properties properties = new Properties();
            try (InputStream in = Flotilla.class.getResourceAsStream("/flotilla-version.properties")) {
                if (in != null) {
                    properties.load(in);
                }
            }
            return new String[] {"flotilla " + properties.getProperty("version", "unknown"),
                    "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")"};
        }
    }
}
