package dev.flotilla.service;

/**
 * A small service in its own process, run the way authors run theirs ({@link FlotillaService#run}):
 * {@code /slow} answers after 1 s, {@code /whoami} names the instance. Configured by the environment.
 */
public final class TestServiceMain {

    private TestServiceMain() {
    }

    public static void main(String[] args) {
        FlotillaService.named("probe", "1.0.0").eventLoops(1).routes((router, ctx) -> {
            router.get("/slow").handler(rc -> ctx.vertx().setTimer(1_000, t -> rc.end("slow done")));
            router.get("/whoami").handler(rc -> rc.end(ctx.instanceId()));
        }).run();
    }
}
