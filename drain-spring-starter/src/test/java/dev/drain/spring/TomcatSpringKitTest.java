package dev.drain.spring;

import dev.drain.core.DrainConfig;
import dev.drain.test.DrainBehaviourKit;
import dev.drain.test.KitServer;

/** The behaviour kit on a Spring Boot application with the starter, on Boot's Tomcat. */
class TomcatSpringKitTest extends DrainBehaviourKit {

  @Override
  protected KitServer start(DrainConfig config) {
    return SpringKitServer.start(SpringKitServer.Kind.TOMCAT, config);
  }
}
