package dev.drain.spring;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Reports a {@link DrainPropertyException} the Spring Boot way: the property, its value and what
 * it accepts, instead of a stack trace through the web server's start.
 */
public class DrainPropertyFailureAnalyzer extends AbstractFailureAnalyzer<DrainPropertyException> {

  /** Creates the analyzer; Spring Boot calls it. */
  public DrainPropertyFailureAnalyzer() {}

  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, DrainPropertyException cause) {
    return new FailureAnalysis(cause.getMessage(),
        "Set " + cause.property() + " to " + cause.accepted() + ".", cause);
  }
}
