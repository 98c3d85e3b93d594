package dev.flotilla.supervisor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line of a JVM that runs a main class on Flotilla's own class path, as the supervisor
 * starts {@code main:} apps and {@code flotilla up -d} starts its daemon.
 *
 * <p>When {@code ./flotilla} has made a class-data archive for this jar, it says where in
 * {@code FLOTILLA_CDS_ARCHIVE}, and the child uses it too: the archive holds the classes of the same
 * class path, so the child starts in about half the time.
 */
public final class JavaCommand {

    private JavaCommand() {
    }

    public static List<String> forMainClass(List<String> javaOptions, String mainClass) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(javaOptions);
        String archive = System.getenv("FLOTILLA_CDS_ARCHIVE");
        if (archive != null && Files.isRegularFile(Path.of(archive))) {
            // An archive that no longer matches the jar is ignored by the JVM; its warning is not useful.
            command.addAll(List.of("-XX:SharedArchiveFile=" + archive, "-Xlog:cds=off", "-Xlog:cds+dynamic=off"));
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
        return command;
    }
}
