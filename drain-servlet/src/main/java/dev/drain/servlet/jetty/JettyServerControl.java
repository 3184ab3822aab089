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
import org.eclipse.jetty.util.component.Graceful;

/**
 * Drain glue for an embedded Jetty 12 {@link Server}.
 *
 * <p>{@link #stopAccepting()} shuts every connector down (Jetty then closes each connection after
 * its current response, even one committed before the drain without {@code Connection: close}),
 * sends GOAWAY on every HTTP/2 connection (which the connector's own shutdown does not do,
 * jetty#13569), closes every network connector's listening socket (new connections are refused,
 * not queued) and closes the HTTP/1.1 connections that are idle between two requests and the
 * HTTP/2 connections without a stream; connections with a request in flight go on. Jetty completes the close of a listening socket on its acceptor
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

  /**
   * After a clean drain, how long a connection whose request head is still arriving may take to
   * complete it before the stop closes it.
   */
  static final Duration HEAD_GRACE = Duration.ofMillis(500);

  @Override
  public void stopAccepting() {
    for (Connector connector : server.getConnectors()) {
      if (connector instanceof AbstractConnector abstractConnector) {
        // Jetty shortens the idle timeout of every connection at shutdown; an upload that pauses
        // for a moment must not be cut for it.
        abstractConnector.setShutdownIdleTimeout(Math.max(
            abstractConnector.getShutdownIdleTimeout(), abstractConnector.getIdleTimeout()));
        abstractConnector.shutdown();
        // The connector's own shutdown leaves HTTP/2 sessions taking new streams (jetty#13569):
        // its contained graceful parts, the HTTP/2 session container among them, send GOAWAY.
        for (Graceful graceful : abstractConnector.getContainedBeans(Graceful.class)) {
          if (graceful != abstractConnector) {
            graceful.shutdown();
          }
        }
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
    return (connection instanceof HttpConnection http
        && http.getHttpChannel().getRequest() == null
        && http.getParser().isStart()
        && http.isRequestBufferEmpty())
        || Http2Sessions.idle(connection);
  }

  /**
   * Stops Jetty. After a clean drain, first waits (within {@code remaining}) for the connections
   * still writing a response the application already finished: Jetty completes a response after
   * the filter chain returns, and shuts each connection's output after it since {@link
   * #stopAccepting()}; a connection whose request head is still arriving gets half a
   * second, then is closed. Then, or at once after a drain that reached its deadline, stops Jetty
   * without a graceful phase, which closes every connection left, those of cut requests
   * included.
   */
  @Override
  public void stop(DrainResult result, Duration remaining) throws Exception {
    if (!result.deadlineReached()) {
      long headsUntil = System.nanoTime() + HEAD_GRACE.toNanos();
      ServerControl.pollUntil(() -> {
        if (System.nanoTime() - headsUntil >= 0) {
          closeHeadsArriving();
        }
        return lastResponsesWritten();
      }, remaining);
    } else {
      // Close the connections of cut requests before stopping: stopping first lets a handler
      // whose read fails still send a complete error response (a 500 the client takes as an
      // answer) before the connection goes.
      for (Connector connector : server.getConnectors()) {
        if (connector instanceof AbstractConnector abstractConnector) {
          abstractConnector.getConnectedEndPoints().forEach(EndPoint::close);
        }
      }
    }
    server.setStopTimeout(0);
    server.stop();
  }

  /**
   * Closes the connections whose request head is still arriving (no request yet): after a clean
   * drain no request of theirs can be served, and a client that went silent half-way would hold
   * the stop to the end of the budget.
   */
  private void closeHeadsArriving() {
    for (Connector connector : server.getConnectors()) {
      if (connector instanceof AbstractConnector abstractConnector) {
        for (EndPoint endPoint : abstractConnector.getConnectedEndPoints()) {
          if (endPoint.getConnection() instanceof HttpConnection http
              && http.getHttpChannel().getRequest() == null) {
            endPoint.close();
          }
        }
      }
    }
  }

  /** Closes idle connections, then tells whether none is left writing a response. */
  private boolean lastResponsesWritten() {
    closeIdle(); // also a connection accepted while the listening socket was closing
    return !anyWriting();
  }

  /** Whether a connection is still open for output: its response is not finished. */
  private boolean anyWriting() {
    for (Connector connector : server.getConnectors()) {
      if (connector instanceof AbstractConnector abstractConnector) {
        for (EndPoint endPoint : abstractConnector.getConnectedEndPoints()) {
          if (endPoint.isOpen() && !endPoint.isOutputShutdown()) {
            return true;
          }
        }
      }
    }
    return false;
  }
}
