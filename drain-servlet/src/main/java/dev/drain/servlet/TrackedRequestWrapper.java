package dev.drain.servlet;

import dev.drain.core.Inflight;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/**
 * The request the application sees: its body is counted, and starting async registers the
 * listener that ends the in-flight handle when the async cycle ends, however it ends.
 */
final class TrackedRequestWrapper extends HttpServletRequestWrapper {

  private final Inflight inflight;
  private volatile boolean asyncListening;
  private ServletInputStream stream;
  private BufferedReader reader;

  TrackedRequestWrapper(HttpServletRequest request, Inflight inflight) {
    super(request);
    this.inflight = inflight;
  }

  @Override
  public synchronized ServletInputStream getInputStream() throws IOException {
    if (reader != null) {
      throw new IllegalStateException("getReader() has already been called for this request");
    }
    if (stream == null) {
      stream = new CountingInputStream(super.getInputStream(), inflight);
    }
    return stream;
  }

  @Override
  public synchronized BufferedReader getReader() throws IOException {
    if (reader == null) {
      if (stream != null) {
        throw new IllegalStateException(
            "getInputStream() has already been called for this request");
      }
      String encoding = getCharacterEncoding();
      Charset charset = encoding == null ? StandardCharsets.ISO_8859_1 : Charset.forName(encoding);
      reader = new BufferedReader(new InputStreamReader(
          new CountingInputStream(super.getInputStream(), inflight), charset));
    }
    return reader;
  }

  @Override
  public AsyncContext startAsync() {
    return listen(super.startAsync());
  }

  @Override
  public AsyncContext startAsync(ServletRequest request, ServletResponse response) {
    return listen(super.startAsync(request, response));
  }

  /**
   * Returns whether the handle is now the async listener's to close.
   *
   * @return true once async started through this request, or the container says so
   */
  boolean closesAsynchronously() {
    if (asyncListening) {
      return true;
    }
    if (isAsyncStarted()) {
      listen(getAsyncContext());
      return true;
    }
    return false;
  }

  private synchronized AsyncContext listen(AsyncContext context) {
    if (!asyncListening) {
      asyncListening = true;
      context.addListener(new Closer(inflight));
    }
    return context;
  }

  /** Ends the handle when the async cycle ends; re-registers itself if async starts again. */
  private static final class Closer implements AsyncListener {
    private final Inflight inflight;

    Closer(Inflight inflight) {
      this.inflight = inflight;
    }

    @Override
    public void onComplete(AsyncEvent event) {
      inflight.close();
    }

    @Override
    public void onTimeout(AsyncEvent event) {
      inflight.close();
    }

    @Override
    public void onError(AsyncEvent event) {
      inflight.close();
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
      event.getAsyncContext().addListener(this);
    }
  }
}
