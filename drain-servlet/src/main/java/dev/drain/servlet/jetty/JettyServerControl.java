package dev.drain.servlet.jetty;

import dev.drain.core.DrainResult;
import dev.drain.core.ServerControl;
import java.time.Duration;
import java.util.Objects;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.AbstractConnector;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.NetworkConnector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.internal.HttpConnection;

/**
 * Drain glue for an embedded Jetty 12 {@link Server}.
 *
 * <p>{@link #stopAccepting()} shuts every connector down (Jetty then closes each connection after
 * its current response, even one committed before the drain without {@code Connection: close}),
 * closes every network connector's listening socket (new connections are refused, not queued)
 * and closes the HTTP/1.1 connections that are idle between two requests; connections with a
 * request in flight go on. Jetty completes the close of a listening socket on its acceptor
 * thread, so the kernel may still accept for a few milliseconds after this returns. {@link
 * #stop(DrainResult, Duration)} lets responses still being written finish when the drain was
 * clean, closes the connections of cut requests at once when it was not, and stops Jetty.
 *
 * <pre>{@code
 * ShutdownCoordinator.install(drain, new JettyServerControl(server));
 * }</pre>
 */
public final class JettyServerControl implements ServerControl {

  private static final System.Logger LOG = System.getLogger("dev.drain");

  private final Server server;

  /**
   * Creates the glue.
   *
   * @param server the server; must not be null
   */
  public JettyServerControl(Server server) {
    this.server = Objects.requireNonNull(server, "server");
  }

  /**
   * Returns the smallest idle timeout of the server's connectors, for {@code
   * DrainConfig.Builder#serverIdleTimeout}.
   *
   * @param server the server
   * @return the timeout, or null when no connector has one
   */
  public static Duration idleTimeout(Server server) {
    long min = Long.MAX_VALUE;
    for (Connector connector : server.getConnectors()) {
      if (connector.getIdleTimeout() > 0) {
        min = Math.min(min, connector.getIdleTimeout());
      }
    }
    return min == Long.MAX_VALUE ? null : Duration.ofMillis(min);
  }

  @Override
  public void stopAccepting() {
    for (Connector connector : server.getConnectors()) {
      if (connector instanceof AbstractConnector abstractConnector) {
        // Jetty shortens the idle timeout of every connection at shutdown; an upload that pauses
        // for a moment must not be cut for it.
        abstractConnector.setShutdownIdleTimeout(Math.max(
            abstractConnector.getShutdownIdleTimeout(), abstractConnector.getIdleTimeout()));
        abstractConnector.shutdown();
      }
      if (connector instanceof NetworkConnector network) {
        network.close();
      }
    }
    LOG.log(System.Logger.Level.INFO, "graceful-drain: Jetty stopped accepting; closed "
        + closeIdle() + " idle connection(s)");
  }

  private int closeIdle() {
    int closed = 0;
    for (Connector connector : server.getConnectors()) {
      if (connector instanceof AbstractConnector abstractConnector) {
        for (EndPoint endPoint : abstractConnector.getConnectedEndPoints()) {
          if (idle(endPoint.getConnection())) {
            endPoint.close();
            closed++;
          }
        }
      }
    }
    return closed;
  }

  private static boolean idle(Connection connection) {
    return connection instanceof HttpConnection http
        && http.getHttpChannel().getRequest() == null
        && http.getParser().isStart()
        && http.isRequestBufferEmpty();
  }

  /**
   * Stops Jetty. After a clean drain, Jetty's graceful stop waits (within {@code remaining}) for
   * the connections still writing a response the application already finished: Jetty completes
   * a response after the filter chain returns, and closes each connection after it since
   * {@link #stopAccepting()}. After a drain that reached its deadline, Jetty stops at once and
   * closes the connections of the cut requests.
   */
  @Override
  public void stop(DrainResult result, Duration remaining) throws Exception {
    closeIdle(); // a connection accepted while the listening socket was closing
    server.setStopTimeout(result.deadlineReached() ? 0 : Math.max(0, remaining.toMillis()));
    server.stop();
  }
}
