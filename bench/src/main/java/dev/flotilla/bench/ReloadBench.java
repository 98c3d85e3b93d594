package dev.flotilla.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Load through the gateway while a command runs N times ({@code ./flotilla reload users}): prints requests,
 * failures (non-2xx or errors), the longest gap without a 2xx, and the time per run of the command.
 *
 * <p>Usage: {@code ReloadBench URL CONNECTIONS RUNS COMMAND...}. Written in Java rather than with wrk because
 * the longest gap needs the time of every answer.
 */
public final class ReloadBench {

    private ReloadBench() {
    }

    public static void main(String[] args) throws Exception {
        URI uri = URI.create(args[0]);
        int connections = Integer.parseInt(args[1]);
        int runs = Integer.parseInt(args[2]);
        List<String> command = List.of(args).subList(3, args.length);
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong ok = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicLong lastOk = new AtomicLong(System.nanoTime());
        AtomicLong longestGap = new AtomicLong();
        List<String> firstFailures = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            Thread thread = new Thread(() -> {
                HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build();
                while (running.get()) {
                    String failure = null;
                    try {
                        HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
                        if (response.statusCode() / 100 != 2) {
                            failure = "HTTP " + response.statusCode();
                        }
                    } catch (Exception e) {
                        failure = e.toString();
                    }
                    long now = System.nanoTime();
                    if (failure == null) {
                        ok.incrementAndGet();
                        long previous = lastOk.getAndSet(now);
                        longestGap.accumulateAndGet(now - previous, Math::max);
                    } else {
                        failed.incrementAndGet();
                        if (firstFailures.size() < 5) {
                            firstFailures.add(failure);
                        }
                    }
                }
            });
            thread.start();
            threads.add(thread);
        }
        Thread.sleep(2_000);
        long gapBefore = longestGap.getAndSet(0);
        long started = System.nanoTime();
        for (int i = 0; i < runs; i++) {
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (process.waitFor() != 0) {
                System.out.println("run " + i + ": " + String.join(" ", command) + " exited " + process.exitValue());
            }
        }
        long perRunMs = (System.nanoTime() - started) / 1_000_000 / runs;
        Thread.sleep(1_000);
        running.set(false);
        for (Thread thread : threads) {
            thread.join();
        }
        System.out.printf("%d runs of '%s': %d ms each; %d requests, %d failed; longest gap without a 2xx "
                + "%.0f ms (before the runs: %.0f ms)%n", runs, String.join(" ", command), perRunMs,
                ok.get() + failed.get(), failed.get(), longestGap.get() / 1e6, gapBefore / 1e6);
        if (!firstFailures.isEmpty()) {
            System.out.println("first failures: " + firstFailures);
        }
    }
}
