package dev.drain.servlet;

import dev.drain.core.DrainConfig;
import dev.drain.test.DrainBehaviourKit;
import dev.drain.test.KitServer;

/** The behaviour kit on a real Tomcat 11 server. */
class TomcatKitTest extends DrainBehaviourKit {

  @Override
  protected KitServer start(DrainConfig config) throws Exception {
    return KitServlets.serve(ServletServer.Kind.TOMCAT, config);
  }
}
