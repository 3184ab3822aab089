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
 * listener that ends the in-flight handle when the async cycle completes. An async timeout or
 * error does not end it: the application's own listener may still write a response or dispatch
 * to render one, and the container completes the cycle afterwards in any case.
 */
final class TrackedRequestWrapper extends HttpServletRequestWrapper {

  private final Inflight inflight;
  private final ClosingResponse response;
  private volatile boolean asyncListening;
  private ServletInputStream stream;
  private BufferedReader reader;

  TrackedRequestWrapper(HttpServletRequest request, Inflight inflight, ClosingResponse response) {
    super(request);
    this.inflight = inflight;
    this.response = response;
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

  /**
   * Starts async with this request and the filter's response, so that what the application
   * writes from another thread still gets {@code Connection: close} while draining.
   */
  @Override
  public AsyncContext startAsync() {
    return listen(super.startAsync(this, response));
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

  /** Ends the handle when the async cycle completes; re-registers itself if async starts again. */
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
      // Not the end: the application may answer or dispatch; onComplete follows either way.
    }

    @Override
    public void onError(AsyncEvent event) {
      // Not the end while the response can still be written: the container completes the cycle
      // after its error handling. Once it is committed nothing more can be sent, and Jetty then
      // aborts the response without calling onComplete.
      ServletResponse response = event.getSuppliedResponse() != null
          ? event.getSuppliedResponse() : event.getAsyncContext().getResponse();
      if (response == null || response.isCommitted()) {
        inflight.close();
      }
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
      event.getAsyncContext().addListener(this);
    }
  }
}
