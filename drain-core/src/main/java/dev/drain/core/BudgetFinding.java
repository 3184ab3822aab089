package dev.drain.core;

import java.util.Objects;

/**
 * One result of the budget check: a rule the settings break, and what to change.
 *
 * @param level how serious it is: {@code WARNING} when requests would fail, {@code INFO} when the
 *     check could not be made
 * @param rule a short stable name of the rule, e.g. {@code "grace-period"}
 * @param message what is wrong, with the numbers
 * @param setting the exact setting to change, e.g. {@code "terminationGracePeriodSeconds >= 75"}
 */
public record BudgetFinding(System.Logger.Level level, String rule, String message, String setting) {

  /**
   * Validates the components.
   *
   * @param level see {@link #level()}
   * @param rule see {@link #rule()}
   * @param message see {@link #message()}
   * @param setting see {@link #setting()}
   */
  public BudgetFinding {
    Objects.requireNonNull(level, "level");
    Objects.requireNonNull(rule, "rule");
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(setting, "setting");
  }

  @Override
  public String toString() {
    return rule + ": " + message + "; set " + setting;
  }
}
