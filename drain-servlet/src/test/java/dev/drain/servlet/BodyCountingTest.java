package dev.drain.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.drain.core.DrainConfig;
import dev.drain.core.DrainEvent;
import dev.drain.core.DrainStatus;
import dev.drain.test.PatternBody;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.Part;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Body bytes the application never reads through the request's stream still show as progress on
 * Jetty and Tomcat: a multipart upload the container parses for {@code getParts()}, a form it
 * parses for {@code getParameter()}, and an HTTP/2 upload without {@code Content-Length}.
 */
class BodyCountingTest {

  private static final long MB = DrainConfig.MEBIBYTE;
  private static final String BOUNDARY = "drain-boundary-7d1f";

  private final List<DrainEvent> events = new CopyOnWriteArrayList<>();
  private ServletServer server;

  private void start(ServletServer.Kind kind) throws Exception {
    DrainConfig config = DrainConfig.builder().propagationDelay(Duration.ofSeconds(30))
        .gracePeriod(Duration.ofSeconds(60)).stallTimeout(Duration.ofMillis(800)).build();
    server = ServletServer.start(kind, dev.drain.core.Drain.builder().config(config)
        .listener(events::add).build(), Map.of(
            "/parts", new PartsServlet(),
            "/form", new FormServlet(),
            "/upload", new KitServlets.Upload(new java.util.concurrent.atomic.AtomicLong())));
  }

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      await().atMost(Duration.ofSeconds(10)).until(() -> server.drain().inflight() == 0);
      server.close();
    }
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }

  /** Waits until the one upload in flight has read at least {@code bytes}, and returns it. */
  private DrainStatus.Upload awaitProgress(long bytes) {
    await().atMost(Duration.ofSeconds(10)).until(() -> server.drain().status().uploads().stream()
        .anyMatch(u -> u.bytesDone() >= bytes));
    return server.drain().status().uploads().get(0);
  }

  @ParameterizedTest
  @EnumSource(ServletServer.Kind.class)
  void aMultipartUploadTheContainerParsesShowsProgressAndNoStall(ServletServer.Kind kind)
      throws Exception {
    start(kind);
    long fileLength = 3 * MB;
    byte[] head = ("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"file\"; "
        + "filename=\"f.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n")
        .getBytes(StandardCharsets.ISO_8859_1);
    byte[] tail = ("\r\n--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.ISO_8859_1);
    long length = head.length + fileLength + tail.length;
    CompletableFuture<HttpResponse<String>> response = post("/parts",
        "multipart/form-data; boundary=" + BOUNDARY, length,
        () -> new SequenceInputStream(java.util.Collections.enumeration(List.of(
            new ByteArrayInputStream(head), new PatternBody(fileLength, 2 * MB),
            new ByteArrayInputStream(tail)))));
    server.drain().startDrain("test"); // stall checks run while draining

    DrainStatus.Upload upload = awaitProgress(MB);
    assertThat(upload.declaredLength()).isEqualTo(length);
    HttpResponse<String> done = response.get(15, TimeUnit.SECONDS);

    assertThat(done.statusCode()).isEqualTo(200);
    assertThat(done.body()).isEqualTo("part file " + fileLength);
    assertThat(events).noneMatch(DrainEvent.StallDetected.class::isInstance);
  }

  @ParameterizedTest
  @EnumSource(ServletServer.Kind.class)
  void aFormTheContainerParsesShowsProgress(ServletServer.Kind kind) throws Exception {
    start(kind);
    long valueLength = 2 * MB;
    byte[] name = "field=".getBytes(StandardCharsets.ISO_8859_1);
    CompletableFuture<HttpResponse<String>> response = post("/form",
        "application/x-www-form-urlencoded", name.length + valueLength,
        () -> new SequenceInputStream(new ByteArrayInputStream(name),
            new LettersBody(valueLength, 2 * MB)));

    DrainStatus.Upload upload = awaitProgress(MB / 2);
    assertThat(upload.bytesDone()).isLessThan(name.length + valueLength);
    HttpResponse<String> done = response.get(15, TimeUnit.SECONDS);

    assertThat(done.statusCode()).isEqualTo(200);
    assertThat(done.body()).isEqualTo("field " + valueLength);
  }

  @ParameterizedTest
  @EnumSource(ServletServer.Kind.class)
  void anHttp2UploadWithoutContentLengthIsTrackedAsAnUpload(ServletServer.Kind kind)
      throws Exception {
    start(kind);
    HttpClient h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
    HttpResponse<String> upgraded = h2.send(HttpRequest.newBuilder(uri("/readyz")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(upgraded.version()).as("h2c upgrade").isEqualTo(HttpClient.Version.HTTP_2);
    long length = 3 * MB;

    CompletableFuture<HttpResponse<String>> response = h2.sendAsync(
        HttpRequest.newBuilder(uri("/upload")).POST(HttpRequest.BodyPublishers.ofInputStream(
            () -> new PatternBody(length, 2 * MB))).build(),
        HttpResponse.BodyHandlers.ofString());

    DrainStatus.Upload upload = awaitProgress(MB);
    assertThat(upload.declaredLength()).as("no Content-Length on HTTP/2").isEqualTo(-1);
    HttpResponse<String> done = response.get(15, TimeUnit.SECONDS);
    assertThat(done.version()).isEqualTo(HttpClient.Version.HTTP_2);
    assertThat(done.statusCode()).isEqualTo(200);
    assertThat(done.body()).contains("\"sha256\":\"" + PatternBody.sha256(length) + "\"");
  }

  private CompletableFuture<HttpResponse<String>> post(String path, String type, long length,
      java.util.function.Supplier<InputStream> body) {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    return client.sendAsync(HttpRequest.newBuilder(uri(path)).header("Content-Type", type)
            .POST(HttpRequest.BodyPublishers.fromPublisher(
                HttpRequest.BodyPublishers.ofInputStream(body), length)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Reads the parts through the container's multipart parser; never touches the stream. */
  static final class PartsServlet extends HttpServlet {
    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp)
        throws IOException, jakarta.servlet.ServletException {
      Part part = req.getPart("file");
      KitServlets.write(resp, "part " + part.getName() + " " + part.getSize());
    }
  }

  /** Reads a form field through the container's parameter parsing. */
  static final class FormServlet extends HttpServlet {
    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      KitServlets.write(resp, "field " + req.getParameter("field").length());
    }
  }

  /** A paced body of letters, valid inside a form field. */
  static final class LettersBody extends InputStream {
    private final PatternBody pace;

    LettersBody(long length, long bytesPerSecond) {
      this.pace = new PatternBody(length, bytesPerSecond);
    }

    @Override
    public int read() throws IOException {
      int b = pace.read();
      return b < 0 ? b : 'a' + (b & 0x0f);
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      int n = pace.read(buffer, offset, length);
      for (int i = 0; i < n; i++) {
        buffer[offset + i] = (byte) ('a' + (buffer[offset + i] & 0x0f));
      }
      return n;
    }
  }
}
