package dev.drain.servlet;

import dev.drain.core.Drain;
import dev.drain.core.DrainConfig;
import dev.drain.test.KitServer;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
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
import java.util.function.LongSupplier;

/** The kit's HTTP surface as servlets, shared by the Tomcat and Jetty kit tests. */
final class KitServlets {

  final AtomicLong uploadBytes = new AtomicLong();
  private final LongSupplier inflight;
  private final ScheduledExecutorService completer = Executors.newSingleThreadScheduledExecutor();

  Map<String, HttpServlet> byPath() {
    return Map.ofEntries(
        Map.entry("/", new NotFound()),
        Map.entry("/hello", text("hello")),
        Map.entry("/upload", new Upload(uploadBytes)),
        Map.entry("/slow", new Slow()),
        Map.entry("/async", new Async(completer)),
        Map.entry("/async-timeout", new AsyncTimeout()),
        Map.entry("/async-timeout-answer", new AsyncTimeoutAnswered(false, inflight)),
        Map.entry("/async-timeout-dispatch", new AsyncTimeoutAnswered(true, inflight)),
        Map.entry("/render", new Render(inflight)),
        Map.entry("/stream", new Stream()),
        Map.entry("/late", new Late()),
        Map.entry("/async-late", new AsyncLate(completer)),
        Map.entry("/throw", new Throwing()));
  }

  void close() {
    completer.shutdownNow();
  }

  /** Starts the kit's surface on a real server. */
  KitServlets(LongSupplier inflight) {
    this.inflight = inflight;
  }

  static KitServer serve(ServletServer.Kind kind, DrainConfig config) throws Exception {
    Drain drain = Drain.builder().config(config).build();
    KitServlets servlets = new KitServlets(drain::inflight);
    ServletServer server = ServletServer.start(kind, drain, servlets.byPath());
    return KitServer.of(server.port(), server.drain(), server.coordinator(),
        servlets.uploadBytes::get, () -> {
          server.close();
          servlets.close();
        });
  }

  static long millis(HttpServletRequest request) {
    return millis(request, "ms");
  }

  static long millis(HttpServletRequest request, String name) {
    return Long.parseLong(request.getParameter(name));
  }

  /** The simulated work of a handler: it blocks its thread, as real work does. */
  static void work(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
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
      work(millis(req));
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

  /** Async with a timeout its own listener answers: 504 after some work, or a dispatch. */
  static final class AsyncTimeoutAnswered extends HttpServlet {
    private final boolean dispatch;
    private final LongSupplier inflight;

    AsyncTimeoutAnswered(boolean dispatch, LongSupplier inflight) {
      this.dispatch = dispatch;
      this.inflight = inflight;
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) {
      long work = millis(req, "work");
      AsyncContext context = req.startAsync();
      context.setTimeout(millis(req));
      context.addListener(new AsyncListener() {
        @Override
        public void onTimeout(AsyncEvent event) throws IOException {
          if (dispatch) {
            context.dispatch("/render?work=" + work);
            return;
          }
          work(work);
          HttpServletResponse response = (HttpServletResponse) context.getResponse();
          response.setStatus(504);
          write(response, "timeout answered, in flight " + inflight.getAsLong());
          context.complete();
        }

        @Override
        public void onComplete(AsyncEvent event) {}

        @Override
        public void onError(AsyncEvent event) {}

        @Override
        public void onStartAsync(AsyncEvent event) {}
      });
    }
  }

  static final class Render extends HttpServlet {
    private final LongSupplier inflight;

    Render(LongSupplier inflight) {
      this.inflight = inflight;
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      work(millis(req, "work"));
      write(resp, "rendered, in flight " + inflight.getAsLong());
    }
  }

  /** Commits at once, then ends later. */
  static final class Stream extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      resp.setContentType("text/plain");
      resp.getOutputStream().write("start\n".getBytes(StandardCharsets.UTF_8));
      resp.flushBuffer();
      work(millis(req, "wait"));
      resp.getOutputStream().write("end\n".getBytes(StandardCharsets.UTF_8));
    }
  }

  /** Works, then writes a body larger than the buffer and, unless told not to, flushes it. */
  static final class Late extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      work(millis(req, "wait"));
      byte[] body = new byte[Integer.parseInt(req.getParameter("size"))];
      java.util.Arrays.fill(body, (byte) 'x');
      resp.setContentType("text/plain");
      if ("false".equals(req.getParameter("flush"))) {
        // All of it stays in the server's buffer: the server writes it after the handler returned
        // (no Content-Length, which would make the server complete the response on the last
        // write, inside the handler).
        resp.setBufferSize(body.length + 1);
        for (int offset = 0; offset < body.length; offset += 8192) {
          resp.getOutputStream().write(body, offset, Math.min(8192, body.length - offset));
        }
        return;
      }
      resp.setContentLength(body.length);
      resp.getOutputStream().write(body);
      resp.flushBuffer();
    }
  }

  /** Async; another thread writes, flushes and completes later. */
  static final class AsyncLate extends HttpServlet {
    private final ScheduledExecutorService completer;

    AsyncLate(ScheduledExecutorService completer) {
      this.completer = completer;
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) {
      AsyncContext context = req.startAsync();
      completer.schedule(() -> {
        try {
          HttpServletResponse response = (HttpServletResponse) context.getResponse();
          response.setContentType("text/plain");
          response.getOutputStream().write("async late".getBytes(StandardCharsets.UTF_8));
          response.flushBuffer();
        } catch (IOException e) {
          throw new IllegalStateException(e);
        } finally {
          context.complete();
        }
      }, millis(req, "wait"), TimeUnit.MILLISECONDS);
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
