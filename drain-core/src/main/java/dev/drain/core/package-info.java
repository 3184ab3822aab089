/**
 * The graceful-drain API: {@link dev.drain.core.Drain} (state, readiness, in-flight tracking,
 * upload-aware admission), {@link dev.drain.core.DrainConfig}, {@link
 * dev.drain.core.ShutdownCoordinator} for SIGTERM, and {@link dev.drain.core.DrainBudget}.
 */
package dev.drain.core;
