package dev.flotilla.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The {@code flotilla} command. */
@Command(name = "flotilla",
        mixinStandardHelpOptions = true,
        versionProvider = Flotilla.Version.class,
        description = "Run a web application as a fleet of small services.",
        subcommands = {UpCommand.class, RegistryCommand.class, GatewayCommand.class, ExampleCommand.class,
            WarmUpCommand.class, CommandLine.HelpCommand.class})
public final class Flotilla implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        if (System.getProperty("flotilla.log.format") == null) {
            System.setProperty("flotilla.log.format", System.console() == null ? "json" : "text");
        }
        System.exit(commandLine().execute(args));
    }

    /** The command with every subcommand, including those that manage a running fleet. */
    static CommandLine commandLine() {
        CommandLine root = new CommandLine(new Flotilla());
        return root;
    }

    @Command(name = "ls", mixinStandardHelpOptions = true, description = "List the fleet's instances.")
    int ls(@Option(names = {"-f", "--file"}, defaultValue = "flotilla.yaml") Path file) {
        return new FleetCommands(spec).ls(file);
    }

    @Command(name = "reload", mixinStandardHelpOptions = true,
            description = "Replace an app's instances one at a time, with no downtime.")
    int reload(@Option(names = {"-f", "--file"}, defaultValue = "flotilla.yaml") Path file,
            @Parameters(paramLabel = "APP") String app) {
        return new FleetCommands(spec).reload(file, app);
    }

    @Command(name = "restart", mixinStandardHelpOptions = true, description = "Stop and start an app (not rolling).")
    int restart(@Option(names = {"-f", "--file"}, defaultValue = "flotilla.yaml") Path file,
            @Parameters(paramLabel = "APP") String app) {
        return new FleetCommands(spec).restart(file, app);
    }

    @Command(name = "scale", mixinStandardHelpOptions = true, description = "Run N instances of an app.")
    int scale(@Option(names = {"-f", "--file"}, defaultValue = "flotilla.yaml") Path file,
            @Parameters(paramLabel = "APP") String app, @Parameters(paramLabel = "N") int instances) {
        return new FleetCommands(spec).scale(file, app, instances);
    }

    @Command(name = "stop", mixinStandardHelpOptions = true,
            description = "Stop an app's instances, one instance (by its id, e.g. users-1), or every app.")
    int stop(@Option(names = {"-f", "--file"}, defaultValue = "flotilla.yaml") Path file,
            @Parameters(paramLabel = "APP|INSTANCE", arity = "0..1") String app) {
        return new FleetCommands(spec).stop(file, app);
    }

    @Command(name = "down", mixinStandardHelpOptions = true, description = "Stop the whole fleet.")
    int down(@Option(names = {"-f", "--file"}, defaultValue = "flotilla.yaml") Path file) throws InterruptedException {
        return new FleetCommands(spec).down(file);
    }

    @Command(name = "logs", mixinStandardHelpOptions = true, description = "Show an app's log (or every app's).")
    int logs(@Option(names = "--file", defaultValue = "flotilla.yaml") Path file,
            @Option(names = {"-f", "--follow"}, description = "Keep printing new lines.") boolean follow,
            @Option(names = "-n", defaultValue = "20", description = "Lines to show (default: ${DEFAULT-VALUE}).")
            int lines,
            @Parameters(paramLabel = "APP", arity = "0..1") String app) {
        return new FleetCommands(spec).logs(file, follow, lines, app);
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
