package dev.drain.spring;

import dev.drain.core.Drain;
import dev.drain.core.DrainStatus;
import java.util.Map;
import java.util.Objects;
import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

/**
 * The actuator endpoint {@code drain}: reading it gives the drain's status, as the status probe
 * does; writing to it ({@code POST /actuator/drain}) starts the drain, for a GCE shutdown script or an
 * operator taking the instance out of service. Like Spring Boot's other endpoints it is served only
 * when exposed ({@code management.endpoints.web.exposure.include=drain}); its write operation
 * needs {@code management.endpoint.drain.access=unrestricted} on top, since anyone who can reach
 * it can take the instance out of service.
 */
@Endpoint(id = "drain", defaultAccess = Access.READ_ONLY)
public class DrainEndpoint {

  private final Drain drain;

  /**
   * Creates the endpoint.
   *
   * @param drain the drain; must not be null
   */
  public DrainEndpoint(Drain drain) {
    this.drain = Objects.requireNonNull(drain, "drain");
  }

  /**
   * Returns the drain's status, in the keys and values of the status probe's JSON ({@link
   * DrainStatus#toMap()}).
   *
   * @return state, in-flight count, uploads and counters
   */
  @ReadOperation
  public Map<String, Object> status() {
    return drain.status().toMap();
  }

  /**
   * Starts the drain (readiness off at once; the server keeps serving through the propagation
   * delay) and returns the status right after.
   *
   * @return the status, as {@link #status()}
   */
  @WriteOperation
  public Map<String, Object> start() {
    drain.startDrain("actuator");
    return drain.status().toMap();
  }
}
