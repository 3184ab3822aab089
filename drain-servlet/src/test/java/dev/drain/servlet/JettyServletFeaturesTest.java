package dev.drain.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.drain.core.Drain;
import dev.drain.core.DrainConfig;
import dev.drain.core.DrainState;
import dev.drain.core.ProbeConfig;
import dev.drain.test.PatternBody;
import dev.drain.test.RawHttp;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.EnumSet;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Servlet-only features on a real Jetty: non-blocking reads and the drain endpoint. */
class JettyServletFeaturesTest {

  private Server server;
  private Drain drain;
  private int port;

  private void start(ProbeConfig probes) throws Exception {
    drain = Drain.builder().config(DrainConfig.builder().propagationDelay(Duration.ofSeconds(5))
        .probes(probes).build()).build();
    server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler();
    FilterHolder filter = new FilterHolder(new DrainFilter(drain));
    filter.setAsyncSupported(true);
    context.addFilter(filter, "/*", EnumSet.of(DispatcherType.REQUEST));
    ServletHolder upload = new ServletHolder(new NonBlockingUpload());
    upload.setAsyncSupported(true);
    context.addServlet(upload, "/upload-async");
    server.setHandler(context);
    server.start();
    port = connector.getLocalPort();
    drain.markReady();
  }

  @AfterEach
  void stop() throws Exception {
    server.stop();
  }

  @Test
  void bytesReadThroughAReadListenerAreCountedAndTheHandleEndsOnComplete() throws Exception {
    start(ProbeConfig.defaults());
    long length = 4 * DrainConfig.MEBIBYTE;
    try (RawHttp raw = new RawHttp(port)) {
      raw.send("POST /upload-async HTTP/1.1\r\nHost: x\r\nContent-Length: " + length + "\r\n\r\n");
      OutputStream out = raw.socket().getOutputStream();
      byte[] body = new PatternBody(length, 0).readAllBytes();
      int first = (int) DrainConfig.MEBIBYTE;
      out.write(body, 0, first);
      out.flush();
      await().atMost(Duration.ofSeconds(5)).until(() -> drain.status().uploads().stream()
          .anyMatch(u -> u.bytesDone() >= DrainConfig.MEBIBYTE));
      assertThat(drain.inflight()).isEqualTo(1);
      out.write(body, first, body.length - first);
      out.flush();

      RawHttp.Response response = raw.read();
      assertThat(response.status()).isEqualTo(200);
      assertThat(response.body()).isEqualTo("read " + length);
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> drain.inflight() == 0);
  }

  /** Reads the body with a ReadListener and answers with the count once all has arrived. */
  static final class NonBlockingUpload extends HttpServlet {
    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      AsyncContext async = req.startAsync();
      ServletInputStream in = req.getInputStream();
      AtomicLong total = new AtomicLong();
      byte[] buffer = new byte[16 * 1024];
      in.setReadListener(new ReadListener() {
        @Override
        public void onDataAvailable() throws IOException {
          while (in.isReady()) {
            int n = in.read(buffer);
            if (n < 0) {
              return;
            }
            total.addAndGet(n);
          }
        }

        @Override
        public void onAllDataRead() throws IOException {
          KitServlets.write((HttpServletResponse) async.getResponse(), "read " + total.get());
          async.complete();
        }

        @Override
        public void onError(Throwable t) {
          async.complete();
        }
      });
    }
  }
}
