package dev.drain.servlet.jetty;

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
 * <p>{@link #stopAccepting()} closes every network connector's listening socket (new connections
 * are refused, not queued) and closes the HTTP/1.1 connections that are idle between two
 * requests; connections with a request in flight go on, and close after their response because
 * it carries {@code Connection: close}. Jetty completes the close of a listening socket on its
 * acceptor thread, so the kernel may still accept for a few milliseconds after this returns.
 * {@link #stop(Duration)} runs Jetty's own stop, without a second graceful wait.
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
    int closed = 0;
    for (Connector connector : server.getConnectors()) {
      if (connector instanceof NetworkConnector network) {
        network.close();
      }
      if (connector instanceof AbstractConnector abstractConnector) {
        for (EndPoint endPoint : abstractConnector.getConnectedEndPoints()) {
          if (idle(endPoint.getConnection())) {
            endPoint.close();
            closed++;
          }
        }
      }
    }
    LOG.log(System.Logger.Level.INFO, "graceful-drain: Jetty stopped accepting; closed "
        + closed + " idle connection(s)");
  }

  private static boolean idle(Connection connection) {
    return connection instanceof HttpConnection http
        && http.getHttpChannel().getRequest() == null
        && http.isRequestBufferEmpty();
  }

  /**
   * Stops Jetty at once: the drain has already waited for the requests in flight (or reached its
   * deadline), so Jetty's own graceful wait would only spend the time left before SIGKILL.
   */
  @Override
  public void stop(Duration remaining) throws Exception {
    server.setStopTimeout(0);
    server.stop();
  }
}
