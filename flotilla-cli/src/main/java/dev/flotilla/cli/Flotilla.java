package dev.flotilla.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code flotilla} command. */
@Command(name = "flotilla",
        mixinStandardHelpOptions = true,
        versionProvider = Flotilla.Version.class,
        description = "Run a web application as a fleet of small services.",
        subcommands = {RegistryCommand.class, CommandLine.HelpCommand.class})
public final class Flotilla implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        if (System.getProperty("flotilla.log.format") == null) {
            System.setProperty("flotilla.log.format", System.console() == null ? "json" : "text");
        }
        System.exit(new CommandLine(new Flotilla()).execute(args));
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
