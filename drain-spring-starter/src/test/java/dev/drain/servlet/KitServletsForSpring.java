package dev.drain.servlet;

import jakarta.servlet.http.HttpServlet;
import java.util.Map;
import java.util.function.LongSupplier;

/** The servlet adapter's kit servlets, for the starter's tests to register in Spring Boot. */
public final class KitServletsForSpring {

  private final KitServlets servlets;

  /**
   * Creates the servlets.
   *
   * @param inflight the drain's in-flight count, which some endpoints report
   */
  public KitServletsForSpring(LongSupplier inflight) {
    this.servlets = new KitServlets(inflight);
  }

  /** Returns the servlets by path, without the catch-all {@code /} (Spring's dispatcher has it). */
  public Map<String, HttpServlet> byPath() {
    Map<String, HttpServlet> all = new java.util.HashMap<>(servlets.byPath());
    all.remove("/");
    return all;
  }

  /** Returns the body bytes {@code /upload} has read. */
  public long uploadBytes() {
    return servlets.uploadBytes.get();
  }

  /** Stops the servlets' own executor. */
  public void close() {
    servlets.close();
  }
}
