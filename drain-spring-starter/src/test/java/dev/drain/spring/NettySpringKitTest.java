package dev.drain.spring;

import dev.drain.core.DrainConfig;
import dev.drain.test.DrainBehaviourKit;
import dev.drain.test.KitServer;

/** The behaviour kit on a Spring Boot application with the starter, on Boot's Netty. */
class NettySpringKitTest extends DrainBehaviourKit {

  @Override
  protected KitServer start(DrainConfig config) {
    return SpringKitServer.start(SpringKitServer.Kind.NETTY, config);
  }

  @Override
  protected boolean requestEndsWhenItsResponseIsWritten() {
    return true;
  }
}
