package dev.flotilla.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Fleet files for tests: each in a fresh temporary directory, since the fleet's state goes beside it. */
final class FleetFiles {

    private FleetFiles() {
    }

    /** Writes {@code yaml} as {@code flotilla.yaml} in a new temporary directory and returns its path. */
    static Path write(String yaml) throws IOException {
        return Files.writeString(Files.createTempDirectory("fleet-").resolve("flotilla.yaml"), yaml);
    }
}
