package dev.flotilla.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flotilla.testing.Eventually;
import dev.flotilla.testing.TestBackend;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * HTTPS and HTTP/2 at the gateway, with real clients: curl over HTTP/2 and HTTP/1.1, openssl s_client for
 * SNI, protocols and suites, certificates made by openssl in the test, and raw HTTP/2 frames for the limits.
 */
class TlsTest {

    private static final String ROUTES = "routes:\n  - path: /**\n    service: users\n";

    private GatewayFixture fixture;
    private TestBackend backend;
    private Path dir;

    @BeforeEach
    void start() throws Exception {
        dir = Files.createTempDirectory("tls-");
        fixture = new GatewayFixture();
        backend = fixture.backend("users", "a");
        certificate("a.test", "a");
        certificate("b.test", "b");
    }

    @AfterEach
    void stop() throws Exception {
        fixture.close();
        for (String name : new String[] {"a-cert.pem", "a-key.pem", "b-cert.pem", "b-key.pem"}) {
            Files.deleteIfExists(dir.resolve(name));
        }
        Files.deleteIfExists(dir);
    }

    private GatewayServer gateway(boolean redirect) throws Exception {
        return gateway(redirect, TlsOptions.Engine.AUTO);
    }

    private GatewayServer gateway(boolean redirect, TlsOptions.Engine engine) throws Exception {
        TlsOptions tls = new TlsOptions().setPort(0).setRedirectHttp(redirect).setReloadCheckMs(100).setEngine(engine)
                .addCertificate(dir.resolve("a-cert.pem"), dir.resolve("a-key.pem"))
                .addCertificate(dir.resolve("b-cert.pem"), dir.resolve("b-key.pem"));
        return fixture.start(ROUTES, new GatewayOptions().setTls(tls).setH2c(!redirect).setHttp2MaxResetsPerMinute(50)
                .setHeaderTimeoutMs(500));
    }

    /** A self-signed P-256 certificate for {@code name}, written to PREFIX-cert.pem and PREFIX-key.pem. */
    private void certificate(String name, String prefix) throws Exception {
        run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-days", "1", "-subj", "/CN=" + name, "-addext", "subjectAltName=DNS:" + name,
                "-keyout", dir.resolve(prefix + "-key.pem").toString(),
                "-out", dir.resolve(prefix + "-cert.pem").toString());
    }

    /** Runs a command with nothing on stdin; its exit code, then stdout and stderr together. */
    private static Result run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as(String.join(" ", command)).isTrue();
        return new Result(process.exitValue(), output);
    }

    private record Result(int exit, String output) {
    }

    private Result curl(String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "--max-time", "10", "-k",
                "-w", "\\n%{http_version} %{response_code}"));
        command.addAll(List.of(arguments));
        return run(command.toArray(String[]::new));
    }

    private Result handshake(int port, String... options) throws Exception {
        List<String> command = new ArrayList<>(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port));
        command.addAll(List.of(options));
        return run(command.toArray(String[]::new));
    }

    @ParameterizedTest
    @EnumSource(value = TlsOptions.Engine.class, names = {"OPENSSL", "JDK"})
    void curlSpeaksHttp2AndHttp11OverTlsAndTheServiceSeesHttps(TlsOptions.Engine engine) throws Exception {
        int port = gateway(false, engine).tlsPort();
        String resolve = "a.test:" + port + ":127.0.0.1";
        Result h2 = curl("--http2", "--resolve", resolve, "https://a.test:" + port + "/users/1");
        assertThat(h2.output()).endsWith("\n2 200");
        assertThat(h2.output()).startsWith("a");
        Result h1 = curl("--http1.1", "--resolve", resolve, "https://a.test:" + port + "/users/2");
        assertThat(h1.output()).endsWith("\n1.1 200");
        assertThat(backend.seen).hasSize(2);
        assertThat(backend.seen.get(0).headers().get("X-Forwarded-Proto")).isEqualTo("https");
        assertThat(backend.seen.get(0).headers().get("X-Forwarded-Host")).isEqualTo("a.test:" + port);
        assertThat(backend.seen.get(0).uri()).isEqualTo("/users/1");

        Result post = curl("--http2", "--resolve", resolve, "-d", "hello", "https://a.test:" + port + "/users");
        assertThat(post.output()).endsWith("\n2 200");
        assertThat(backend.seen.get(2).method()).isEqualTo("POST");
        Eventually.await("the body reached the service", Duration.ofSeconds(5), () -> backend.bodyBytes.get() == 5);
    }

    @Test
    void h2cWithPriorKnowledgeOnThePlainPort() throws Exception {
        GatewayServer gateway = gateway(false);
        Result h2c = curl("--http2-prior-knowledge", gateway.url() + "/users/1");
        assertThat(h2c.output()).endsWith("\n2 200");
        Result missing = curl("--http2-prior-knowledge", "--path-as-is", gateway.url() + "/../etc");
        assertThat(missing.output()).contains("\"error\"").endsWith("\n2 400");
        Result after = curl("--http2-prior-knowledge", gateway.url() + "/users/3");
        assertThat(after.output()).endsWith("\n2 200");
    }

    @ParameterizedTest
    @EnumSource(value = TlsOptions.Engine.class, names = {"OPENSSL", "JDK"})
    void sniPicksTheCertificateAndTheFirstIsTheDefault(TlsOptions.Engine engine) throws Exception {
        int port = gateway(false, engine).tlsPort();
        assertThat(handshake(port, "-servername", "b.test").output()).contains("CN = b.test");
        assertThat(handshake(port, "-servername", "a.test").output()).contains("CN = a.test");
        assertThat(handshake(port, "-servername", "other.test").output()).contains("CN = a.test");
    }

    @ParameterizedTest
    @EnumSource(value = TlsOptions.Engine.class, names = {"OPENSSL", "JDK"})
    void onlyTls12And13WithForwardSecretAeadSuites(TlsOptions.Engine engine) throws Exception {
        int port = gateway(false, engine).tlsPort();
        Result tls13 = handshake(port, "-tls1_3");
        assertThat(tls13.output()).contains("TLSv1.3");
        Result tls12 = handshake(port, "-tls1_2");
        assertThat(tls12.output()).containsPattern("Cipher is ECDHE-ECDSA-(AES\\d+-GCM|CHACHA20-POLY1305)");
        Result tls11 = handshake(port, "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0");
        assertThat(tls11.exit()).as(tls11.output()).isNotZero();
        Result cbc = handshake(port, "-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-SHA256:ECDHE-ECDSA-AES128-SHA");
        assertThat(cbc.exit()).as(cbc.output()).isNotZero();
    }

    @Test
    void changedCertificateFilesAreServedWithoutDroppingOpenConnections() throws Exception {
        int port = gateway(false).tlsPort();
        String before = fingerprint(handshake(port, "-servername", "a.test").output());
        try (SSLSocket open = trustingSocket(port)) {
            assertThat(exchange(open, "/users/1")).startsWith("HTTP/1.1 200");
            certificate("a.test", "a");
            Eventually.await("the new certificate is served", Duration.ofSeconds(10), () -> {
                try {
                    return !fingerprint(handshake(port, "-servername", "a.test").output()).equals(before);
                } catch (Exception e) {
                    return false;
                }
            });
            assertThat(exchange(open, "/users/2")).as("the connection opened before the reload")
                    .startsWith("HTTP/1.1 200");
        }
        Files.writeString(dir.resolve("a-key.pem"), "not a key");
        Thread.sleep(500);
        assertThat(curl("--http2", "--resolve", "a.test:" + port + ":127.0.0.1", "https://a.test:" + port + "/users/3")
                .output()).as("a broken key leaves the certificates in force").endsWith("\n2 200");
    }

    @Test
    void badTlsSettingsAreNamedBeforeAnythingListens() throws Exception {
        assertThatThrownBy(() -> TlsOptions.Engine.parse("boring"))
                .hasMessage("tls engine: 'boring' (expected auto, openssl or jdk)");
        Files.writeString(dir.resolve("b-key.pem"), "not a key");
        assertThatThrownBy(() -> gateway(false)).hasMessageContaining("b-key.pem holds no PEM private key");
    }

    @Test
    void thePlainPortRedirectsToHttpsWhenAsked() throws Exception {
        GatewayServer gateway = gateway(true);
        Result redirect = curl("-i", gateway.url() + "/users/1?x=1");
        assertThat(redirect.output()).endsWith("\n1.1 308")
                .contains("location: https://127.0.0.1:" + gateway.tlsPort() + "/users/1?x=1");
        assertThat(backend.seen).isEmpty();
    }

    @Test
    void http2LimitsAreAnnouncedAndRapidResetIsRefused() throws Exception {
        GatewayServer gateway = gateway(false);
        try (Socket socket = new Socket("127.0.0.1", gateway.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            frame(out, 0x4, 0, 0, new byte[0]); // SETTINGS
            DataInputStream in = new DataInputStream(socket.getInputStream());
            int[] settings = readSettings(in);
            assertThat(settings[0x3]).as("SETTINGS_MAX_CONCURRENT_STREAMS").isEqualTo(128);
            assertThat(settings[0x6]).as("SETTINGS_MAX_HEADER_LIST_SIZE").isEqualTo(8 * 1024);
            // GET / on each new stream, cancelled at once: the rapid-reset pattern.
            byte[] headers = {(byte) 0x82, (byte) 0x86, (byte) 0x84, 0x41, 0x09,
                'l', 'o', 'c', 'a', 'l', 'h', 'o', 's', 't'};
            boolean goAway;
            try {
                for (int stream = 1; stream < 2 * 500; stream += 2) {
                    frame(out, 0x1, 0x5, stream, headers); // HEADERS, END_STREAM | END_HEADERS
                    frame(out, 0x3, 0, stream, new byte[] {0, 0, 0, 8}); // RST_STREAM, CANCEL
                }
                out.flush();
                goAway = readUntilGoAway(in);
            } catch (SocketException e) {
                goAway = true; // the gateway closed the connection while frames were still being sent
            }
            assertThat(goAway).as("the connection is ended before 500 reset streams are served").isTrue();
        }
        assertThat(backend.hits.get()).isLessThan(500);
        assertThat(curl("--http2-prior-knowledge", gateway.url() + "/users/1").output()).endsWith("\n2 200");
    }

    @Test
    void slowHeadersGet408OnTheTlsPortToo() throws Exception {
        GatewayServer gateway = gateway(false);
        try (SSLSocket tls = trustingSocket(gateway.tlsPort())) {
            tls.getOutputStream().write("GET /users/1 HTTP/1.1\r\nHost: a.test\r\nX-Slow: "
                    .getBytes(StandardCharsets.US_ASCII));
            tls.getOutputStream().flush();
            String answer = new String(tls.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(answer).startsWith("HTTP/1.1 408 ").contains("request_timeout");
        }
        assertThat(backend.hits.get()).isZero();
    }

    @Test
    void anHttp2UploadWithoutALengthIsStreamedToTheService() throws Exception {
        int port = gateway(false).tlsPort();
        Process curl = new ProcessBuilder("curl", "-sS", "-k", "--http2", "-T", "-",
                "-w", "\n%{http_version} %{response_code}", "https://127.0.0.1:" + port + "/users/upload")
                .redirectErrorStream(true).start();
        curl.getOutputStream().write("twelve bytes".getBytes(StandardCharsets.US_ASCII));
        curl.getOutputStream().close();
        String answer = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(curl.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(answer).endsWith("\n2 200");
        assertThat(backend.seen.get(0).method()).isEqualTo("PUT");
        assertThat(backend.seen.get(0).headers().contains("Content-Length")).as("curl streamed it: no length")
                .isFalse();
        Eventually.await("the body reached the service", Duration.ofSeconds(5), () -> backend.bodyBytes.get() == 12);
    }

    private static void frame(OutputStream out, int type, int flags, int stream, byte[] payload) throws IOException {
        byte[] head = {(byte) (payload.length >>> 16), (byte) (payload.length >>> 8), (byte) payload.length,
            (byte) type, (byte) flags, (byte) (stream >>> 24), (byte) (stream >>> 16), (byte) (stream >>> 8),
            (byte) stream};
        out.write(head);
        out.write(payload);
    }

    /** The server's first SETTINGS frame, by identifier (0 when not sent). */
    private static int[] readSettings(DataInputStream in) throws IOException {
        while (true) {
            int length = (in.readUnsignedByte() << 16) | in.readUnsignedShort();
            int type = in.readUnsignedByte();
            int flags = in.readUnsignedByte();
            in.readInt();
            byte[] payload = in.readNBytes(length);
            if (type == 0x4 && (flags & 0x1) == 0) {
                int[] settings = new int[16];
                for (int i = 0; i + 6 <= length; i += 6) {
                    int id = ((payload[i] & 0xff) << 8) | (payload[i + 1] & 0xff);
                    int value = ((payload[i + 2] & 0xff) << 24) | ((payload[i + 3] & 0xff) << 16)
                            | ((payload[i + 4] & 0xff) << 8) | (payload[i + 5] & 0xff);
                    if (id < settings.length) {
                        settings[id] = value;
                    }
                }
                return settings;
            }
        }
    }

    private static boolean readUntilGoAway(DataInputStream in) throws IOException {
        try {
            while (true) {
                int length = (in.readUnsignedByte() << 16) | in.readUnsignedShort();
                int type = in.readUnsignedByte();
                in.readUnsignedByte();
                in.readInt();
                in.readNBytes(length);
                if (type == 0x7) {
                    return true;
                }
            }
        } catch (EOFException | SocketException e) {
            return true; // closed
        } catch (SocketTimeoutException e) {
            return false; // still open, and quiet
        }
    }

    private static String fingerprint(String sClientOutput) {
        int start = sClientOutput.indexOf("-----BEGIN CERTIFICATE-----");
        return start < 0 ? "" : sClientOutput.substring(start, sClientOutput.indexOf("-----END CERTIFICATE-----"));
    }

    /** A TLS connection that trusts any certificate (the test's are self-signed), with SNI a.test. */
    private static SSLSocket trustingSocket(int port) throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String type) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String type) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, null);
        SSLSocket socket = (SSLSocket) context.getSocketFactory()
                .createSocket("127.0.0.1", port);
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setServerNames(List.of(new SNIHostName("a.test")));
        socket.setSSLParameters(parameters);
        socket.setSoTimeout(10_000);
        return socket;
    }

    /** One HTTP/1.1 request on an open connection; the answer's head and body ("a", the instance id). */
    private static String exchange(Socket socket, String path) throws IOException {
        socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: a.test\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        StringBuilder answer = new StringBuilder();
        var in = socket.getInputStream();
        while (!answer.toString().endsWith("\r\n\r\na")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            answer.append((char) b);
        }
        return answer.toString();
    }
}
