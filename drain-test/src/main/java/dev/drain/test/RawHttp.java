package dev.drain.test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A plain socket speaking HTTP/1.1 by hand: for malformed input, keep-alive and close checks,
 * where a real client would hide what the server did.
 */
public final class RawHttp implements AutoCloseable {

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  /**
   * Connects to 127.0.0.1.
   *
   * @param port the port
   * @throws IOException when the connection is refused
   */
  public RawHttp(int port) throws IOException {
    this(port, 0);
  }

  /**
   * Connects to 127.0.0.1 with a fixed receive buffer, for a client that must not take in more
   * than it reads (the kernel otherwise grows the buffer to many megabytes on loopback).
   *
   * @param port the port
   * @param receiveBuffer the receive buffer in bytes; 0 keeps the system's
   * @throws IOException when the connection is refused
   */
  public RawHttp(int port, int receiveBuffer) throws IOException {
    socket = new Socket();
    if (receiveBuffer > 0) {
      socket.setReceiveBufferSize(receiveBuffer);
    }
    socket.connect(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
    socket.setSoTimeout(10_000);
    in = socket.getInputStream();
    out = socket.getOutputStream();
  }

  /**
   * Returns the socket.
   *
   * @return the socket
   */
  public Socket socket() {
    return socket;
  }

  /**
   * Sends text as ISO-8859-1 bytes.
   *
   * @param text what to send
   * @return this
   * @throws IOException on failure
   */
  public RawHttp send(String text) throws IOException {
    return send(text.getBytes(StandardCharsets.ISO_8859_1));
  }

  /**
   * Sends bytes.
   *
   * @param bytes what to send
   * @return this
   * @throws IOException on failure
   */
  public RawHttp send(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
    return this;
  }

  /**
   * Sends {@code GET path} on this connection and reads the response.
   *
   * @param path the path
   * @return the response
   * @throws IOException on failure
   */
  public Response get(String path) throws IOException {
    send("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    return read();
  }

  /**
   * Reads one response: status line, headers, and a body delimited by Content-Length, chunked
   * encoding, or the end of the connection.
   *
   * @return the response
   * @throws IOException on failure or when the connection ends before a status line
   */
  public Response read() throws IOException {
    return readBody(readHead());
  }

  /**
   * Reads a response's status line and headers only, for a response whose body is still to come.
   *
   * @return the response without its body
   * @throws IOException on failure or when the connection ends before a status line
   */
  public Response readHead() throws IOException {
    String status = line();
    if (status == null) {
      throw new IOException("connection closed before a response");
    }
    Map<String, String> headers = new LinkedHashMap<>();
    String line;
    while ((line = line()) != null && !line.isEmpty()) {
      int colon = line.indexOf(':');
      headers.merge(line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
          line.substring(colon + 1).trim(), (a, b) -> a + ", " + b);
    }
    return new Response(Integer.parseInt(status.split(" ")[1]), headers, "");
  }

  /**
   * Reads the body of a response whose head {@link #readHead()} read.
   *
   * @param head the head
   * @return the whole response
   * @throws IOException on failure
   */
  public Response readBody(Response head) throws IOException {
    int code = head.status();
    Map<String, String> headers = head.headers();
    String line;
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    if (code == 100 || code == 204 || code == 304) {
      return new Response(code, headers, "");
    }
    if (headers.containsKey("content-length")) {
      long length = Long.parseLong(headers.get("content-length"));
      body.write(in.readNBytes((int) Math.min(length, Integer.MAX_VALUE))); // less at an early end
    } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
      int size;
      while ((size = Integer.parseInt(line().split(";")[0].trim(), 16)) > 0) {
        body.write(in.readNBytes(size));
        line();
      }
      while ((line = line()) != null && !line.isEmpty()) {
        // trailers
      }
    } else {
      body.write(in.readAllBytes());
    }
    return new Response(code, headers, body.toString(StandardCharsets.UTF_8));
  }

  /**
   * Returns whether the peer closed (or reset) the connection within {@code millis}; false when
   * the connection is still open and silent after that long.
   *
   * @param millis how long to wait for the close
   * @return true when closed
   * @throws IOException when bytes arrive instead
   */
  public boolean closedWithin(int millis) throws IOException {
    int timeout = socket.getSoTimeout();
    socket.setSoTimeout(millis);
    try {
      int b = in.read();
      if (b >= 0) {
        throw new IOException("unexpected byte " + b + " on an idle connection");
      }
      return true;
    } catch (SocketTimeoutException stillOpen) {
      return false;
    } catch (java.net.SocketException reset) {
      return true;
    } finally {
      if (!socket.isClosed()) {
        socket.setSoTimeout(timeout);
      }
    }
  }

  private String line() throws IOException {
    StringBuilder line = new StringBuilder();
    int b;
    while ((b = in.read()) >= 0) {
      if (b == '\n') {
        int end = line.length();
        if (end > 0 && line.charAt(end - 1) == '\r') {
          line.setLength(end - 1);
        }
        return line.toString();
      }
      line.append((char) b);
    }
    return line.length() == 0 ? null : line.toString();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }

  /**
   * A response.
   *
   * @param status the status code
   * @param headers headers, names lowercased
   * @param body the body as UTF-8 text
   */
  public record Response(int status, Map<String, String> headers, String body) {
    /**
     * Returns whether the response says {@code Connection: close}.
     *
     * @return true when the server will close the connection
     */
    public boolean connectionClose() {
      return "close".equalsIgnoreCase(headers.getOrDefault("connection", ""));
    }
  }
}
