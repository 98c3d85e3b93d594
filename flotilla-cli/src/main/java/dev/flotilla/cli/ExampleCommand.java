package dev.flotilla.cli;

import dev.flotilla.examples.greeter.GreeterService;
import dev.flotilla.examples.chat.ChatService;
import dev.flotilla.examples.messages.Receiver;
import dev.flotilla.examples.messages.Sender;
import dev.flotilla.examples.orders.InventoryService;
import dev.flotilla.examples.orders.NotificationService;
import dev.flotilla.examples.orders.OrdersService;
import dev.flotilla.examples.orders.PaymentService;
import dev.flotilla.examples.sessions.SessionsService;
import dev.flotilla.examples.users.UsersService;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code flotilla example NAME}: runs one of the example services with the environment of docs/architecture.md. */
@Command(name = "example", mixinStandardHelpOptions = true,
        description = {"Run an example service (users, greeter, sessions, chat, sender, receiver, orders, inventory, "
                + "payment, notification) until SIGTERM or Ctrl-C.",
            "Configured by the environment: PORT, FLOTILLA_REGISTRY, FLOTILLA_REDIS, FLOTILLA_INSTANCE, "
                    + "FLOTILLA_TOKEN, FLOTILLA_REUSE_PORT, FLOTILLA_AMQP."})
final class ExampleCommand implements Callable<Integer> {

    static final Map<String, Consumer<String[]>> EXAMPLES = Map.of(
            "users", UsersService::main,
            "greeter", GreeterService::main,
            "sessions", SessionsService::main,
            "chat", ChatService::main,
            "sender", Sender::main,
            "receiver", Receiver::main,
            "orders", OrdersService::main,
            "inventory", InventoryService::main,
            "payment", PaymentService::main,
            "notification", NotificationService::main);

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "NAME", description = "users, greeter, sessions, chat, sender, receiver, orders, "
            + "inventory, payment or notification")
    String name;

    @Override
    public Integer call() {
        Consumer<String[]> main = EXAMPLES.get(name);
        if (main == null) {
            spec.commandLine().getErr().println("flotilla example: no example '" + name
                    + "' (expected one of: " + String.join(", ", EXAMPLES.keySet().stream().sorted().toList()) + ")");
            return 2;
        }
        try {
            main.accept(new String[0]);
        } catch (IllegalStateException cannotStart) { // a port taken, Redis missing: the message says it all
            spec.commandLine().getErr().println("flotilla example: " + cannotStart.getMessage());
            return 1;
        }
        return 0;
    }
}
