package dev.drain.test;

import dev.drain.core.Drain;
import dev.drain.core.ShutdownCoordinator;
import java.util.function.LongSupplier;

/**
 * A real server started by an adapter's kit test, on 127.0.0.1 and a port the OS chose, serving:
 *
 * <ul>
 *   <li>{@code GET /hello} → 200 {@code hello};
 *   <li>{@code POST /upload} → the body streamed, never held → 200 {@code
 *       {"bytes":N,"sha256":"<hex>"}}; 400 when fewer bytes than declared arrive;
 *   <li>{@code GET /slow?ms=N} → 200 {@code slow} after N ms of work;
 *   <li>{@code GET /async?ms=N} → 200 {@code async}, completed N ms later off the request thread;
 *   <li>{@code GET /async-timeout?ms=N} → async with an N ms timeout that never completes;
 *   <li>{@code GET /throw} → the handler throws;
 *   <li>{@code GET /async-timeout-answer?ms=N&work=W} → async with an N ms timeout whose own
 *       listener works W ms, then answers 504 {@code timeout answered, in flight C} (C: the
 *       drain's in-flight count at that moment) and completes;
 *   <li>{@code GET /async-timeout-dispatch?ms=N&work=W} → async with an N ms timeout whose own
 *       listener dispatches to {@code /render?work=W};
 *   <li>{@code GET /render?work=W} → 200 {@code rendered, in flight C} after W ms;
 *   <li>{@code GET /stream?wait=W} → 200, {@code start\n} flushed at once (committed), then
 *       {@code end\n} W ms later;
 *   <li>{@code GET /late?wait=W&size=N[&flush=false]} → W ms of work, then N bytes written
 *       (with their {@code Content-Length}) and flushed; with {@code flush=false} the handler
 *       buffers all N bytes (no {@code Content-Length}) and returns, and the server writes them
 *       after it returned;
 *   <li>{@code GET /async-late?wait=W} → async; W ms later another thread writes and flushes
 *       {@code async late} and completes;
 *   <li>the adapter's probes on {@code /readyz} and {@code /drainz}.
 * </ul>
 *
 * Its drain is ready ({@code markReady()} called) and its coordinator is created, not installed
 * as a JVM hook: tests call {@link ShutdownCoordinator#shutdown(String)} themselves.
 */
public interface KitServer extends AutoCloseable {

  /**
   * Returns the port.
   *
   * @return the bound port
   */
  int port();

  /**
   * Returns the drain.
   *
   * @return the drain the adapter reports to
   */
  Drain drain();

  /**
   * Returns the coordinator wired to this server's glue.
   *
   * @return the coordinator
   */
  ShutdownCoordinator coordinator();

  /**
   * Returns how many body bytes {@code /upload} handlers have read so far, in total.
   *
   * @return bytes
   */
  long uploadBytesRead();

  /** Stops the server if still running. */
  @Override
  void close() throws Exception;

  /**
   * Returns a server made of its parts.
   *
   * @param port the bound port
   * @param drain the drain
   * @param coordinator the coordinator
   * @param uploadBytesRead the running total of body bytes read by {@code /upload}
   * @param stop stops the server
   * @return the server
   */
  static KitServer of(int port, Drain drain, ShutdownCoordinator coordinator,
      LongSupplier uploadBytesRead, AutoCloseable stop) {
    return new KitServer() {
      @Override
      public int port() {
        return port;
      }

      @Override
      public Drain drain() {
        return drain;
      }

      @Override
      public ShutdownCoordinator coordinator() {
        return coordinator;
      }

      @Override
      public long uploadBytesRead() {
        return uploadBytesRead.getAsLong();
      }

      @Override
      public void close() throws Exception {
        stop.close();
      }
    };
  }
}
