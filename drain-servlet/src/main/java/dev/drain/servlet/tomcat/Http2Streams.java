package dev.drain.servlet.tomcat;

import java.lang.reflect.Field;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.coyote.http11.upgrade.UpgradeProcessorInternal;
import org.apache.tomcat.util.net.NioEndpoint;
import org.apache.tomcat.util.net.SocketWrapperBase;

/**
 * Tells whether a Tomcat connection that was upgraded to HTTP/2 is idle: no stream in progress.
 * Tomcat exposes neither the upgrade handler of a connection nor its stream count, so both are
 * read reflectively; when that fails (another Tomcat version), the connection counts as busy and
 * is closed when Tomcat stops.
 */
final class Http2Streams {

  private static final System.Logger LOG = System.getLogger("dev.drain");
  private static final String HTTP2_HANDLER = "org.apache.coyote.http2.Http2UpgradeHandler";

  private static final Field UPGRADE_HANDLER;
  private static final Field ACTIVE_STREAMS;

  static {
    Field handler = null;
    Field active = null;
    try {
      handler = UpgradeProcessorInternal.class.getDeclaredField("internalHttpUpgradeHandler");
      handler.setAccessible(true);
      active = Class.forName(HTTP2_HANDLER, false, UpgradeProcessorInternal.class.getClassLoader())
          .getDeclaredField("activeRemoteStreamCount");
      active.setAccessible(true);
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      LOG.log(System.Logger.Level.WARNING, "graceful-drain: cannot read Tomcat's HTTP/2 stream"
          + " count; idle HTTP/2 connections close when Tomcat stops", e);
      handler = null;
      active = null;
    }
    UPGRADE_HANDLER = handler;
    ACTIVE_STREAMS = active;
  }

  /** How long an HTTP/2 connection without streams must have been quiet to be closed. */
  static final long QUIET_MILLIS = 500;

  private Http2Streams() {}

  /**
   * Returns whether {@code socket}, served by {@code processor}, is an HTTP/2 connection that can
   * be closed without losing anything: no active stream, nothing queued to write, and neither a
   * read nor a write for {@link #QUIET_MILLIS}. Tomcat counts a stream as ended just before it
   * writes the stream's last frame, so the quiet time keeps that frame (and the GOAWAY sent at
   * pause) from being cut, and lets a stream the client opened before it saw the GOAWAY arrive.
   *
   * @param socket the connection
   * @param processor its current processor
   * @return false for any other processor, or when the count cannot be read
   */
  static boolean idle(SocketWrapperBase<?> socket, Object processor) {
    if (ACTIVE_STREAMS == null || !(processor instanceof UpgradeProcessorInternal)
        || !(socket instanceof NioEndpoint.NioSocketWrapper nio) || socket.hasDataToWrite()
        || System.currentTimeMillis() - Math.max(nio.getLastWrite(), nio.getLastRead())
            < QUIET_MILLIS) {
      return false;
    }
    try {
      Object handler = UPGRADE_HANDLER.get(processor);
      return ACTIVE_STREAMS.getDeclaringClass().isInstance(handler)
          && ((AtomicInteger) ACTIVE_STREAMS.get(handler)).get() == 0;
    } catch (ReflectiveOperationException | RuntimeException e) {
      return false;
    }
  }
}
