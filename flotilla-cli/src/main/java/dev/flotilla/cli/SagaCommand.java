package dev.flotilla.cli;

import dev.flotilla.messaging.Transports;
import dev.flotilla.messaging.saga.SagaState;
import dev.flotilla.messaging.saga.SagaStore;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code flotilla saga list NAME} and {@code flotilla saga show NAME ID}: sagas as their orchestrator stored them. */
@Command(name = "saga", mixinStandardHelpOptions = true,
        description = {"Sagas of one definition, read from Redis: list the most recent (one line each: id, status, "
                + "steps), or show one (its state and history, as JSON).",
            "Redis at --redis, else FLOTILLA_REDIS, else the running fleet's, else redis://127.0.0.1:6379."})
final class SagaCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "ACTION", description = "list or show")
    String action;

    @Parameters(index = "1", paramLabel = "NAME", description = "the saga definition's name (the orders example's "
            + "is 'order')")
    String name;

    @Parameters(index = "2", paramLabel = "ID", arity = "0..1", description = "the saga to show")
    String id;

    @Option(names = "--limit", description = "How many to list (default: ${DEFAULT-VALUE}).")
    int limit = 20;

    @Option(names = "--redis", paramLabel = "URL", defaultValue = "${env:FLOTILLA_REDIS}")
    String redis;

    @Override
    public Integer call() throws Exception {
        if (!List.of("list", "show").contains(action) || (action.equals("show") != (id != null))) {
            spec.commandLine().getErr().println("flotilla saga: expected 'list NAME' or 'show NAME ID'");
            return 2;
        }
        if (limit < 1 || limit > 1_000) {
            spec.commandLine().getErr().println("flotilla saga: --limit " + limit + " (expected: 1..1000)");
            return 2;
        }
        Vertx vertx = Vertx.vertx();
        SagaStore store = SagaStore.reader(vertx, FleetEnvironment.choose(redis, "FLOTILLA_REDIS",
                Transports.DEFAULT_REDIS), name);
        try {
            if (action.equals("list")) {
                for (SagaState saga : store.recent(limit).await(15, TimeUnit.SECONDS)) {
                    StringBuilder steps = new StringBuilder();
                    saga.steps().forEach(step -> steps.append(' ').append(step.name()).append('=')
                            .append(step.status()));
                    spec.commandLine().getOut().println(saga.id() + "  " + saga.status() + " "
                            + steps.toString().strip() + "  " + saga.updated());
                }
                return 0;
            }
            SagaState saga = store.get(id).await(15, TimeUnit.SECONDS);
            if (saga == null) {
                spec.commandLine().getErr().println("flotilla saga: no saga " + id + " of '" + name + "'");
                return 1;
            }
            spec.commandLine().getOut().println(new JsonObject().put("saga", saga.toJson())
                    .put("history", store.history(id).await(15, TimeUnit.SECONDS)).encodePrettily());
            return 0;
        } catch (Exception e) {
            spec.commandLine().getErr().println("flotilla saga: " + (e.getMessage() == null ? e : e.getMessage()));
            return 1;
        } finally {
            store.close().await(5, TimeUnit.SECONDS);
            vertx.close().await(10, TimeUnit.SECONDS);
        }
    }
}
