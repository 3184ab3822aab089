package dev.drain.servlet.tomcat;

import dev.drain.core.ServerControl;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.Objects;
import org.apache.catalina.Container;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.core.StandardContext;
import org.apache.catalina.startup.Tomcat;
import org.apache.coyote.AbstractProtocol;
import org.apache.coyote.ProtocolHandler;
import org.apache.tomcat.util.net.AbstractEndpoint;
import org.apache.tomcat.util.net.SocketWrapperBase;

/**
 * Drain glue for an embedded Tomcat 11.
 *
 * <p>{@link #configure(Connector)} makes Tomcat send {@code 100 Continue} only when the
 * application reads the body, so a refusal goes out before the client sends an upload. {@link
 * #stopAccepting()} closes the listening sockets gracefully (new connections are refused; Tomcat
 * stops keep-alive on the connections it still serves) and closes the connections that are idle
 * between two requests. {@link #stop(Duration)} closes what is left and runs Tomcat's own stop.
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
  }

  @Override
  public void stopAccepting() {
    int closed = 0;
    for (Connector connector : tomcat.getService().findConnectors()) {
      ProtocolHandler handler = connector.getProtocolHandler();
      handler.closeServerSocketGraceful();
      AbstractEndpoint<?, ?> endpoint = endpoint(handler);
      if (endpoint != null) {
        for (SocketWrapperBase<?> socket : endpoint.getConnections()) {
          if (closeIfIdle(socket)) {
            closed++;
          }
        }
      }
    }
    LOG.log(System.Logger.Level.INFO, "graceful-drain: Tomcat stopped accepting; closed "
        + closed + " idle connection(s)");
  }

  /**
   * Closes a connection that is between two requests: no worker holds its lock (a request being
   * processed does), no async request owns it, and no unread bytes wait in its buffer.
   */
  private static boolean closeIfIdle(SocketWrapperBase<?> socket) {
    if (socket.isClosed() || !socket.getLock().tryLock()) {
      return false;
    }
    try {
      if (socket.getCurrentProcessor() != null || !socket.getSocketBufferHandler()
          .isReadBufferEmpty()) {
        return false;
      }
      socket.close();
      return true;
    } finally {
      socket.getLock().unlock();
    }
  }

  /**
   * Closes what is left open, then stops Tomcat: the drain has already waited for the requests
   * in flight (or reached its deadline), so Tomcat's own wait for busy servlets would only spend
   * the time left before SIGKILL.
   */
  @Override
  public void stop(Duration remaining) throws LifecycleException {
    for (Connector connector : tomcat.getService().findConnectors()) {
      AbstractEndpoint<?, ?> endpoint = endpoint(connector.getProtocolHandler());
      if (endpoint != null) {
        endpoint.getConnections().forEach(SocketWrapperBase::close);
      }
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
