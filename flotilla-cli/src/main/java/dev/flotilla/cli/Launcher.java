package dev.flotilla.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/** How to run this same flotilla from a systemd unit or a script: the repository's launcher, or the jar. */
final class Launcher {

    private Launcher() {
    }

    static String path() {
        try {
            Path jar = Path.of(Flotilla.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            // flotilla-cli/target/flotilla.jar, with the ./flotilla script three levels up
            Path script = jar.getParent() == null || jar.getParent().getParent() == null ? null
                    : jar.getParent().getParent().getParent().resolve("flotilla");
            if (script != null && Files.isExecutable(script)) {
                return script.toString();
            }
            if (jar.toString().endsWith(".jar")) {
                return Path.of(System.getProperty("java.home"), "bin", "java") + " -jar " + jar;
            }
        } catch (Exception ignored) {
            // fall through
        }
        return "flotilla";
    }
}
