package dev.drain.servlet.tomcat;

import dev.drain.core.ServerControl;
import dev.drain.core.DrainResult;
import dev.drain.servlet.DrainFilter;
import jakarta.servlet.ServletException;
import java.io.IOException;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.Objects;
import java.util.function.LongSupplier;
import org.apache.catalina.Container;
import org.apache.catalina.Lifecycle;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.Pipeline;
import org.apache.catalina.Service;
import org.apache.catalina.Valve;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ValveBase;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.core.StandardContext;
import org.apache.catalina.startup.Tomcat;
import org.apache.coyote.AbstractProtocol;
import org.apache.coyote.ProtocolHandler;
import org.apache.coyote.http11.Http11Processor;
import org.apache.tomcat.util.net.AbstractEndpoint;
import org.apache.tomcat.util.net.SocketWrapperBase;

/**
 * Drain glue for an embedded Tomcat 11.
 *
 * <p>{@link #configure(Connector)} makes Tomcat send {@code 100 Continue} only when the
 * application reads the body, so a refusal goes out before the client sends an upload, and
 * publishes Tomcat's count of body bytes read as {@link DrainFilter#BYTES_READ_ATTRIBUTE}, so
 * that uploads Tomcat parses itself (multipart, forms) show progress. {@link #stopAccepting()}
 * closes the listening sockets gracefully (new connections are refused), pauses the connectors
 * (each connection then closes after its current response, also one committed before the drain
 * without {@code Connection: close}; HTTP/2 connections get GOAWAY) and closes the connections
 * that are idle between two requests. {@link #stop(DrainResult, Duration)} lets responses still
 * being written finish when the drain was clean, closes the connections of cut requests at once
 * when it was not, stops the connectors first (their threads end, none stays blocked on a cut
 * upload) and then the rest of Tomcat.
 *
 * <pre>{@code
 * TomcatServerControl.configure(tomcat.getConnector());
 * ShutdownCoordinator.install(drain, new TomcatServerControl(tomcat));
 * }</pre>
 */
public final class TomcatServerControl implements ServerControl {

  private static final System.Logger LOG = System.getLogger("dev.drain");

  private static final long UNLOAD_DELAY_MILLIS = 100;

  private final Tomcat tomcat;

  /**
   * Creates the glue.
   *
   * @param tomcat the server; must not be null
   */
  public TomcatServerControl(Tomcat tomcat) {
    this.tomcat = Objects.requireNonNull(tomcat, "tomcat");
  }

  /**
   * Sets {@code continueResponseTiming=onRead} on the connector, so {@code 100 Continue} is sent
   * only when the application starts reading the body.
   *
   * @param connector the connector; must not be null
   */
  public static void configure(Connector connector) {
    if (!connector.setProperty("continueResponseTiming", "onRead")) {
      throw new IllegalStateException("connector " + connector
          + " does not support continueResponseTiming");
    }
    // Bound at start, not at init, so that stopAccepting() can close the listening socket
    // (Tomcat only closes it gracefully when it bound it on start; Spring Boot does the same).
    connector.setProperty("bindOnInit", "false");
    connector.addLifecycleListener(event -> {
      if (Lifecycle.BEFORE_START_EVENT.equals(event.getType())) {
        addBytesReadValve(connector);
      }
    });
  }

  /** Adds the valve to the engine once; the engine exists by the time connectors start. */
  private static void addBytesReadValve(Connector connector) {
    Service service = connector.getService();
    if (service == null || service.getContainer() == null) {
      return;
    }
    Pipeline pipeline = service.getContainer().getPipeline();
    for (Valve valve : pipeline.getValves()) {
      if (valve instanceof BytesReadValve) {
        return;
      }
    }
    pipeline.addValve(new BytesReadValve());
  }

  /** Publishes Tomcat's own count of body bytes read, which multipart and form parsing update. */
  static final class BytesReadValve extends ValveBase {
    BytesReadValve() {
      super(true);
    }

    @Override
    public void invoke(Request request, Response response) throws IOException, ServletException {
      org.apache.coyote.Request coyote = request.getCoyoteRequest();
      String method = coyote.getMethod();
      if (!"GET".equals(method) && !"HEAD".equals(method)) {
        // Published for every request that may have a body: the length is not read here, so a
        // malformed Content-Length still gets Tomcat's own 400 further on.
        request.setAttribute(DrainFilter.BYTES_READ_ATTRIBUTE, (LongSupplier) coyote::getBytesRead);
      }
      getNext().invoke(request, response);
    }
  }

  @Override
  public void stopAccepting() {
    for (Connector connector : tomcat.getService().findConnectors()) {
      connector.getProtocolHandler().closeServerSocketGraceful();
      // Paused, Tomcat closes each connection after its current response (sync or async) and
      // sends GOAWAY on HTTP/2; without it a response committed before the drain would leave
      // its connection in the proxy's pool.
      connector.pause();
    }
    LOG.log(System.Logger.Level.INFO, "graceful-drain: Tomcat stopped accepting; closed "
        + closeIdle() + " idle connection(s)");
  }

  /** Closes the connections that are idle between two requests and returns how many. */
  private int closeIdle() {
    int closed = 0;
    for (Connector connector : tomcat.getService().findConnectors()) {
      AbstractEndpoint<?, ?> endpoint = endpoint(connector.getProtocolHandler());
      if (endpoint != null) {
        for (SocketWrapperBase<?> socket : endpoint.getConnections()) {
          if (closeIfIdle(socket)) {
            closed++;
          }
        }
      }
    }
    return closed;
  }

  private int openConnections() {
    int open = 0;
    for (Connector connector : tomcat.getService().findConnectors()) {
      AbstractEndpoint<?, ?> endpoint = endpoint(connector.getProtocolHandler());
      if (endpoint != null) {
        open += endpoint.getConnections().size();
      }
    }
    return open;
  }

  /**
   * Closes a connection that is between two requests: no worker holds its lock (a request being
   * processed does), no async request owns it, or it is a quiet HTTP/2 connection without an
   * active stream ({@link Http2Streams#idle}), and no unread bytes wait in its buffer. Tomcat
   * itself keeps a paused HTTP/2 connection open after its last stream until its keep-alive
   * timeout.
   */
  private static boolean closeIfIdle(SocketWrapperBase<?> socket) {
    if (socket.isClosed() || !socket.getLock().tryLock()) {
      return false;
    }
    try {
      Object processor = socket.getCurrentProcessor();
      if ((processor != null && !Http2Streams.idle(socket, processor))
          || !socket.getSocketBufferHandler().isReadBufferEmpty()) {
        return false;
      }
      socket.close();
      return true;
    } finally {
      socket.getLock().unlock();
    }
  }

  /**
   * After a clean drain, how long a connection whose request head is still arriving may take to
   * complete it before the stop closes it.
   */
  static final Duration HEAD_GRACE = Duration.ofMillis(500);

  /**
   * Closes the connections whose request head is still arriving (an HTTP/1.1 processor kept
   * outside a request, or unread bytes and no processor): after a clean drain no request of theirs can be served,
   * and a client that went silent half-way would hold the stop to the end of the budget.
   */
  private void closeHeadsArriving() {
    for (Connector connector : tomcat.getService().findConnectors()) {
      AbstractEndpoint<?, ?> endpoint = endpoint(connector.getProtocolHandler());
      if (endpoint == null) {
        continue;
      }
      for (SocketWrapperBase<?> socket : endpoint.getConnections()) {
        if (socket.isClosed() || !socket.getLock().tryLock()) {
          continue;
        }
        try {
          Object processor = socket.getCurrentProcessor();
          // An HTTP/1.1 processor kept on a connection outside any request (not async: the
          // drain was clean) is waiting for the rest of a head; between requests Tomcat
          // releases it.
          boolean arriving = processor instanceof Http11Processor parsing
              ? !parsing.isAsync() && outsideARequest(
                  parsing.getRequest().getRequestProcessor().getStage())
              : processor == null && !socket.getSocketBufferHandler().isReadBufferEmpty();
          if (arriving) {
            socket.close();
          }
        } finally {
          socket.getLock().unlock();
        }
      }
    }
  }

  private static boolean outsideARequest(int stage) {
    return stage <= org.apache.coyote.Constants.STAGE_PARSE
        || stage == org.apache.coyote.Constants.STAGE_ENDED;
  }

  /**
   * Stops Tomcat. After a clean drain, first waits (within {@code remaining}) for the connections
   * still writing a response: Tomcat flushes a response after the filter chain returns, and
   * after {@code onComplete} for an async one, and closes each connection after it since {@link
   * #stopAccepting()}; a connection whose request head is still arriving gets half a
   * second, then is closed. Then, or at once after a drain that reached its deadline, closes every
   * connection left and stops the connectors before the rest of Tomcat: stopping them interrupts
   * worker threads still blocked on a cut upload and ends the pollers, so no thread stays in
   * native code while the JVM exits. Tomcat's own wait for busy servlets is shortened, since the
   * drain has already waited for the requests in flight.
   */
  @Override
  public void stop(DrainResult result, Duration remaining) throws LifecycleException {
    if (!result.deadlineReached()) {
      long headsUntil = System.nanoTime() + HEAD_GRACE.toNanos();
      ServerControl.pollUntil(
          () -> {
            closeIdle();
            if (System.nanoTime() - headsUntil >= 0) {
              closeHeadsArriving();
            }
            return openConnections() == 0;
          },
          remaining);
    }
    for (Connector connector : tomcat.getService().findConnectors()) {
      AbstractEndpoint<?, ?> endpoint = endpoint(connector.getProtocolHandler());
      if (endpoint != null) {
        endpoint.getConnections().forEach(SocketWrapperBase::close);
      }
      connector.stop();
    }
    for (Container child : tomcat.getHost().findChildren()) {
      if (child instanceof StandardContext context) {
        // Tomcat otherwise waits up to 2 s per servlet still busy with a request that was cut.
        context.setUnloadDelay(Math.min(context.getUnloadDelay(), UNLOAD_DELAY_MILLIS));
      }
    }
    tomcat.stop();
    tomcat.destroy();
  }

  /** Tomcat exposes the endpoint, which knows the open connections, only to subclasses. */
  private static AbstractEndpoint<?, ?> endpoint(ProtocolHandler handler) {
    if (!(handler instanceof AbstractProtocol)) {
      return null;
    }
    try {
      Method method = AbstractProtocol.class.getDeclaredMethod("getEndpoint");
      method.setAccessible(true);
      return (AbstractEndpoint<?, ?>) method.invoke(handler);
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING,
          "graceful-drain: cannot reach Tomcat's endpoint; idle connections close at their "
              + "keep-alive timeout instead", e);
      return null;
    }
  }
}
