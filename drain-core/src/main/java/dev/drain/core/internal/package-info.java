/**
 * Implementation of drain-core; not API, not exported by the module.
 */
package dev.drain.core.internal;
