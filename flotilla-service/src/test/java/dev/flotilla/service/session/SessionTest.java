package dev.flotilla.service.session;

import static org.assertj.core.api.Assertions.assertThat;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import dev.flotilla.service.RunningService;
import dev.flotilla.testing.Eventually;
import io.vertx.core.json.JsonObject;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Sessions as a user of express-session or Spring Session relies on them, on two instances of one service
 * sharing a store, for both stores: the real Redis on localhost:6379, and for MongoDB an in-process
 * MongoDB wire-protocol server ({@code mongo-java-server}), since Debian 12 ships no {@code mongod}.
 */
class SessionTest {

    private static final String REDIS = "redis://127.0.0.1:6379";
    private static MongoServer mongo;
    private static String mongoUrl;
    private final List<RunningService> running = new ArrayList<>();

    @BeforeAll
    static void startMongo() {
        mongo = new MongoServer(new MemoryBackend());
        mongo.bind("127.0.0.1", 0);
        InetSocketAddress address = mongo.getLocalAddress();
        mongoUrl = "mongodb://127.0.0.1:" + address.getPort() + "/flotilla";
    }

    @AfterAll
    static void stopMongo() {
        mongo.shutdownNow();
    }

    @AfterEach
    void stop() throws Exception {
        for (RunningService service : running) {
            service.close().await(10, TimeUnit.SECONDS);
        }
    }

    private SessionOptions options(String store) {
        return SessionOptions.defaults().withStore(store.equals("redis") ? "redis" : mongoUrl);
    }

    /** Two instances of one service on one store; returns their base URLs. */
    private List<String> twoInstances(SessionOptions options) throws Exception {
        List<String> urls = new ArrayList<>();
        for (String id : List.of("a", "b")) {
            RunningService service = SessionRoutes.start(id, options, REDIS);
            running.add(service);
            urls.add(service.url());
        }
        return urls;
    }

    /** The attributes a browser replaying session id {@code sid} finds. */
    private static JsonObject attributesSeenWith(String sid, String peekUrl) throws Exception {
        Browser replay = new Browser();
        replay.cookies.put("flotilla.sid", sid);
        return replay.json(replay.get(peekUrl));
    }

    /** Sends all requests at once, each on a thread of its own, and expects 200 from every one. */
    private static void allAnswer200(List<Callable<HttpResponse<String>>> requests) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(requests.size());
        try {
            for (Future<HttpResponse<String>> answer : pool.invokeAll(requests)) {
                assertThat(answer.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"redis", "mongodb"})
    void oneSessionOnEveryInstanceWithASafeCookie(String store) throws Exception {
        List<String> urls = twoInstances(options(store));
        Browser browser = new Browser();
        HttpResponse<String> anonymous = browser.get(urls.get(0) + "/peek");
        assertThat(anonymous.headers().allValues("Set-Cookie")).as("no cookie before the first write").isEmpty();

        HttpResponse<String> login = browser.post(urls.get(0) + "/login", new JsonObject().put("user", "ada"));
        assertThat(login.statusCode()).isEqualTo(200);
        String setCookie = login.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(setCookie).containsIgnoringCase("HttpOnly").containsIgnoringCase("SameSite=Lax").contains("Path=/")
                .doesNotContain("Secure");
        assertThat(browser.sid()).as("256 random bits, base64url").hasSize(43).matches("[A-Za-z0-9_-]+");

        for (int i = 1; i <= 6; i++) {
            JsonObject me = browser.json(browser.get(urls.get(i % 2) + "/me"));
            assertThat(me.getString("user")).isEqualTo("ada");
            assertThat(me.getLong("views")).isEqualTo(i);
            assertThat(me.getString("instance")).isEqualTo(i % 2 == 0 ? "a" : "b");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"redis", "mongodb"})
    void theCookieIsSecureWhenTheClientCameOverTls(String store) throws Exception {
        List<String> urls = twoInstances(options(store));
        Browser browser = new Browser().header("X-Forwarded-Proto", "https");
        HttpResponse<String> login = browser.post(urls.get(0) + "/login", new JsonObject().put("user", "ada"));
        assertThat(login.headers().firstValue("Set-Cookie").orElseThrow()).containsIgnoringCase("; Secure");
    }

    @ParameterizedTest
    @ValueSource(strings = {"redis", "mongodb"})
    void anUnknownIdIsNeverAdoptedAndLoginRegeneratesTheId(String store) throws Exception {
        List<String> urls = twoInstances(options(store));
        Browser attacker = new Browser();
        String planted = Session.newId();
        attacker.cookies.put("flotilla.sid", planted);
        attacker.post(urls.get(0) + "/login", new JsonObject().put("user", "mallory"));
        assertThat(attacker.sid()).as("a fresh id, never the offered one").isNotEqualTo(planted);

        String beforeLogin = attacker.sid();
        attacker.post(urls.get(1) + "/login", new JsonObject().put("user", "mallory2"));
        String afterLogin = attacker.sid();
        assertThat(afterLogin).isNotEqualTo(beforeLogin);
        assertThat(attacker.json(attacker.get(urls.get(0) + "/me")).getString("user")).isEqualTo("mallory2");

        assertThat(attributesSeenWith(beforeLogin, urls.get(0) + "/peek")).as("the pre-login id is dead").isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"redis", "mongodb"})
    void logoutDestroysTheSessionOnTheServer(String store) throws Exception {
        List<String> urls = twoInstances(options(store));
        Browser browser = new Browser();
        browser.post(urls.get(0) + "/login", new JsonObject().put("user", "ada"));
        String old = browser.sid();
        HttpResponse<String> logout = browser.post(urls.get(1) + "/logout", new JsonObject());
        assertThat(logout.statusCode()).isEqualTo(204);
        assertThat(logout.headers().firstValue("Set-Cookie").orElseThrow()).contains("Max-Age=0");
        assertThat(browser.sid()).isNull();

        Browser replay = new Browser();
        replay.cookies.put("flotilla.sid", old);
        JsonObject me = replay.json(replay.get(urls.get(0) + "/me"));
        assertThat(me.getString("user")).as("replaying the old cookie finds nothing").isNull();
        assertThat(me.getLong("views")).isEqualTo(1);
        assertThat(replay.sid()).isNotEqualTo(old);
    }

    @ParameterizedTest
    @ValueSource(strings = {"redis", "mongodb"})
    void concurrentRequestsChangingDifferentAttributesAllKeepTheirChange(String store) throws Exception {
        List<String> urls = twoInstances(options(store));
        Browser browser = new Browser();
        browser.post(urls.get(0) + "/login", new JsonObject().put("user", "ada"));
        List<Callable<HttpResponse<String>>> puts = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            String url = urls.get(i % 2) + "/attr/item" + i;
            int value = i;
            puts.add(() -> browser.put(url, new JsonObject().put("value", value)));
        }
        allAnswer200(puts);
        JsonObject all = browser.json(browser.get(urls.get(1) + "/peek"));
        for (int i = 0; i < 50; i++) {
            assertThat(all.getInteger("item" + i)).as("item" + i + " in " + all).isEqualTo(i);
        }
        assertThat(all.getString("user")).isEqualTo("ada");
    }

    @ParameterizedTest
    @ValueSource(strings = {"redis", "mongodb"})
    void concurrentIncrementsOfOneAttributeAllCount(String store) throws Exception {
        List<String> urls = twoInstances(options(store));
        Browser browser = new Browser();
        browser.post(urls.get(0) + "/login", new JsonObject().put("user", "ada"));
        List<Callable<HttpResponse<String>>> views = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            String url = urls.get(i % 2) + "/me";
            views.add(() -> browser.get(url));
        }
        allAnswer200(views);
        assertThat(browser.json(browser.get(urls.get(1) + "/me")).getLong("views")).isEqualTo(51);
    }

    @ParameterizedTest
    @ValueSource(strings = {"redis", "mongodb"})
    void aRequestInFlightDuringLogoutDoesNotBringTheSessionBack(String store) throws Exception {
        List<String> urls = twoInstances(options(store));
        Browser browser = new Browser();
        browser.post(urls.get(0) + "/login", new JsonObject().put("user", "ada"));
        String sid = browser.sid();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            int heldBefore = SessionRoutes.SLOW_REQUESTS_HOLDING.get();
            Future<HttpResponse<String>> slow = pool.submit(() -> browser.put(urls.get(0) + "/slow/late?wait=800",
                    new JsonObject().put("value", "written after the logout")));
            Eventually.await("the slow request holds its session", Duration.ofSeconds(10),
                    () -> SessionRoutes.SLOW_REQUESTS_HOLDING.get() > heldBefore);
            assertThat(browser.post(urls.get(1) + "/logout", new JsonObject()).statusCode()).isEqualTo(204);
            HttpResponse<String> late = slow.get(20, TimeUnit.SECONDS);
            assertThat(late.statusCode()).isEqualTo(409);
            assertThat(new JsonObject(late.body()).getString("error")).isEqualTo("session_ended");
        } finally {
            pool.shutdownNow();
        }
        assertThat(attributesSeenWith(sid, urls.get(1) + "/peek")).as("still logged out").isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"redis", "mongodb"})
    void limitsAreRefusedWhereTheyAreSetAndNothingStoredChanges(String store) throws Exception {
        List<String> urls = twoInstances(options(store).withLimits(3, 200));
        Browser browser = new Browser();
        browser.post(urls.get(0) + "/login", new JsonObject().put("user", "ada"));
        assertThat(browser.put(urls.get(0) + "/attr/a", new JsonObject().put("value", 1)).statusCode()).isEqualTo(200);
        assertThat(browser.put(urls.get(1) + "/attr/b", new JsonObject().put("value", 2)).statusCode()).isEqualTo(200);

        HttpResponse<String> fourth = browser.put(urls.get(0) + "/attr/c", new JsonObject().put("value", 3));
        assertThat(fourth.statusCode()).isEqualTo(413);
        assertThat(new JsonObject(fourth.body()).getString("error")).isEqualTo("session_full");
        assertThat(new JsonObject(fourth.body()).getString("message")).contains("4 attributes").contains("3");

        HttpResponse<String> big = browser.put(urls.get(1) + "/attr/b", new JsonObject().put("value", "x".repeat(195)));
        assertThat(big.statusCode()).isEqualTo(413);
        assertThat(new JsonObject(big.body()).getString("message")).contains("bytes");

        HttpResponse<String> object = browser.put(urls.get(0) + "/object/thing", new JsonObject());
        assertThat(object.statusCode()).isEqualTo(400);
        assertThat(new JsonObject(object.body()).getString("message")).contains("'thing'")
                .contains("java.lang.Object").contains("not a JSON value");

        HttpResponse<String> badName = browser.put(urls.get(0) + "/attr/@created", new JsonObject().put("value", 1));
        assertThat(badName.statusCode()).isEqualTo(400);

        assertThat(browser.json(browser.get(urls.get(1) + "/peek")))
                .isEqualTo(new JsonObject().put("user", "ada").put("a", 1).put("b", 2));
    }

    @ParameterizedTest
    @ValueSource(strings = {"redis", "mongodb"})
    void idleAndAbsoluteTimeoutsEndSessions(String store) throws Exception {
        List<String> urls = twoInstances(options(store).withTimeouts(Duration.ofSeconds(1), Duration.ofMillis(2_500)));
        Browser idle = new Browser();
        idle.post(urls.get(0) + "/login", new JsonObject().put("user", "idle"));
        Thread.sleep(1_500);
        assertThat(idle.json(idle.get(urls.get(1) + "/peek"))).as("idle past 1 s").isEmpty();

        Browser busy = new Browser();
        busy.post(urls.get(0) + "/login", new JsonObject().put("user", "busy"));
        long loggedIn = System.nanoTime();
        int seenAlive = 0;
        for (int i = 0; i < 8; i++) { // used every 200 ms for 1.6 s: longer than the idle limit
            Thread.sleep(200);
            seenAlive += "busy".equals(busy.json(busy.get(urls.get(i % 2) + "/peek")).getString("user")) ? 1 : 0;
        }
        assertThat(seenAlive).as("a session in use outlives the idle limit").isEqualTo(8);
        long left = 2_800 - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - loggedIn);
        Thread.sleep(Math.max(0, left));
        assertThat(busy.json(busy.get(urls.get(0) + "/peek"))).as("past the 2.5 s absolute limit").isEmpty();
    }
}
