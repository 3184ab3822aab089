package dev.drain.servlet;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** The kit's HTTP surface as servlets, shared by the Tomcat and Jetty kit tests. */
final class KitServlets {

  final AtomicLong uploadBytes = new AtomicLong();
  private final ScheduledExecutorService completer = Executors.newSingleThreadScheduledExecutor();

  Map<String, HttpServlet> byPath() {
    return Map.of(
        "/", new NotFound(),
        "/hello", text("hello"),
        "/upload", new Upload(uploadBytes),
        "/slow", new Slow(),
        "/async", new Async(completer),
        "/async-timeout", new AsyncTimeout(),
        "/throw", new Throwing());
  }

  void close() {
    completer.shutdownNow();
  }

  static long millis(HttpServletRequest request) {
    return Long.parseLong(request.getParameter("ms"));
  }

  static void write(HttpServletResponse response, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    response.setContentLength(bytes.length);
    response.getOutputStream().write(bytes);
  }

  private static HttpServlet text(String body) {
    return new HttpServlet() {
      @Override
      protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.setContentType("text/plain");
        write(resp, body);
      }
    };
  }

  /** Streams the body through SHA-256; never holds it. */
  static final class Upload extends HttpServlet {
    private final AtomicLong counter;

    Upload(AtomicLong counter) {
      this.counter = counter;
    }

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      MessageDigest digest;
      try {
        digest = MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
      long total = 0;
      byte[] buffer = new byte[64 * 1024];
      ServletInputStream in = req.getInputStream();
      int n;
      while ((n = in.read(buffer)) >= 0) {
        digest.update(buffer, 0, n);
        total += n;
        counter.addAndGet(n);
      }
      long declared = req.getContentLengthLong();
      if (declared >= 0 && declared != total) {
        resp.sendError(400, "truncated body: " + total + " of " + declared + " bytes");
        return;
      }
      resp.setContentType("application/json");
      write(resp, "{\"bytes\":" + total + ",\"sha256\":\""
          + HexFormat.of().formatHex(digest.digest()) + "\"}");
    }
  }

  static final class Slow extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      try {
        Thread.sleep(millis(req)); // the simulated work of a slow request
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      write(resp, "slow");
    }
  }

  static final class Async extends HttpServlet {
    private final ScheduledExecutorService completer;

    Async(ScheduledExecutorService completer) {
      this.completer = completer;
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) {
      AsyncContext context = req.startAsync();
      context.setTimeout(30_000);
      completer.schedule(() -> {
        try {
          write((HttpServletResponse) context.getResponse(), "async");
        } catch (IOException e) {
          throw new IllegalStateException(e);
        } finally {
          context.complete();
        }
      }, millis(req), TimeUnit.MILLISECONDS);
    }
  }

  static final class AsyncTimeout extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) {
      req.startAsync().setTimeout(millis(req));
    }
  }

  /** The default servlet: Tomcat runs filters only for requests that map to a servlet. */
  static final class NotFound extends HttpServlet {
    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      resp.sendError(404);
    }
  }

  static final class Throwing extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) {
      throw new IllegalStateException("handler failure for the kit");
    }
  }
}
