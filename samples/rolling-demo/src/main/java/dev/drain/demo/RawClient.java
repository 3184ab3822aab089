package dev.drain.demo;

import dev.drain.test.RawHttp;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** One request per connection to a loopback port, with an optional streamed body. */
final class RawClient {

  private RawClient() {}

  static RawHttp.Response get(int port, String path) throws IOException {
    try (RawHttp http = new RawHttp(port)) {
      http.send("GET " + path + " HTTP/1.1\r\nHost: demo\r\nConnection: close\r\n\r\n");
      return http.read();
    }
  }

  static RawHttp.Response post(int port, String path, InputStream body, long length)
      throws IOException {
    try (RawHttp http = new RawHttp(port)) {
      http.socket().setSoTimeout(120_000);
      http.send("POST " + path + " HTTP/1.1\r\nHost: demo\r\nConnection: close\r\n"
          + "Content-Type: application/octet-stream\r\nContent-Length: " + length + "\r\n\r\n");
      OutputStream out = http.socket().getOutputStream();
      body.transferTo(out);
      out.flush();
      return http.read();
    }
  }
}
