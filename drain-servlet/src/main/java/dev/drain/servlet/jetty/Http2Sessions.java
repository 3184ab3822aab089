package dev.drain.servlet.jetty;

import org.eclipse.jetty.http2.HTTP2Connection;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.IdleTimeout;

/**
 * Tells whether a Jetty connection is an HTTP/2 session without a stream. After its GOAWAY,
 * Jetty keeps such a session open until the client closes it or the idle timeout ends it; the
 * glue closes it itself. Loaded only when Jetty's HTTP/2 classes are present.
 */
final class Http2Sessions {

  private static final boolean PRESENT = present();
  /**
   * How long a session without streams must have been quiet (no read, no write) to be closed:
   * the GOAWAY sent at StopAccepting and the last frames are out, and a stream the client opened
   * before it saw the GOAWAY has had a round trip to arrive.
   */
  static final long QUIET_MILLIS = 500;

  private Http2Sessions() {}

  private static boolean present() {
    try {
      Class.forName("org.eclipse.jetty.http2.HTTP2Connection", false,
          Http2Sessions.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError absent) {
      return false;
    }
  }

  /**
   * Returns whether {@code connection} is HTTP/2, has no stream open and has been quiet for
   * {@link #QUIET_MILLIS}.
   *
   * @param connection a connection of the server
   * @return false for HTTP/1.1 and when Jetty's HTTP/2 is not on the class path
   */
  static boolean idle(Connection connection) {
    return PRESENT && Idle.test(connection);
  }

  /** Holds the references to HTTP/2 classes, resolved only when they are present. */
  private static final class Idle {
    static boolean test(Connection connection) {
      return connection instanceof HTTP2Connection http2
          && http2.getSession().getStreamCount() == 0
          && http2.getEndPoint() instanceof IdleTimeout endPoint
          && endPoint.getIdleFor() >= QUIET_MILLIS;
    }
  }
}
