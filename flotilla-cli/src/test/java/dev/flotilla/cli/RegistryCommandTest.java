package dev.flotilla.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code flotilla registry} as a real child process, the way a user runs it. */
class RegistryCommandTest {

    private Process process;

    private Process flotilla(String... args) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new java.util.ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
                Flotilla.class.getName()));
        command.addAll(List.of(args));
        process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        return process;
    }

    @AfterEach
    void kill() {
        if (process != null) {
            process.destroyForcibly();
        }
    }

    @Test
    void printsWhereItListensServesAndStopsCleanlyOnSigterm() throws Exception {
        Process registry = flotilla("registry", "--port", "0");
        BufferedReader out = new BufferedReader(new InputStreamReader(registry.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        assertThat(line).matches("registry listening on http://127\\.0\\.0\\.1:\\d+");
        String url = line.substring("registry listening on ".length());

        HttpResponse<String> put = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url + "/v1/instances/a-1"))
                .PUT(HttpRequest.BodyPublishers.ofString("{\"service\":\"a\",\"version\":\"1.0.0\",\"host\":\"127.0.0.1\",\"port\":1}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(put.statusCode()).isEqualTo(200);

        registry.destroy(); // SIGTERM
        assertThat(registry.waitFor(15, TimeUnit.SECONDS)).isTrue();
        assertThat(registry.exitValue()).as("a clean shutdown exits 0").isEqualTo(0);
    }

    @Test
    void refusesAnUnsafeBindWithAMessageAndExitCode() throws Exception {
        Process registry = flotilla("registry", "--host", "0.0.0.0", "--port", "0");
        assertThat(registry.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(registry.exitValue()).isEqualTo(1);
    }

    @Test
    void printsItsVersion() throws Exception {
        Process version = flotilla("--version");
        String text = new String(version.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(version.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(text).startsWith("flotilla 0.");
    }
}
