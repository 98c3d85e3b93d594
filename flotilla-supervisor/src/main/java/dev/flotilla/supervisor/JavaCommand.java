package dev.flotilla.supervisor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line of a JVM the supervisor starts: a main class on Flotilla's own class path (a
 * {@code main:} app, or the daemon of {@code flotilla up -d}) or a user's jar.
 *
 * <p>When {@code ./flotilla} has made a class-data archive for this jar, it says where in
 * {@code FLOTILLA_CDS_ARCHIVE}, and the child uses it too: the archive holds the classes of the same
 * class path, so the child starts in about half the time.
 */
public final class JavaCommand {

    private JavaCommand() {
    }

    public static List<String> forMainClass(List<String> javaOptions, String mainClass) {
        List<String> command = java(javaOptions);
        String archive = System.getenv("FLOTILLA_CDS_ARCHIVE");
        if (archive != null && Files.isRegularFile(Path.of(archive))) {
            // An archive that no longer matches the jar is ignored by the JVM; its warning is not useful.
            command.addAll(List.of("-XX:SharedArchiveFile=" + archive, "-Xlog:cds=off", "-Xlog:cds+dynamic=off"));
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
        return command;
    }

    /** A jar of the user's own: its classes are not in Flotilla's archive, so none is passed. */
    public static List<String> forJar(List<String> javaOptions, String jar) {
        List<String> command = java(javaOptions);
        command.addAll(List.of("-jar", jar));
        return command;
    }

    private static List<String> java(List<String> javaOptions) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(javaOptions);
        return command;
    }
}
