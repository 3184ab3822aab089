package dev.drain.netty;

import dev.drain.core.DrainConfig;
import dev.drain.test.DrainBehaviourKit;
import dev.drain.test.KitServer;

/** The behaviour kit on a real Netty server with {@link DrainHandler} after the codec. */
class NettyKitTest extends DrainBehaviourKit {

  @Override
  protected KitServer start(DrainConfig config) throws Exception {
    return NettyKitServer.start(config);
  }

  @Override
  protected boolean requestEndsWhenItsResponseIsWritten() {
    return true;
  }
}
