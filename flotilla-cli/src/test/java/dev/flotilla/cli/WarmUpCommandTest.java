package dev.flotilla.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code flotilla warm-up}, which {@code ./flotilla} runs once per build to record its class-data archive:
 * it must get a 200 from a service through a gateway fed by a registry, all in one process, and exit 0.
 */
class WarmUpCommandTest {

    @Test
    void aRequestGoesThroughRegistryGatewayAndServiceThenItExitsZero() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                Flotilla.class.getName(), "warm-up")).redirectErrorStream(true).start();
        try {
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("finished within 60 s").isTrue();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.exitValue()).as("exit code; output:\n%s", output).isEqualTo(0);
            assertThat(output).doesNotContain("no 200 through the gateway");
        } finally {
            process.destroyForcibly();
        }
    }
}
