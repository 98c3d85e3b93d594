package dev.flotilla.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits for a condition by polling, failing with a description when it does not come true in time. */
public final class Eventually {

    /** A condition that may throw; a throw counts as "not yet". */
    @FunctionalInterface
    public interface Check {
        boolean test() throws Exception;
    }

    private Eventually() {
    }

    public static void await(String what, Duration limit, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + limit.toMillis() + " ms waiting for: " + what);
            }
            Thread.sleep(20);
        }
    }

    /** Like {@link #await}, for a condition that may throw (a call that fails until a server is up). */
    public static void check(String what, Duration limit, Check condition) throws InterruptedException {
        Exception[] last = new Exception[1];
        try {
            await(what, limit, () -> {
                try {
                    return condition.test();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                } catch (Exception e) {
                    last[0] = e;
                    return false;
                }
            });
        } catch (AssertionError e) {
            if (last[0] != null) {
                e.addSuppressed(last[0]);
            }
            throw e;
        }
    }
}
