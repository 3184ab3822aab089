/**
 * The Jakarta Servlet adapter: {@link dev.drain.servlet.DrainFilter} and its probes.
 */
package dev.drain.servlet;
