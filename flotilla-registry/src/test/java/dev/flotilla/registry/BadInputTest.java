package dev.flotilla.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every kind of bad input gets a 400 (or 413) whose message names the field, and leaves what is stored
 * exactly as it was.
 */
class BadInputTest {

    private static Vertx vertx;
    private static String url;
    private static String original;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        RegistryServer registry = RegistryServer.start(vertx, new RegistryOptions().setPort(0).setMaxBodyBytes(4096))
                .await(10, TimeUnit.SECONDS);
        url = registry.url();
        assertThat(Http.put(url + "/v1/instances/good", RegistryApiTest.body("svc", "1.0.0", 5000)).status())
                .isEqualTo(200);
        original = Http.get(url + "/v1/instances/good").json().getJsonObject("instance").encode();
    }

    @AfterAll
    static void stop() throws Exception {
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', quoteCharacter = '`', value = {
            "malformed JSON; {\"service\":; the body is not valid JSON",
            "not an object; [1,2]; not a JSON object",
            "empty body; ; no body",
            "missing service; {\"version\":\"1.0.0\",\"host\":\"h\",\"port\":1}; service: missing",
            "missing version; {\"service\":\"svc\",\"host\":\"h\",\"port\":1}; version: missing",
            "missing host; {\"service\":\"svc\",\"version\":\"1.0.0\",\"port\":1}; host: missing",
            "missing port; {\"service\":\"svc\",\"version\":\"1.0.0\",\"host\":\"h\"}; port: missing",
            "bad semver; {\"service\":\"svc\",\"version\":\"1.0\",\"host\":\"h\",\"port\":1}; version: '1.0'",
            "port too high; {\"service\":\"svc\",\"version\":\"1.0.0\",\"host\":\"h\",\"port\":65536}; port: 65536",
            "port zero; {\"service\":\"svc\",\"version\":\"1.0.0\",\"host\":\"h\",\"port\":0}; port: 0",
            "port as text; {\"service\":\"svc\",\"version\":\"1.0.0\",\"host\":\"h\",\"port\":\"80\"}; port: 80",
            "unknown status; {\"service\":\"svc\",\"version\":\"1.0.0\",\"host\":\"h\",\"port\":1,\"status\":\"SLEEPY\"}; status 'SLEEPY' is unknown",
            "unknown field; {\"service\":\"svc\",\"version\":\"1.0.0\",\"host\":\"h\",\"port\":1,\"heathPath\":\"/h\"}; unknown field 'heathPath'",
            "bad service name; {\"service\":\"no spaces\",\"version\":\"1.0.0\",\"host\":\"h\",\"port\":1}; service: 'no spaces'",
            "bad scheme; {\"service\":\"svc\",\"version\":\"1.0.0\",\"host\":\"h\",\"port\":1,\"scheme\":\"ftp\"}; scheme: 'ftp'",
            "health path elsewhere; {\"service\":\"svc\",\"version\":\"1.0.0\",\"host\":\"h\",\"port\":1,\"healthPath\":\"//evil.example/x\"}; healthPath",
            "health path absolute URL; {\"service\":\"svc\",\"version\":\"1.0.0\",\"host\":\"h\",\"port\":1,\"healthPath\":\"http://evil/\"}; healthPath",
            "bad host; {\"service\":\"svc\",\"version\":\"1.0.0\",\"host\":\"a b\",\"port\":1}; host: 'a b'",
            "host with a port; {\"service\":\"svc\",\"version\":\"1.0.0\",\"host\":\"127.0.0.1:46729\",\"port\":1}; host: '127.0.0.1:46729' (expected: a host name or IP address, without a port",
            "name with a port; {\"service\":\"svc\",\"version\":\"1.0.0\",\"host\":\"db.local:5432\",\"port\":1}; host: 'db.local:5432'",
            "not an address; {\"service\":\"svc\",\"version\":\"1.0.0\",\"host\":\"999.1.1.1\",\"port\":1}; host: '999.1.1.1'",
            "duplicate key; {\"service\":\"svc\",\"service\":\"other\",\"version\":\"1.0.0\",\"host\":\"h\",\"port\":1}; the body has a duplicate key 'service' at line 1",
            "comment; {\"service\":\"svc\" /* x */,\"version\":\"1.0.0\",\"host\":\"h\",\"port\":1}; the body is not valid JSON at line 1, column 18",
            "trailing content; {\"service\":\"svc\",\"version\":\"1.0.0\",\"host\":\"h\",\"port\":1} {}; the body is not valid JSON at line 1",
            "lone surrogate; {\"service\":\"svc\",\"version\":\"1.0.0\",\"host\":\"h\",\"port\":1,\"zone\":\"a\\ud800\"}; lone surrogate escape (\\ud800)",
            "ttl too long; {\"service\":\"svc\",\"version\":\"1.0.0\",\"host\":\"h\",\"port\":1,\"ttlSeconds\":99999}; ttlSeconds: 99999",
            "weight zero; {\"service\":\"svc\",\"version\":\"1.0.0\",\"host\":\"h\",\"port\":1,\"weight\":0}; weight: 0",
            "metadata not strings; {\"service\":\"svc\",\"version\":\"1.0.0\",\"host\":\"h\",\"port\":1,\"metadata\":{\"n\":1}}; metadata.n: 1",
    })
    void registrationIsRefusedNamingTheField(String name, String body, String message) {
        assertRefused(Http.put(url + "/v1/instances/good", body), 400, message);
        assertRefused(Http.put(url + "/v1/instances/new-one", body), 400, message);
    }

    @Test
    void bytesThatAreNotPlainUtf8JsonAreRefused() {
        byte[] json = RegistryApiTest.body("svc", "1.0.0", 1).getBytes(StandardCharsets.UTF_8);
        byte[] bom = new byte[json.length + 3];
        bom[0] = (byte) 0xEF;
        bom[1] = (byte) 0xBB;
        bom[2] = (byte) 0xBF;
        System.arraycopy(json, 0, bom, 3, json.length);
        assertRefused(Http.putBytes(url + "/v1/instances/good", bom), 400, "byte order mark");
        // '/' written as the overlong two-byte form C0 AF, inside the zone's value.
        byte[] overlong = "{\"service\":\"svc\",\"version\":\"1.0.0\",\"host\":\"h\",\"port\":1,\"zone\":\"a__b\"}"
                .getBytes(StandardCharsets.UTF_8);
        int at = new String(overlong, StandardCharsets.UTF_8).indexOf("__");
        overlong[at] = (byte) 0xC0;
        overlong[at + 1] = (byte) 0xAF;
        assertRefused(Http.putBytes(url + "/v1/instances/good", overlong), 400, "not valid UTF-8");
    }

    @Test
    void aTooLongRequestLineGetsAJsonError() {
        Http.Reply reply = Http.get(url + "/v1/services/svc?version=" + "1".repeat(10_000));
        assertThat(reply.status()).as(reply.body()).isEqualTo(414);
        assertThat(reply.error()).isEqualTo("uri_too_long");
    }

    @Test
    void tooManyMetadataEntries() {
        String metadata = IntStream.range(0, 65).mapToObj(i -> "\"k" + i + "\":\"v\"").collect(Collectors.joining(","));
        String body = "{\"service\":\"svc\",\"version\":\"1.0.0\",\"host\":\"h\",\"port\":1,\"metadata\":{" + metadata + "}}";
        assertRefused(Http.put(url + "/v1/instances/good", body), 400, "metadata: 65 entries (expected: at most 64)");
    }

    @Test
    void oversizedBody() {
        String body = new JsonObject().put("service", "svc").put("version", "1.0.0").put("host", "h").put("port", 1)
                .put("metadata", new JsonObject().put("big", "x".repeat(5000))).encode();
        Http.Reply reply = Http.put(url + "/v1/instances/good", body);
        assertRefused(reply, 413, "larger than 4096 bytes");
    }

    @Test
    void badIdBadStatusAndBadRange() {
        assertRefused(Http.put(url + "/v1/instances/-dash", RegistryApiTest.body("svc", "1.0.0", 1)), 400, "id: '-dash'");
        assertRefused(Http.put(url + "/v1/instances/good/status", "{\"status\":\"NAPPING\"}"), 400, "status 'NAPPING'");
        assertRefused(Http.put(url + "/v1/instances/good/status", "{\"status\":\"UP\",\"color\":1}"), 400,
                "unknown field 'color'");
        assertRefused(Http.get(url + "/v1/services/svc?version=banana"), 400, "version range 'banana'");
        assertRefused(Http.get(url + "/v1/services/svc?status=HAPPY"), 400, "status 'HAPPY'");
    }

    private static void assertRefused(Http.Reply reply, int status, String message) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(status);
        assertThat(reply.error()).isNotBlank();
        assertThat(reply.message()).contains(message);
        assertThat(Http.get(url + "/v1/instances/good").json().getJsonObject("instance").encode()).isEqualTo(original);
        assertThat(Http.get(url + "/v1/instances/new-one").status()).isEqualTo(404);
    }
}
