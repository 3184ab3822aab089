package dev.drain.spring;

import java.util.Objects;

/**
 * A {@code drain.*} property whose value cannot be used; {@link DrainPropertyFailureAnalyzer}
 * turns it into Spring Boot's failure report, which names the property, the value and the form
 * it accepts.
 */
public class DrainPropertyException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  /** The property, e.g. {@code drain.grace-period}. */
  private final String property;
  /** The value that cannot be used. */
  private final String value;
  /** The values the property takes. */
  private final String accepted;

  /**
   * Creates the exception.
   *
   * @param property the property, e.g. {@code drain.grace-period}
   * @param value the value as the application wrote it, or as bound
   * @param reason why the value cannot be used
   * @param accepted the values the property takes, e.g. {@code a duration above 0s}
   * @param cause the core's rejection, or null
   */
  public DrainPropertyException(String property, String value, String reason, String accepted,
      Throwable cause) {
    super("Invalid value '" + value + "' for " + property + ": " + reason, cause);
    this.property = Objects.requireNonNull(property, "property");
    this.value = value;
    this.accepted = Objects.requireNonNull(accepted, "accepted");
  }

  /**
   * Returns the property.
   *
   * @return e.g. {@code drain.grace-period}
   */
  public String property() {
    return property;
  }

  /**
   * Returns the value that cannot be used.
   *
   * @return the value's text
   */
  public String value() {
    return value;
  }

  /**
   * Returns the values the property takes.
   *
   * @return a description with examples
   */
  public String accepted() {
    return accepted;
  }
}
