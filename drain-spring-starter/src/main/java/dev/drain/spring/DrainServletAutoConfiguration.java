package dev.drain.spring;

import dev.drain.core.Drain;
import dev.drain.core.ServerControl;
import dev.drain.servlet.DrainFilter;
import dev.drain.servlet.jetty.JettyServerControl;
import dev.drain.servlet.tomcat.TomcatServerControl;
import jakarta.servlet.DispatcherType;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.jetty.JettyWebServer;
import org.springframework.boot.tomcat.TomcatConnectorCustomizer;
import org.springframework.boot.tomcat.TomcatWebServer;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;
import org.springframework.web.servlet.mvc.method.RequestMappingInfoHandlerMapping;

/**
 * Spring MVC on Tomcat or Jetty: {@link DrainFilter} first in the chain, Tomcat's connector set
 * to send {@code 100 Continue} only when the application reads the body, and the drain glue of
 * the running server.
 */
@AutoConfiguration(after = DrainAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass({DrainFilter.class, FilterRegistrationBean.class})
@ConditionalOnBean(Drain.class)
public class DrainServletAutoConfiguration {

  /** Creates the configuration; Spring calls it. */
  public DrainServletAutoConfiguration() {}

  /**
   * The filter, first in the chain, on every path, for the {@code REQUEST} dispatcher, with
   * async support: it also answers the probes ({@code drain.probe.*}).
   *
   * Requests to the actuator's health endpoint and from known health checkers are served but
   * never count as traffic.
   *
   * @param drain the drain
   * @param environment for the actuator's paths
   * @return the registration
   */
  @Bean
  @ConditionalOnMissingBean(name = "drainFilterRegistration")
  public FilterRegistrationBean<DrainFilter> drainFilterRegistration(Drain drain,
      Environment environment) {
    FilterRegistrationBean<DrainFilter> registration =
        new FilterRegistrationBean<>(new DrainFilter(drain, healthPaths(environment)));
    registration.setName("drainFilter");
    registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
    registration.setDispatcherTypes(DispatcherType.REQUEST);
    registration.setAsyncSupported(true);
    registration.addUrlPatterns("/*");
    return registration;
  }

  /** The actuator's health endpoint on this port, as Spring Boot maps it. */
  static List<String> healthPaths(Environment environment) {
    String base = environment.getProperty("management.endpoints.web.base-path", "/actuator");
    String health = environment.getProperty("management.endpoints.web.path-mapping.health",
        "health");
    String path = (base.endsWith("/") ? base : base + "/")
        + (health.startsWith("/") ? health.substring(1) : health);
    return List.of(path.startsWith("/") ? path : "/" + path);
  }

  /**
   * The running web server's drain glue.
   *
   * @param context the application context, which knows the web server
   * @param glues the glue of each server kind on the class path
   * @return the control
   */
  @Bean
  @ConditionalOnMissingBean(ServerControl.class)
  public WebServerControl drainServerControl(ApplicationContext context,
      ObjectProvider<WebServerControl.Glue> glues) {
    return WebServerControl.of(context, glues.orderedStream().toList());
  }

  /** Spring MVC: a warning at startup for a mapping a probe would shadow. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(RequestMappingInfoHandlerMapping.class)
  static class Mvc {

    @Bean
    ProbePathCollisions drainProbePathCollisions(Drain drain,
        ObjectProvider<RequestMappingInfoHandlerMapping> mappings) {
      return new ProbePathCollisions(drain, mappings);
    }
  }

  /** Tomcat: 100 Continue on read, byte counting, and {@link TomcatServerControl}. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass({TomcatWebServer.class, TomcatServerControl.class})
  static class Tomcat {

    @Bean
    @ConditionalOnMissingBean(name = "drainTomcatConnectorCustomizer")
    TomcatConnectorCustomizer drainTomcatConnectorCustomizer() {
      return TomcatServerControl::configure;
    }

    @Bean
    @ConditionalOnMissingBean(name = "drainTomcatGlue")
    WebServerControl.Glue drainTomcatGlue() {
      return server -> server instanceof TomcatWebServer tomcat
          ? new TomcatServerControl(tomcat.getTomcat()) : null;
    }
  }

  /** Jetty: {@link JettyServerControl}. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass({JettyWebServer.class, JettyServerControl.class})
  static class Jetty {

    @Bean
    @ConditionalOnMissingBean(name = "drainJettyGlue")
    WebServerControl.Glue drainJettyGlue() {
      return server -> server instanceof JettyWebServer jetty
          ? new JettyServerControl(jetty.getServer()) : null;
    }
  }
}
