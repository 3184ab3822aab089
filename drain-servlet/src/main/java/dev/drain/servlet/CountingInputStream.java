package dev.drain.servlet;

import dev.drain.core.Inflight;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import java.io.IOException;

/**
 * Counts body bytes as the application reads them, blocking or through a {@link ReadListener},
 * and reports them to the request's {@link Inflight}; nothing is copied.
 */
final class CountingInputStream extends ServletInputStream {

  private final ServletInputStream delegate;
  private final Inflight inflight;

  CountingInputStream(ServletInputStream delegate, Inflight inflight) {
    this.delegate = delegate;
    this.inflight = inflight;
  }

  @Override
  public int read() throws IOException {
    int b = delegate.read();
    if (b >= 0) {
      inflight.onBytes(1);
    }
    return b;
  }

  @Override
  public int read(byte[] buffer, int offset, int length) throws IOException {
    return counted(delegate.read(buffer, offset, length));
  }

  @Override
  public int readLine(byte[] buffer, int offset, int length) throws IOException {
    return counted(delegate.readLine(buffer, offset, length));
  }

  @Override
  public long skip(long n) throws IOException {
    long skipped = delegate.skip(n);
    inflight.onBytes(skipped);
    return skipped;
  }

  @Override
  public int available() throws IOException {
    return delegate.available();
  }

  @Override
  public void close() throws IOException {
    delegate.close();
  }

  @Override
  public boolean isFinished() {
    return delegate.isFinished();
  }

  @Override
  public boolean isReady() {
    return delegate.isReady();
  }

  @Override
  public void setReadListener(ReadListener readListener) {
    // Bytes are counted in read(), which the listener's onDataAvailable calls on this stream.
    delegate.setReadListener(readListener);
  }

  private int counted(int n) {
    if (n > 0) {
      inflight.onBytes(n);
    }
    return n;
  }
}
