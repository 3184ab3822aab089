/**
 * Drain glue for embedded Jetty 12; needs {@code jetty-server} on the class path.
 */
package dev.drain.servlet.jetty;
