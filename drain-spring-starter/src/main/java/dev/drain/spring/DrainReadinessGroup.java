package dev.drain.spring;

import java.util.List;
import java.util.Set;
import org.springframework.boot.actuate.endpoint.EndpointId;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.actuate.endpoint.web.AdditionalPathsMapper;
import org.springframework.boot.actuate.endpoint.web.WebServerNamespace;
import org.springframework.boot.health.actuate.endpoint.AdditionalHealthEndpointPath;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroup;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroups;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroupsPostProcessor;
import org.springframework.boot.health.actuate.endpoint.HttpCodeStatusMapper;
import org.springframework.boot.health.actuate.endpoint.StatusAggregator;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;

/**
 * Adds the {@code drain} indicator to the readiness group that Spring Boot's probes made, when
 * there is such a group: unlike a {@code management.endpoint.health.group.readiness.include}
 * default, it never names a member that does not exist (probes off, the starter's configuration
 * excluded, the drain switched off), which Spring Boot rejects at startup. A readiness group the
 * application includes members in itself is left as it is.
 */
final class DrainReadinessGroup implements HealthEndpointGroupsPostProcessor {

  static final String GROUP = "readiness";
  static final String MEMBER = "drain";
  static final String INCLUDE = "management.endpoint.health.group.readiness.include";

  private final Environment environment;

  DrainReadinessGroup(Environment environment) {
    this.environment = environment;
  }

  @Override
  public HealthEndpointGroups postProcessHealthEndpointGroups(HealthEndpointGroups groups) {
    boolean ownInclude = Binder.get(environment)
        .bind(INCLUDE, Bindable.listOf(String.class)).isBound();
    return groups.getNames().contains(GROUP) && !ownInclude ? new Groups(groups) : groups;
  }

  /** The groups, with {@code drain} a member of readiness; keeps the probes' extra paths. */
  private record Groups(HealthEndpointGroups delegate)
      implements HealthEndpointGroups, AdditionalPathsMapper {

    @Override
    public HealthEndpointGroup getPrimary() {
      return delegate.getPrimary();
    }

    @Override
    public Set<String> getNames() {
      return delegate.getNames();
    }

    @Override
    public HealthEndpointGroup get(String name) {
      HealthEndpointGroup group = delegate.get(name);
      return GROUP.equals(name) && group != null ? new WithDrain(group) : group;
    }

    @Override
    public List<String> getAdditionalPaths(EndpointId endpointId,
        WebServerNamespace webServerNamespace) {
      return delegate instanceof AdditionalPathsMapper mapper
          ? mapper.getAdditionalPaths(endpointId, webServerNamespace) : null;
    }
  }

  /** One group with {@code drain} added. */
  private record WithDrain(HealthEndpointGroup group) implements HealthEndpointGroup {

    @Override
    public boolean isMember(String name) {
      return MEMBER.equals(name) || group.isMember(name);
    }

    @Override
    public boolean showComponents(SecurityContext securityContext) {
      return group.showComponents(securityContext);
    }

    @Override
    public boolean showDetails(SecurityContext securityContext) {
      return group.showDetails(securityContext);
    }

    @Override
    public StatusAggregator getStatusAggregator() {
      return group.getStatusAggregator();
    }

    @Override
    public HttpCodeStatusMapper getHttpCodeStatusMapper() {
      return group.getHttpCodeStatusMapper();
    }

    @Override
    public AdditionalHealthEndpointPath getAdditionalPath() {
      return group.getAdditionalPath();
    }
  }
}
