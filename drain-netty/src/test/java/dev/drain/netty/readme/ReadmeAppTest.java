package dev.drain.netty.readme;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The README's Netty section is {@link ReadmeApp} word for word, and that app, run in its own
 * JVM, drains a 16 MiB upload in flight at SIGTERM to its end with nothing cut; the same app
 * ended the way Netty's examples end ({@link ReadmeAppWithFinally}) cuts it, and says so.
 */
class ReadmeAppTest {

  private static final int UPLOAD = 16 * 1024 * 1024;

  @Test
  void theReadmeShowsThisAppWordForWord() throws IOException {
    String readme = Files.readString(Path.of("..", "README.md"));
    String source = Files.readString(
        Path.of("..", "drain-netty", "src/test/java/dev/drain/netty/readme/ReadmeApp.java"));
    String code = source.substring(source.indexOf("import "));
    assertThat(readme).contains("```java\n" + code + "```\n");
  }

  @Test
  void anUploadInFlightAtSigtermEndsAndNothingIsCut() throws Exception {
    Run run = Run.start(ReadmeApp.class);
    assertThat(run.upload()).as("the upload's response").isEqualTo(UPLOAD + "");
    assertThat(run.exited()).isTrue();
    assertThat(run.process.exitValue()).isEqualTo(143);
    assertThat(run.out).as("stderr: %s", run.err).anyMatch(line -> line.startsWith("drained: ")
        && line.contains("cut=[], cutWithoutBody=0"));
  }

  @Test
  void shutdownGracefullyInFinallyCutsTheUploadAndTheResultAndTheLogSaySo() throws Exception {
    Run run = Run.start(ReadmeAppWithFinally.class);
    assertThat(run.upload()).as("the upload was cut").isNull();
    assertThat(run.exited()).isTrue();
    assertThat(run.out).anyMatch(line -> line.startsWith("drained: ")
        && line.contains("cut=[POST / (") && line.contains("of " + UPLOAD + " bytes)"));
    assertThat(String.join("\n", run.err)).contains("Netty's event loops are shutting down",
        "shutdownGracefully()", "awaitTermination()");
  }

  /** One run of an app in its own JVM, with a 16 MiB upload that is in flight at SIGTERM. */
  private static final class Run {
    final Process process;
    final List<String> out = new CopyOnWriteArrayList<>();
    final List<String> err = new CopyOnWriteArrayList<>();
    private final Path stdout;
    private final Path stderr;
    private final int port;

    private Run(Process process, Path stdout, Path stderr) {
      this.process = process;
      this.stdout = stdout;
      this.stderr = stderr;
      this.port = await().atMost(20, TimeUnit.SECONDS).until(() -> Files.readAllLines(stdout)
          .stream().filter(line -> line.startsWith("listening on ")).findFirst()
          .map(line -> Integer.parseInt(line.substring(line.lastIndexOf(':') + 1)))
          .orElse(0), p -> p > 0);
    }

    static Run start(Class<?> app) throws Exception {
      Path stdout = Files.createTempFile("readme-app", ".out");
      Path stderr = Files.createTempFile("readme-app", ".err");
      Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java")
          .toString(), "-cp", System.getProperty("java.class.path"), app.getName(), "0")
          .redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
      return new Run(process, stdout, stderr);
    }

    /** Waits for the process to exit, then reads what it printed. */
    boolean exited() throws Exception {
      boolean exited = process.waitFor(30, TimeUnit.SECONDS);
      out.addAll(Files.readAllLines(stdout));
      err.addAll(Files.readAllLines(stderr));
      return exited;
    }

    /**
     * Sends the upload at about 2 MiB/s, SIGTERM when a quarter is sent (so that the upload is
     * still arriving when the propagation delay of 5 s ends), and reads the answer.
     *
     * @return the response's body line, or null when the connection ended without one
     */
    String upload() throws Exception {
      try (Socket socket = new Socket("127.0.0.1", port)) {
        OutputStream out = socket.getOutputStream();
        out.write(("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: " + UPLOAD + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
        byte[] chunk = new byte[64 * 1024];
        try {
          for (int sent = 0; sent < UPLOAD; sent += chunk.length) {
            if (sent == UPLOAD / 4) {
              process.destroy(); // SIGTERM
            }
            out.write(chunk);
            Thread.sleep(32); // a client sending at about 2 MiB/s
          }
        } catch (IOException cut) {
          return null;
        }
        BufferedReader in = new BufferedReader(
            new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
        String status = in.readLine();
        if (status == null || !status.contains(" 200 ")) {
          return null;
        }
        for (String line; (line = in.readLine()) != null && !line.isEmpty(); ) {
          // headers
        }
        return in.readLine();
      } catch (IOException cut) {
        return null;
      }
    }
  }
}
