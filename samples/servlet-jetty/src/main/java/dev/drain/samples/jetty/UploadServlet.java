package dev.drain.samples.jetty;

import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * {@code POST /upload}: streams the body through SHA-256, never holding it, and answers {@code
 * {"bytes":N,"sha256":"<hex>"}}; 400 when fewer bytes arrive than {@code Content-Length} says
 * (a proxy that was stopped mid-body ends the stream cleanly).
 */
final class UploadServlet extends HttpServlet {

  private static final long serialVersionUID = 1L;

  @Override
  protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    long total = 0;
    byte[] buffer = new byte[64 * 1024];
    ServletInputStream in = req.getInputStream();
    int n;
    while ((n = in.read(buffer)) >= 0) {
      digest.update(buffer, 0, n);
      total += n;
    }
    long declared = req.getContentLengthLong();
    if (declared >= 0 && declared != total) {
      resp.sendError(400, "truncated body: " + total + " of " + declared + " bytes");
      return;
    }
    ServletJettyApp.write(resp, "application/json",
        "{\"bytes\":" + total + ",\"sha256\":\"" + HexFormat.of().formatHex(digest.digest()) + "\"}");
  }
}
