/**
 * graceful-drain for Netty: {@link dev.drain.netty.NettyDrain} makes one {@link
 * dev.drain.netty.DrainHandler} per channel, placed right after {@code HttpServerCodec}, and the
 * {@link dev.drain.netty.NettyServerControl} the shutdown coordinator uses. Netty is a provided
 * dependency: 4.1.x and 4.2.x are supported.
 */
package dev.drain.netty;
