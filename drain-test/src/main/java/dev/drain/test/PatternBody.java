package dev.drain.test;

import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.locks.LockSupport;

/**
 * A deterministic upload body of any length, optionally paced to a byte rate, generated on the
 * fly (never held in memory). Its SHA-256 is known before it is sent.
 */
public final class PatternBody extends InputStream {

  private static final int CHUNK = 64 * 1024;

  private final long length;
  private final long bytesPerSecond;
  private long position;
  private long startNanos = -1;

  /**
   * Creates a body.
   *
   * @param length bytes to produce
   * @param bytesPerSecond pace, or 0 for as fast as the reader takes it
   */
  public PatternBody(long length, long bytesPerSecond) {
    this.length = length;
    this.bytesPerSecond = bytesPerSecond;
  }

  /**
   * Returns the byte at a position.
   *
   * @param position the position
   * @return the byte
   */
  static byte byteAt(long position) {
    return (byte) ((position * 31 + (position >>> 13)) & 0xff);
  }

  /**
   * Computes the SHA-256 of the first {@code length} bytes, as lowercase hex.
   *
   * @param length the length
   * @return the hex digest
   */
  public static String sha256(long length) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      byte[] buffer = new byte[CHUNK];
      long done = 0;
      while (done < length) {
        int n = (int) Math.min(buffer.length, length - done);
        for (int i = 0; i < n; i++) {
          buffer[i] = byteAt(done + i);
        }
        digest.update(buffer, 0, n);
        done += n;
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public int read() {
    byte[] one = new byte[1];
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] buffer, int offset, int max) {
    if (position >= length) {
      return -1;
    }
    int n = (int) Math.min(Math.min(max, CHUNK), length - position);
    pace(n);
    for (int i = 0; i < n; i++) {
      buffer[offset + i] = byteAt(position + i);
    }
    position += n;
    return n;
  }

  /** Holds the next chunk back until the pace allows it: this is the simulated slow client. */
  private void pace(int next) {
    if (bytesPerSecond <= 0) {
      return;
    }
    if (startNanos < 0) {
      startNanos = System.nanoTime();
    }
    long due = startNanos + (long) ((position + next) * 1e9 / bytesPerSecond);
    long wait;
    while ((wait = due - System.nanoTime()) > 0) {
      LockSupport.parkNanos(wait);
    }
  }
}
