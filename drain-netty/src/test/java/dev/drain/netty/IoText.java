package dev.drain.netty;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** Small blocking HTTP/1.1 reads over any socket (a TLS one too), for the adversity tests. */
final class IoText {

  private IoText() {}

  static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }

  /** Sends {@code request} and returns the status of its answer, read to its end. */
  static int status(Socket socket, String request) throws IOException {
    socket.getOutputStream().write(ascii(request));
    return readStatus(socket);
  }

  /**
   * Reads one response with a {@code Content-Length} body and returns its status.
   *
   * @throws IOException when the connection ends first
   */
  static int readStatus(Socket socket) throws IOException {
    InputStream in = socket.getInputStream();
    String status = line(in);
    if (status == null) {
      throw new IOException("connection closed before a response");
    }
    long length = 0;
    for (String line; (line = line(in)) != null && !line.isEmpty(); ) {
      if (line.regionMatches(true, 0, "content-length:", 0, 15)) {
        length = Long.parseLong(line.substring(15).trim());
      }
    }
    in.readNBytes((int) length);
    return Integer.parseInt(status.split(" ")[1]);
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    for (int b; (b = in.read()) >= 0; ) {
      if (b == '\n') {
        int end = line.length();
        return end > 0 && line.charAt(end - 1) == '\r' ? line.substring(0, end - 1) : line.toString();
      }
      line.append((char) b);
    }
    return line.length() == 0 ? null : line.toString();
  }
}
