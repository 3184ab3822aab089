package dev.drain.servlet;

import dev.drain.core.Drain;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import java.io.PrintWriter;

/**
 * The response the application sees: when the drain has started by the time the response is
 * committed — by a write that fills the buffer, a flush, {@code sendError} or {@code
 * sendRedirect}, on the request thread or an async one — it carries {@code Connection: close},
 * so a proxy does not reuse the connection after it. A response committed before the drain
 * started cannot be changed; its connection is closed by the server glue once idle.
 */
final class ClosingResponse extends HttpServletResponseWrapper {

  private final Drain drain;
  private volatile boolean marked;
  private ServletOutputStream stream;
  private PrintWriter writer;

  ClosingResponse(HttpServletResponse response, Drain drain) {
    super(response);
    this.drain = drain;
  }

  /** Adds {@code Connection: close} if the drain started and the response is not committed. */
  void markIfDraining() {
    if (!marked && drain.isDraining()) {
      marked = true;
      if (!isCommitted()) {
        setHeader(DrainFilter.CONNECTION, "close");
      }
    }
  }

  @Override
  public synchronized ServletOutputStream getOutputStream() throws IOException {
    if (stream == null) {
      stream = new MarkingStream(super.getOutputStream()); // the container checks getWriter()
    }
    return stream;
  }

  @Override
  public synchronized PrintWriter getWriter() throws IOException {
    if (writer == null) {
      writer = new MarkingWriter(super.getWriter()); // the container resolves the charset
    }
    return writer;
  }

  @Override
  public void flushBuffer() throws IOException {
    markIfDraining();
    super.flushBuffer();
  }

  @Override
  public void sendError(int sc, String msg) throws IOException {
    markIfDraining();
    super.sendError(sc, msg);
  }

  @Override
  public void sendError(int sc) throws IOException {
    markIfDraining();
    super.sendError(sc);
  }

  @Override
  public void sendRedirect(String location) throws IOException {
    markIfDraining();
    super.sendRedirect(location);
  }

  @Override
  public void sendRedirect(String location, int sc, boolean clearBuffer) throws IOException {
    markIfDraining();
    super.sendRedirect(location, sc, clearBuffer);
  }

  /** Marks before every write or flush; bytes go straight to the container's stream. */
  private final class MarkingStream extends ServletOutputStream {
    private final ServletOutputStream delegate;

    MarkingStream(ServletOutputStream delegate) {
      this.delegate = delegate;
    }

    @Override
    public void write(int b) throws IOException {
      markIfDraining();
      delegate.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      markIfDraining();
      delegate.write(b, off, len);
    }

    @Override
    public void flush() throws IOException {
      markIfDraining();
      delegate.flush();
    }

    @Override
    public void close() throws IOException {
      markIfDraining();
      delegate.close();
    }

    @Override
    public boolean isReady() {
      return delegate.isReady();
    }

    @Override
    public void setWriteListener(WriteListener listener) {
      delegate.setWriteListener(listener);
    }
  }

  /** Marks before every write or flush; characters go straight to the container's writer. */
  private final class MarkingWriter extends PrintWriter {
    MarkingWriter(PrintWriter delegate) {
      super(delegate, false);
    }

    @Override
    public void write(int c) {
      markIfDraining();
      super.write(c);
    }

    @Override
    public void write(char[] buf, int off, int len) {
      markIfDraining();
      super.write(buf, off, len);
    }

    @Override
    public void write(String s, int off, int len) {
      markIfDraining();
      super.write(s, off, len);
    }

    @Override
    public void flush() {
      markIfDraining();
      super.flush();
    }

    @Override
    public void close() {
      markIfDraining();
      super.close();
    }
  }
}
