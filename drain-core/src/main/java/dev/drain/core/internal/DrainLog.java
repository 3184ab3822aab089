package dev.drain.core.internal;

import java.io.PrintStream;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The library's log, on the {@code dev.drain} {@link System.Logger}, that stays visible while
 * the JVM shuts down.
 *
 * <p>When the logger is backed by {@code java.util.logging} (the JDK's default), the {@code
 * LogManager}'s own shutdown hook resets every handler, concurrently with the drain's hook: a
 * plain application's drain events and result would print or vanish by chance. So once the
 * shutdown began ({@link #shuttingDown()}), and only with that backend, a record the logger
 * would publish is written to {@code System.err} directly, in the console handler's default
 * format. Other backends (SLF4J or Log4j bridges) are always used as they are.
 *
 * <p>It implements {@link System.Logger} only so that the JDK's caller inference skips its frames
 * (it skips classes that implement it): records then name the library class that logged.
 */
public final class DrainLog implements System.Logger {

  private static final System.Logger LOG = System.getLogger("dev.drain");
  private static final boolean JUL_BACKEND = System.LoggerFinder.getLoggerFinder().getClass()
      .getName().equals("sun.util.logging.internal.LoggingProviderImpl");
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("MMM dd, yyyy h:mm:ss a", Locale.ROOT);
  private static volatile boolean shuttingDown;

  private DrainLog() {}

  @Override
  public String getName() {
    return LOG.getName();
  }

  @Override
  public boolean isLoggable(Level level) {
    return LOG.isLoggable(level);
  }

  @Override
  public void log(Level level, java.util.ResourceBundle bundle, String msg, Throwable thrown) {
    LOG.log(level, bundle, msg, thrown);
  }

  @Override
  public void log(Level level, java.util.ResourceBundle bundle, String format, Object... params) {
    LOG.log(level, bundle, format, params);
  }

  /** Marks that the JVM is shutting down; called first thing by the shutdown hook. */
  public static void shuttingDown() {
    shuttingDown = true;
  }

  /**
   * Logs a message.
   *
   * @param level the level
   * @param message the message
   */
  public static void write(System.Logger.Level level, String message) {
    write(level, message, null);
  }

  /**
   * Logs a message built only when the level is on.
   *
   * @param level the level
   * @param message builds the message
   */
  public static void write(System.Logger.Level level, Supplier<String> message) {
    if (LOG.isLoggable(level)) {
      write(level, message.get(), null);
    }
  }

  /**
   * Logs a message with a cause.
   *
   * @param level the level
   * @param message the message
   * @param cause the cause, or null
   */
  public static void write(System.Logger.Level level, String message, Throwable cause) {
    if (shuttingDown && JUL_BACKEND) {
      if (LOG.isLoggable(level)) {
        PrintStream err = System.err;
        StackTraceElement caller = StackWalker.getInstance()
            .walk(frames -> frames.skip(1).filter(f -> !f.getClassName().equals(
                DrainLog.class.getName())).findFirst().map(StackWalker.StackFrame::toStackTraceElement)
                .orElse(null));
        synchronized (err) {
          err.println(TIME.format(LocalDateTime.now()) + " "
              + (caller == null ? LOG.getName() : caller.getClassName() + " "
                  + caller.getMethodName()));
          err.println(julName(level) + ": " + message);
          if (cause != null) {
            cause.printStackTrace(err);
          }
          err.flush();
        }
      }
      return;
    }
    if (cause == null) {
      LOG.log(level, message);
    } else {
      LOG.log(level, message, cause);
    }
  }

  private static String julName(System.Logger.Level level) {
    return switch (level) {
      case ERROR -> "SEVERE";
      case WARNING -> "WARNING";
      case INFO -> "INFO";
      case DEBUG -> "FINE";
      case TRACE -> "FINER";
      default -> level.getName();
    };
  }
}
