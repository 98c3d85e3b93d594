package dev.flotilla.testing;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * A {@link TestBackend} in a process of its own, so that a test can {@code kill -9} or freeze it:
 * {@code BackendMain REGISTRY_URL SERVICE VERSION ID}. Prints {@code listening PORT} when registered.
 */
public final class BackendMain {

    private BackendMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            throw new IllegalArgumentException("usage: BackendMain REGISTRY_URL SERVICE VERSION ID");
        }
        TestBackend backend = TestBackend.register(args[0], args[1], args[2], args[3]);
        // The parent reads this line to know the backend is up; it is the process's only output.
        PrintStream stdout = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        stdout.println("listening " + backend.port());
        Thread.currentThread().join();
    }
}
