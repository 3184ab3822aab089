package dev.drain.servlet;

import dev.drain.core.DrainConfig;
import dev.drain.test.DrainBehaviourKit;
import dev.drain.test.KitServer;

/** The behaviour kit on a real Jetty 12 (ee10) server. */
class JettyKitTest extends DrainBehaviourKit {

  @Override
  protected KitServer start(DrainConfig config) throws Exception {
    return KitServlets.serve(ServletServer.Kind.JETTY, config);
  }
}
