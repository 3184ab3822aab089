/** A user's service on the module path: Jetty 12 with graceful-drain's servlet filter. */
module dev.drain.consumer.modular {
  requires dev.drain.core;
  requires dev.drain.servlet;
  requires jakarta.servlet;
  requires org.eclipse.jetty.server;
  requires org.eclipse.jetty.ee10.servlet;
}
