/**
 * Drain glue for embedded Tomcat 11; needs {@code tomcat-embed-core} on the class path.
 */
package dev.drain.servlet.tomcat;
