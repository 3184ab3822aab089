package dev.drain.benchmarks;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A minimal HTTP/1.1 client on one keep-alive loopback connection: it writes a request and reads
 * the response whole, so that the server's work, not a client library's, dominates what a
 * benchmark measures. Fails loudly on any status but 200 or a connection the server closed.
 */
final class LoopbackClient implements AutoCloseable {

  private final Socket socket;
  private final OutputStream out;
  private final InputStream in;
  private final byte[] sink = new byte[64 * 1024];

  LoopbackClient(int port) throws IOException {
    socket = new Socket(InetAddress.getLoopbackAddress(), port);
    socket.setTcpNoDelay(true);
    out = socket.getOutputStream();
    in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
  }

  /**
   * Sends a request that has no body and reads the response.
   *
   * @param request the request's bytes, from {@link #getRequest(String)}
   * @return the body length
   * @throws IOException on a broken connection or a status other than 200
   */
  long get(byte[] request) throws IOException {
    out.write(request);
    out.flush();
    return readResponse();
  }

  /**
   * Sends a POST whose body is {@code chunk} repeated {@code times} times and reads the response.
   *
   * @param path the path
   * @param chunk the bytes to repeat
   * @param times how often
   * @return the response body length
   * @throws IOException on a broken connection or a status other than 200
   */
  long post(String path, byte[] chunk, int times) throws IOException {
    long length = (long) chunk.length * times;
    out.write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " + length
        + "\r\nContent-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    for (int i = 0; i < times; i++) {
      out.write(chunk);
    }
    out.flush();
    return readResponse();
  }

  static byte[] getRequest(String path) {
    return ("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII);
  }

  private long readResponse() throws IOException {
    String status = line();
    if (!status.startsWith("HTTP/1.1 200")) {
      throw new IOException("unexpected status: " + status);
    }
    long length = -1;
    for (String header = line(); !header.isEmpty(); header = line()) {
      int colon = header.indexOf(':');
      if (colon > 0 && header.regionMatches(true, 0, "content-length", 0, colon)) {
        length = Long.parseLong(header.substring(colon + 1).trim());
      }
    }
    if (length < 0) {
      throw new IOException("no Content-Length in the response");
    }
    long left = length;
    while (left > 0) {
      int n = in.read(sink, 0, (int) Math.min(sink.length, left));
      if (n < 0) {
        throw new IOException("connection closed mid-body");
      }
      left -= n;
    }
    return length;
  }

  private String line() throws IOException {
    StringBuilder line = new StringBuilder(64);
    for (int b = in.read(); b != '\n'; b = in.read()) {
      if (b < 0) {
        throw new IOException("connection closed by the server");
      }
      if (b != '\r') {
        line.append((char) b);
      }
    }
    return line.toString();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
