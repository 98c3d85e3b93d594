package dev.flotilla.supervisor;

import dev.flotilla.core.config.ByteSize;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One app of a fleet, as written in {@code flotilla.yaml}. Exactly one of {@code main}, {@code jar},
 * {@code command} and {@code serve} says what to run.
 *
 * @param name         the app's name (also its service name for instances the supervisor registers)
 * @param main         a Java main class on Flotilla's own classpath
 * @param jar          a jar to run with {@code java -jar}
 * @param command      any executable and its arguments
 * @param args         arguments added after main or jar
 * @param javaOptions  JVM options for main and jar (default: a small serial-GC heap)
 * @param instances    how many: a number, or {@code max} for one per core (default 1)
 * @param mode         {@code fork} (each instance its own PORT from {@code port} up) or {@code cluster}
 *                     (every instance on {@code port}, shared through SO_REUSEPORT); default fork
 * @param port         the base port; absent means no PORT is given
 * @param env          environment for every instance
 * @param instanceEnv  environment for one instance, by its index ("0", "1", ...)
 * @param cwd          the working directory (default: the fleet file's directory)
 * @param ready        {@code registered} (UP in the registry, for SDK services) or an HTTP path such as
 *                     {@code /health}; default: running (as PM2 counts "online")
 * @param register     register each instance in the registry on its behalf (for processes without the
 *                     SDK), with {@code ready} as its health check
 * @param version      the version to register with (default 1.0.0)
 * @param restart      the restart policy
 * @param killTimeout  how long SIGTERM may take before SIGKILL (default 5s)
 * @param maxMemory    restart an instance whose resident size passes this
 * @param serve        a folder to serve over HTTP with no code, as {@code pm2 serve} does: each instance is
 *                     Flotilla's static site service (ETag, ranges, compression), registered under the
 *                     app's name; {@code ready} defaults to {@code registered}
 * @param spa          with {@code serve}: answer index.html for pages that are not files
 */
public record AppSpec(
        String name,
        String main,
        String jar,
        List<String> command,
        List<String> args,
        List<String> javaOptions,
        String instances,
        String mode,
        Integer port,
        Map<String, String> env,
        Map<String, Map<String, String>> instanceEnv,
        String cwd,
        String ready,
        boolean register,
        String version,
        RestartPolicy restart,
        Duration killTimeout,
        ByteSize maxMemory,
        String serve,
        boolean spa) {

    /** The SDK's static site service, which {@code serve} apps run. */
    public static final String STATIC_SITE_MAIN = "dev.flotilla.service.web.StaticSite";

    /**
     * Small-footprint defaults for services, which mostly wait on sockets: the serial collector, a capped heap,
     * C1 only, and the C heap trimmed every second (the JIT's and Netty's freed native memory would otherwise
     * stay resident: about 20 MB less per process; a JDK without the flag ignores it).
     */
    public static final List<String> DEFAULT_JAVA_OPTIONS =
            List.of("-XX:+UseSerialGC", "-Xms16m", "-Xmx128m", "-Xss512k", "-XX:TieredStopAtLevel=1",
                    "-XX:+IgnoreUnrecognizedVMOptions", "-XX:+UnlockExperimentalVMOptions",
                    "-XX:TrimNativeHeapInterval=1000");

    public AppSpec {
        if (name == null || !name.matches("[a-z0-9][a-z0-9-]{0,62}")) {
            throw new IllegalArgumentException("name: " + (name == null ? "missing" : "'" + name + "'")
                    + " (expected lower-case letters, digits and dashes)");
        }
        int what = (main != null ? 1 : 0) + (jar != null ? 1 : 0) + (command != null ? 1 : 0)
                + (serve != null ? 1 : 0);
        if (what != 1) {
            throw new IllegalArgumentException("app '" + name + "': give exactly one of main, jar, command or serve");
        }
        if (spa && serve == null) {
            throw new IllegalArgumentException("app '" + name + "': spa needs serve (a folder)");
        }
        if (serve != null) {
            if (serve.isBlank()) {
                throw new IllegalArgumentException("app '" + name + "': serve is empty (expected a folder)");
            }
            main = STATIC_SITE_MAIN;
            Map<String, String> withSite = new HashMap<>(env == null ? Map.of() : env);
            withSite.put("FLOTILLA_SERVE", serve);
            withSite.put("FLOTILLA_SPA", Boolean.toString(spa));
            withSite.put("FLOTILLA_SERVICE", name);
            env = withSite;
            ready = ready == null ? "registered" : ready;
        }
        if (command != null && command.isEmpty()) {
            throw new IllegalArgumentException("command: empty (expected the executable and its arguments)");
        }
        args = args == null ? List.of() : List.copyOf(args);
        javaOptions = javaOptions == null ? DEFAULT_JAVA_OPTIONS : List.copyOf(javaOptions);
        instances = instances == null ? "1" : instances;
        instanceCount(instances);
        mode = mode == null ? "fork" : mode;
        if (!mode.equals("fork") && !mode.equals("cluster")) {
            throw new IllegalArgumentException("mode: '" + mode + "' (expected fork or cluster)");
        }
        if (mode.equals("cluster") && port == null) {
            throw new IllegalArgumentException("app '" + name + "': cluster mode needs a port to share");
        }
        if (port != null && (port < 1 || port > 65535)) {
            throw new IllegalArgumentException("port: " + port + " (expected: 1..65535)");
        }
        env = env == null ? Map.of() : Map.copyOf(env);
        instanceEnv = instanceEnv == null ? Map.of() : Map.copyOf(instanceEnv);
        if (ready != null && !ready.equals("registered") && !ready.startsWith("/")) {
            throw new IllegalArgumentException("ready: '" + ready
                    + "' (expected registered or an HTTP path like /health)");
        }
        if (register && (port == null || ready == null || !ready.startsWith("/"))) {
            throw new IllegalArgumentException("app '" + name + "': register needs a port and an HTTP ready path");
        }
        version = version == null ? "1.0.0" : version;
        restart = restart == null ? RestartPolicy.DEFAULT : restart;
        killTimeout = killTimeout == null ? Duration.ofSeconds(5) : killTimeout;
    }

    /** The number of instances {@code instances} stands for on this machine. */
    public static int instanceCount(String instances) {
        if (instances.equals("max")) {
            return Runtime.getRuntime().availableProcessors();
        }
        try {
            int n = Integer.parseInt(instances.trim());
            if (n >= 0 && n <= 256) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("instances: '" + instances + "' (expected 0..256 or max)");
    }

    public int instanceCount() {
        return instanceCount(instances);
    }

    public boolean cluster() {
        return mode.equals("cluster");
    }
}
