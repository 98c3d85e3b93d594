package dev.flotilla.supervisor;

import dev.flotilla.testing.TestBackend;

/** A child that registers as service {@code renamed}, whatever its app is called, under FLOTILLA_INSTANCE. */
public final class RenamedServiceMain {

    private RenamedServiceMain() {
    }

    public static void main(String[] args) throws Exception {
        TestBackend.register(System.getenv("FLOTILLA_REGISTRY"), "renamed", "1.0.0", System.getenv("FLOTILLA_INSTANCE"));
        Thread.currentThread().join();
    }
}
