package dev.drain.spring;

import dev.drain.core.Drain;
import dev.drain.core.ProbeConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.RequestMappingInfoHandlerMapping;

/**
 * Warns at startup when one of the application's own MVC mappings has a probe's path: the drain's
 * filter answers that path first, so the application's handler would never run.
 */
final class ProbePathCollisions implements SmartInitializingSingleton {

  private static final System.Logger LOG = System.getLogger("dev.drain");

  private final Drain drain;
  private final ObjectProvider<RequestMappingInfoHandlerMapping> mappings;

  ProbePathCollisions(Drain drain, ObjectProvider<RequestMappingInfoHandlerMapping> mappings) {
    this.drain = drain;
    this.mappings = mappings;
  }

  @Override
  public void afterSingletonsInstantiated() {
    for (String warning : warnings()) {
      LOG.log(System.Logger.Level.WARNING, warning);
    }
  }

  /** The warnings, one per mapping that a probe shadows. */
  List<String> warnings() {
    ProbeConfig probes = drain.config().probes();
    List<String> warnings = new ArrayList<>();
    mappings.orderedStream().forEach(mapping -> {
      for (Map.Entry<RequestMappingInfo, HandlerMethod> entry
          : mapping.getHandlerMethods().entrySet()) {
        Set<String> paths = entry.getKey().getPatternValues();
        check(warnings, paths, probes.readinessPath(), "drain.probe.readiness-path",
            entry.getValue());
        if (probes.statusEnabled() || probes.drainEndpointEnabled()) {
          check(warnings, paths, probes.statusPath(), "drain.probe.status-path",
              entry.getValue());
        }
      }
    });
    return warnings;
  }

  private static void check(List<String> warnings, Set<String> paths, String probe,
      String property, HandlerMethod handler) {
    if (paths.contains(probe)) {
      warnings.add("graceful-drain: the drain's probe answers " + probe + " before "
          + handler.getShortLogMessage() + ", which is mapped to it and never runs; set "
          + property + " to another path");
    }
  }
}
