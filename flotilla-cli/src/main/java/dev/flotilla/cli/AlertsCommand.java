package dev.flotilla.cli;

import dev.flotilla.cli.fleet.FleetFile;
import dev.flotilla.core.config.ConfigException;
import dev.flotilla.dashboard.alerts.PrometheusRules;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code flotilla alerts export}: the fleet file's alert rules as a Prometheus rule file. */
@Command(name = "alerts", mixinStandardHelpOptions = true,
        description = {"export: write the alert rules of flotilla.yaml (alerts:) as a Prometheus rule file, over the "
                + "metrics the fleet serves, for a Prometheus that scrapes the fleet through the registry "
                + "(promtool check rules accepts it)."})
final class AlertsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "ACTION", description = "export")
    String action;

    @Option(names = {"-f", "--file"}, description = "The fleet file (default: ./flotilla.yaml).")
    Path file;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write here instead of to stdout.")
    Path output;

    @Override
    public Integer call() {
        if (!"export".equals(action)) {
            spec.commandLine().getErr().println("flotilla alerts: '" + action + "' (expected export)");
            return 2;
        }
        Path fleetFile = FleetCommands.resolve(file);
        FleetFile fleet;
        try {
            fleet = FleetFile.read(fleetFile);
        } catch (ConfigException e) {
            spec.commandLine().getErr().println("flotilla alerts: " + e.getMessage());
            return 1;
        }
        String rules = PrometheusRules.export(fleet.alerts());
        if (output == null) {
            spec.commandLine().getOut().print(rules);
            spec.commandLine().getOut().flush();
            return 0;
        }
        try {
            Files.writeString(output, rules);
        } catch (IOException e) {
            spec.commandLine().getErr().println("flotilla alerts: cannot write " + output + ": " + e.getMessage());
            return 1;
        }
        spec.commandLine().getOut().println("flotilla: wrote " + fleet.alerts().size() + " rules to " + output);
        return 0;
    }
}
