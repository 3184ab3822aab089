/**
 * Micrometer metrics for a drain; needs {@code micrometer-core} on the class path.
 */
package dev.drain.core.micrometer;
