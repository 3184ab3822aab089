package dev.drain.netty;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A loopback relay for one connection that can hold back the second half of the next chunk the
 * client sends: a TLS record (or a head) split across TCP segments, the rest arriving when the
 * test says.
 */
final class SplitRelay implements AutoCloseable {

  private final ServerSocket listener;
  private final AtomicBoolean split = new AtomicBoolean();
  private final CountDownLatch held = new CountDownLatch(1);
  private final CountDownLatch released = new CountDownLatch(1);

  SplitRelay(int target) throws IOException {
    listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    Thread relay = new Thread(() -> {
      try (Socket client = listener.accept(); Socket server = new Socket("127.0.0.1", target)) {
        Thread back = new Thread(() -> copy(server, client));
        back.setDaemon(true);
        back.start();
        InputStream in = client.getInputStream();
        OutputStream out = server.getOutputStream();
        byte[] buffer = new byte[65536];
        for (int n; (n = in.read(buffer)) > 0; ) {
          if (n > 10 && split.compareAndSet(true, false)) {
            out.write(buffer, 0, n / 2);
            out.flush();
            held.countDown();
            released.await(10, TimeUnit.SECONDS);
            out.write(buffer, n / 2, n - n / 2);
          } else {
            out.write(buffer, 0, n);
          }
          out.flush();
        }
        back.join(5000);
      } catch (IOException | InterruptedException ended) {
        // the test closed the relay or a side
      }
    }, "split-relay");
    relay.setDaemon(true);
    relay.start();
  }

  private static void copy(Socket from, Socket to) {
    try {
      from.getInputStream().transferTo(to.getOutputStream());
    } catch (IOException ended) {
      // either side closed
    }
  }

  int port() {
    return listener.getLocalPort();
  }

  /** The next chunk from the client goes on only half; the rest waits for {@link #release()}. */
  void holdNextHalf() {
    split.set(true);
  }

  void awaitHeld() throws InterruptedException {
    if (!held.await(10, TimeUnit.SECONDS)) {
      throw new IllegalStateException("the client sent nothing to hold");
    }
  }

  void release() {
    released.countDown();
  }

  @Override
  public void close() throws IOException {
    released.countDown();
    listener.close();
  }
}
