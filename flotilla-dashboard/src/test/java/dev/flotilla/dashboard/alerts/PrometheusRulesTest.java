package dev.flotilla.dashboard.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.core.config.YamlConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The exported rule file is what Prometheus takes: Debian's {@code promtool check rules} accepts it. */
class PrometheusRulesTest {

    record Rules(List<AlertRule> alerts) {
    }

    @TempDir
    Path dir;

    @Test
    void promtoolAcceptsTheExportedRulesOfEveryKind() throws Exception {
        List<AlertRule> rules = YamlConfig.read("test.yaml", """
                alerts:
                  - {name: users-down, instances-up: {service: users, below: 2}, for: 5s, severity: critical}
                  - {name: users-errors, error-rate: {route: users, above: 0.05, window: 1m}, for: 30s}
                  - {name: greet-slow, p99: {route: greet, above: 250ms, window: 90s}, for: 1m}
                  - {name: crash-loop, restarts: {app: users, above: 3, window: 10m}}
                  - {name: users-breaker, breaker-open: {route: "we\\"ird"}, summary: the breaker is open}
                """, Rules.class).alerts();
        String exported = PrometheusRules.export(rules);
        Path file = Files.writeString(dir.resolve("rules.yml"), exported);
        Process promtool = new ProcessBuilder("promtool", "check", "rules", file.toString())
                .redirectErrorStream(true).start();
        String output = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(promtool.waitFor()).as(output + "\n" + exported).isZero();
        assertThat(output).contains("SUCCESS: 5 rules found");
        assertThat(exported).contains("for: 5s", "severity: critical", "summary: the breaker is open",
                "histogram_quantile(0.99, sum by (le) (rate(flotilla_gateway_requests_seconds_bucket"
                        + "{route=\\\"greet\\\"}[90s]))) > 0.25");
    }
}
