package dev.drain.netty;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A self-signed key made by the JDK's {@code keytool} for the test, the Netty server context
 * that uses it, and clients that trust it (loopback only).
 */
final class TlsFixture {

  private static final char[] SECRET = "secret".toCharArray();
  private final SslContext server;
  private final SSLContext client;

  private TlsFixture(SslContext server, SSLContext client) {
    this.server = server;
    this.client = client;
  }

  static TlsFixture create() throws Exception {
    Path dir = Files.createTempDirectory("drain-tls");
    Path store = dir.resolve("key.p12");
    Process keytool = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-genkeypair",
        "-alias", "test", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=localhost",
        "-validity", "2", "-storetype", "PKCS12", "-keystore", store.toString(),
        "-storepass", "secret", "-keypass", "secret").redirectErrorStream(true).start();
    keytool.getInputStream().readAllBytes();
    if (!keytool.waitFor(60, TimeUnit.SECONDS) || keytool.exitValue() != 0) {
      throw new IllegalStateException("keytool failed");
    }
    KeyStore keys = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      keys.load(in, SECRET);
    }
    KeyManagerFactory factory =
        KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    factory.init(keys, SECRET);
    SSLContext client = SSLContext.getInstance("TLS");
    client.init(null, new TrustManager[] {new X509TrustManager() {
      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
      }
    }}, null);
    return new TlsFixture(SslContextBuilder.forServer(factory).build(), client);
  }

  SslContext server() {
    return server;
  }

  /** A TLS client connected to {@code port} on loopback, its handshake done. */
  SSLSocket client(int port) throws Exception {
    SSLSocket socket = (SSLSocket) client.getSocketFactory().createSocket(
        new Socket("127.0.0.1", port), "127.0.0.1", port, true);
    socket.setSoTimeout(10_000);
    socket.startHandshake();
    return socket;
  }
}
