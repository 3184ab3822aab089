package dev.drain.demo;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Loopback ports for the processes the harness configures by port (nginx, relays).
 *
 * <p>A port from the kernel's ephemeral range, picked by binding port 0 and then released, can
 * be taken before its user binds it: by an instance that binds port 0 or by any client socket,
 * which draw from the same range. A clean-clone build saw it once: nginx failed with "bind()
 * to 127.0.0.1:44769 failed (Address already in use)" while a sample instance listened there.
 * So the ports come from just below the ephemeral range, and none is handed out twice.
 */
final class Ports {

  private static final int SPAN = 10_000;
  private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

  private Ports() {}

  /** A loopback port that is free now, below the ephemeral range, never returned before. */
  static int free() throws IOException {
    int below = ephemeralLow();
    if (below <= 1024 + 1000) {
      throw new IOException("the ephemeral port range starts at " + below
          + ": no room for ports below it");
    }
    int low = Math.max(1024, below - SPAN);
    for (int attempt = 0; attempt < 1000; attempt++) {
      int port = ThreadLocalRandom.current().nextInt(low, below);
      if (!HANDED_OUT.add(port)) {
        continue;
      }
      try (ServerSocket socket = new ServerSocket()) {
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
        return port;
      } catch (IOException taken) {
        // in use by another process: try another
      }
    }
    throw new IOException("no free loopback port in " + low + "-" + (below - 1));
  }

  /** The low end of Linux's ephemeral port range; 32768 where it cannot be read. */
  private static int ephemeralLow() {
    Path range = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
    try {
      // readAllLines, not readString: on this /proc file readString returned "3" of
      // "32768\t60999" (JDK 17).
      return Integer.parseInt(Files.readAllLines(range).get(0).trim().split("\\s+")[0]);
    } catch (IOException | RuntimeException unreadable) {
      return 32_768;
    }
  }
}
