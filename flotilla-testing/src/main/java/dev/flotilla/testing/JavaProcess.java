package dev.flotilla.testing;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM running a main class from this JVM's classpath, with its standard output readable line by
 * line, its standard error kept in a file, and the signals tests need: {@code kill -9}, stop and continue.
 */
public final class JavaProcess implements AutoCloseable {

    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final StringBuffer everything = new StringBuffer();
    private final Path stderr;

    private JavaProcess(Process process, Path stderr) {
        this.process = process;
        this.stderr = stderr;
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    lines.add(line);
                    everything.append(line).append('\n');
                }
            } catch (IOException ignored) {
                // the process went away; readers see no more lines
            }
        }, "stdout-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    public static JavaProcess start(Class<?> mainClass, String... args) throws IOException {
        return start(Map.of(), mainClass, args);
    }

    /** Starts {@code mainClass} with {@code env} added to this process's environment. */
    public static JavaProcess start(Map<String, String> env, Class<?> mainClass, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx128m");
        command.add("-XX:+UseSerialGC");
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass.getName());
        command.addAll(List.of(args));
        File err = File.createTempFile("flotilla-child-", ".err");
        err.deleteOnExit();
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(err);
        builder.environment().putAll(env);
        Process process = builder.start();
        return new JavaProcess(process, err.toPath());
    }

    /** The next line of standard output that starts with {@code prefix}. */
    public String awaitLine(String prefix, Duration limit) throws InterruptedException, IOException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            String line = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null) {
                throw new AssertionError("no line starting with '" + prefix + "' within " + limit.toMillis()
                        + " ms; stderr: " + Files.readString(stderr));
            }
            if (line.startsWith(prefix)) {
                return line;
            }
        }
    }

    /** Everything the process wrote to standard output so far. */
    public String stdout() {
        return everything.toString();
    }

    /** Everything the process wrote to standard error so far. */
    public String stderr() throws IOException {
        return Files.readString(stderr);
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Sends a signal by name (KILL, STOP, CONT, TERM) with {@code kill}. */
    public void signal(String name) throws IOException, InterruptedException {
        int exit = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).start().waitFor();
        if (exit != 0) {
            throw new IOException("kill -" + name + " " + process.pid() + " exited " + exit);
        }
    }

    public int waitFor(Duration limit) throws InterruptedException {
        if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("process " + process.pid() + " still running after " + limit.toMillis() + " ms");
        }
        return process.exitValue();
    }

    @Override
    public void close() throws Exception {
        if (process.isAlive()) {
            signal("CONT");
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
