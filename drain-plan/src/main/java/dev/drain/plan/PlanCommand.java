package dev.drain.plan;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;

/**
 * The planner's command line, the main class of the drain-plan jar:
 *
 * <pre>
 * java -jar drain-plan.jar plan --max-upload 50MB --min-client-rate 1MB/s --platform gke
 *     [--propagation-delay 10s] [--safety-margin 5s] [--pre-stop 0s] [--processing-time 5s]
 * </pre>
 *
 * <p>Prints the plan as Markdown and exits 0 ({@code --help}: the usage, exit 0); exits 2 with a message naming the option or the
 * platform limit when it cannot plan. Sizes are binary ({@code 1MB} = 1 MiB = 1,048,576 bytes)
 * and may have decimals ({@code 0.5MB/s}); durations take {@code ms}, {@code s}, {@code m},
 * {@code h} ({@code 500ms}, {@code 10s}, {@code 1.5m}). {@code --platform} is where D runs; A
 * and B run on MIG VMs and Kong on GKE either way.
 */
public final class PlanCommand {

  private static final String USAGE = "usage: plan --max-upload 50MB --min-client-rate 1MB/s"
      + " --platform gke|mig [--propagation-delay 10s] [--safety-margin 5s] [--pre-stop 0s]"
      + " [--processing-time 5s] (MB = MiB; decimals allowed: 0.5MB/s)";

  private PlanCommand() {}

  /**
   * Runs the command and exits with its status.
   *
   * @param args {@code plan} and its options
   */
  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /**
   * Runs the command.
   *
   * @param args {@code plan} and its options
   * @param out where the plan goes
   * @param err where errors go
   * @return 0 when planned, 2 when the input is wrong or cannot be planned for
   */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    if (java.util.Arrays.asList(args).contains("--help")
        || java.util.Arrays.asList(args).contains("-h")) {
      out.println(USAGE);
      return 0;
    }
    try {
      out.print(RolloutPlan.of(parse(args)).toMarkdown());
      return 0;
    } catch (IllegalArgumentException e) {
      err.println("cannot plan: " + e.getMessage());
      return 2;
    }
  }

  /**
   * Parses the options.
   *
   * @param args {@code plan} and its options
   * @return the input, with the platform's defaults for options not given
   * @throws IllegalArgumentException naming the option that is missing or wrong
   */
  static PlanInput parse(String[] args) {
    if (args.length == 0 || !args[0].equals("plan")) {
      throw new IllegalArgumentException(USAGE);
    }
    String upload = null;
    String rate = null;
    String platform = null;
    String delay = null;
    String margin = null;
    String preStop = null;
    String processing = null;
    for (int i = 1; i < args.length; i++) {
      String option = args[i];
      String value;
      int eq = option.indexOf('=');
      if (eq > 0) {
        value = option.substring(eq + 1);
        option = option.substring(0, eq);
      } else if (i + 1 < args.length) {
        value = args[++i];
      } else {
        throw new IllegalArgumentException(option + " needs a value; " + USAGE);
      }
      switch (option) {
        case "--max-upload" -> upload = value;
        case "--min-client-rate" -> rate = value;
        case "--platform" -> platform = value;
        case "--propagation-delay" -> delay = value;
        case "--safety-margin" -> margin = value;
        case "--pre-stop" -> preStop = value;
        case "--processing-time" -> processing = value;
        default -> throw new IllegalArgumentException("unknown option " + option + "; " + USAGE);
      }
    }
    if (upload == null || rate == null || platform == null) {
      throw new IllegalArgumentException(USAGE);
    }
    String perSecond = rate.endsWith("/s") ? rate.substring(0, rate.length() - 2) : rate;
    PlanInput defaults = PlanInput.withDefaults(size("--max-upload", upload),
        size("--min-client-rate", perSecond), platform(platform));
    return new PlanInput(defaults.maxUploadBytes(), defaults.minClientRate(),
        defaults.platform(), duration("--propagation-delay", delay,
            defaults.propagationDelay()),
        duration("--safety-margin", margin, defaults.safetyMargin()),
        duration("--pre-stop", preStop, defaults.preStop()),
        duration("--processing-time", processing, defaults.processingTime()));
  }

  private static Platform platform(String value) {
    try {
      return Platform.valueOf(value.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--platform must be gke or mig, got '" + value + "'");
    }
  }

  private static long size(String option, String value) {
    try {
      return Units.parseSize(value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(option + ": " + e.getMessage());
    }
  }

  private static Duration duration(String option, String value, Duration otherwise) {
    if (value == null) {
      return otherwise;
    }
    try {
      return Units.parseDuration(value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(option + ": " + e.getMessage());
    }
  }
}
