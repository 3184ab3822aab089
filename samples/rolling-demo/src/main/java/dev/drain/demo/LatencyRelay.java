package dev.drain.demo;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A TCP relay in front of one instance that delays every byte, FIN and reset by a fixed time in
 * each direction: the round trip of a real network hop, without which the keep-alive race (a
 * proxy reusing a pooled connection the server is closing) never shows on loopback.
 *
 * <p>It mirrors the instance's listening socket: once the instance refuses connections, the
 * relay stops accepting too, so the proxy sees a refused connect (and retries elsewhere) as it
 * would without the relay. It checks every 5 ms; a connection the relay accepted in between and
 * could not forward is reset and counted as {@link #refusedAfterAccept()}, a relay artifact the
 * demo reports apart from the instance's failures.
 */
final class LatencyRelay implements AutoCloseable {

  private static final Object EOF = new Object();
  private static final Object RESET = new Object();

  private final int target;
  private final long delayNanos;
  private final ServerSocket server;
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private final AtomicLong refusedAfterAccept = new AtomicLong();

  LatencyRelay(int target, Duration oneWay) throws IOException {
    this.target = target;
    this.delayNanos = oneWay.toNanos();
    this.server = new ServerSocket();
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 512);
    daemon("relay-accept-" + target, this::acceptLoop);
    daemon("relay-watch-" + target, this::watchLoop);
  }

  int port() {
    return server.getLocalPort();
  }

  long refusedAfterAccept() {
    return refusedAfterAccept.get();
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException stopped) {
        return;
      }
      Socket upstream = new Socket();
      try {
        upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), target));
      } catch (IOException refused) {
        refusedAfterAccept.incrementAndGet();
        reset(client);
        closeListener();
        continue;
      }
      sockets.add(client);
      sockets.add(upstream);
      java.util.concurrent.atomic.AtomicInteger open = new java.util.concurrent.atomic.AtomicInteger(2);
      Runnable ended = () -> {
        if (open.decrementAndGet() == 0) { // both directions done: release the sockets
          closeQuietly(client);
          closeQuietly(upstream);
        }
      };
      pipe(client, upstream, ended);
      pipe(upstream, client, ended);
    }
  }

  /**
   * Stops accepting as soon as the instance does: two refused connects in a row (a timeout under
   * load is not a refusal).
   */
  private void watchLoop() {
    int refusals = 0;
    while (!server.isClosed()) {
      try (Socket probe = new Socket()) {
        probe.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), target), 1000);
        refusals = 0;
      } catch (java.net.ConnectException refused) {
        if (++refusals >= 2) {
          closeListener();
          return;
        }
      } catch (IOException other) {
        refusals = 0;
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
    }
  }

  /** Copies {@code from} to {@code to}, each chunk, FIN or reset delivered one delay later. */
  private void pipe(Socket from, Socket to, Runnable ended) {
    BlockingQueue<Object[]> queue = new LinkedBlockingQueue<>();
    daemon("relay-read", () -> {
      byte[] buffer = new byte[64 * 1024];
      try {
        InputStream in = from.getInputStream();
        int n;
        while ((n = in.read(buffer)) >= 0) {
          queue.add(new Object[] {System.nanoTime() + delayNanos, Arrays.copyOf(buffer, n)});
        }
        queue.add(new Object[] {System.nanoTime() + delayNanos, EOF});
      } catch (IOException e) {
        queue.add(new Object[] {System.nanoTime() + delayNanos, RESET});
      }
    });
    daemon("relay-write", () -> {
      try {
        OutputStream out = to.getOutputStream();
        while (true) {
          Object[] item = queue.take();
          long wait = (long) item[0] - System.nanoTime();
          if (wait > 0) {
            LockSupport.parkNanos(wait); // the simulated wire: pacing, not waiting for a state
          }
          if (item[1] == EOF) {
            to.shutdownOutput();
            ended.run();
            return;
          }
          if (item[1] == RESET) {
            reset(to);
            ended.run();
            return;
          }
          out.write((byte[]) item[1]);
          out.flush();
        }
      } catch (IOException e) {
        reset(from); // the peer reset: pass it on
        reset(to);
        ended.run();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
  }

  private void closeListener() {
    try {
      server.close();
    } catch (IOException ignored) {
      // closing
    }
  }

  private void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // already gone
    }
    sockets.remove(socket);
  }

  private void reset(Socket socket) {
    try {
      socket.setSoLinger(true, 0);
      socket.close();
    } catch (IOException ignored) {
      // already gone
    }
    sockets.remove(socket);
  }

  private static void daemon(String name, Runnable task) {
    Thread thread = new Thread(task, name);
    thread.setDaemon(true);
    thread.start();
  }

  @Override
  public void close() {
    closeListener();
    for (Socket socket : sockets) {
      reset(socket);
    }
  }
}
