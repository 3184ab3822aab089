package dev.drain.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The rolling proof: real nginx in front of instances of a sample, traffic flowing, every instance
 * replaced the way a Deployment with {@code maxSurge 1 / maxUnavailable 0} does it (start new,
 * wait ready, route to it, SIGTERM the old one, stop routing to it 1 s later, SIGKILL at the
 * grace period) — once without the library ({@code --drain.enabled=false}) and once with it.
 *
 * <p>Options: {@code --rounds=3 --instances=2 --grace=20s --upload-rate=10MB --uploaders=2
 * --latency=2ms
 * --modes=baseline,library --sample=jetty|netty|spring --sample-jar=PATH --out=DIR}: {@code --sample}
 * picks the plain Jetty (default), the plain Netty or the Spring Boot sample (whose baseline is
 * Spring Boot's own graceful shutdown), every other option is the same for all. {@code
 * --latency} puts a {@link LatencyRelay} between nginx and each instance (that much each way, 0
 * for none): without a round trip the keep-alive race never shows on loopback. {@code --soak} is the long rollout: 3 instances each replaced 10 times with a 30 s grace period (each still overridable). The
 * library runs with the sample's defaults except {@code drain.grace-period} and a 2 s
 * {@code drain.propagation-delay}: admission must hold without tuning.
 */
public final class RollingDemo {

  private RollingDemo() {}

  /**
   * What one mode did.
   *
   * @param mode baseline or library
   * @param sent requests sent, by kind
   * @param failed requests failed, by kind
   * @param failures failures by kind and type
   * @param uploads uploads sent
   * @param shaMatches uploads answered 200 with the right SHA-256
   * @param sigkills instances that had to be SIGKILLed at the grace period
   * @param admittedWhileDraining uploads the drains admitted (the proxy still sent them)
   * @param refused requests the drains refused with 503
   * @param timeline instance events, seconds from the start of the run
   * @param relayArtifacts connections the latency relay accepted after its instance stopped
   *     accepting and had to reset: not the instance's doing, reported apart
   */
  public record RunResult(String mode, Map<String, Long> sent, Map<String, Long> failed,
      Map<String, Long> failures, long uploads, long shaMatches, int sigkills,
      long admittedWhileDraining, long refused, List<String> timeline, long relayArtifacts) {

    /** @return every request sent */
    public long totalSent() {
      return sent.values().stream().mapToLong(Long::longValue).sum();
    }

    /** @return every request failed */
    public long totalFailed() {
      return failed.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  /**
   * Runs the demo.
   *
   * @param args options as in the class comment
   * @throws Exception on failure
   */
  public static void main(String[] args) throws Exception {
    Map<String, String> options = options(args);
    if (Boolean.parseBoolean(options.getOrDefault("soak", "false"))) {
      options.putIfAbsent("instances", "3");
      options.putIfAbsent("rounds", "10");
      options.putIfAbsent("grace", "30s");
    }
    List<RunResult> results = run(options);
    System.out.println();
    System.out.println(table(results));
    Path out = Path.of(options.getOrDefault("out", "demo-out"));
    Files.createDirectories(out);
    Files.writeString(out.resolve("report.md"), report(results, options));
    System.out.println("report: " + out.resolve("report.md").toAbsolutePath());
  }

  /**
   * Runs every mode and returns what each did.
   *
   * @param options the options
   * @return one result per mode
   * @throws Exception on failure
   */
  public static List<RunResult> run(Map<String, String> options) throws Exception {
    String sample = options.getOrDefault("sample", "jetty");
    System.out.println("sample: " + sample);
    String module = switch (sample) {
      case "jetty" -> "servlet-jetty";
      case "netty" -> "netty-server";
      case "spring" -> "upload-service";
      default -> throw new IllegalArgumentException(
          "--sample must be jetty, netty or spring, not '" + sample + "'");
    };
    Path jar = Path.of(options.getOrDefault("sample-jar",
        "samples/" + module + "/target/" + module + ".jar"));
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException("sample jar not found: " + jar.toAbsolutePath()
          + " (build it with mvn -pl samples/" + module + " -am package)");
    }
    Path out = Files.createDirectories(Path.of(options.getOrDefault("out", "demo-out")));
    List<RunResult> results = new ArrayList<>();
    for (String mode : options.getOrDefault("modes", "baseline,library").split(",")) {
      results.add(new Run(mode.trim(), jar, Files.createDirectories(out.resolve(mode.trim())),
          options).execute());
    }
    return results;
  }

  /** Parses {@code --name=value} arguments ({@code --name} alone is {@code true}), in order. */
  static Map<String, String> options(String[] args) {
    Map<String, String> options = new LinkedHashMap<>();
    for (String arg : args) {
      String[] kv = arg.replaceFirst("^--", "").split("=", 2);
      options.put(kv[0], kv.length > 1 ? kv[1] : "true");
    }
    return options;
  }

  static String table(List<RunResult> results) {
    StringBuilder t = new StringBuilder();
    t.append("| mode | requests | failed | GET failed | POST failed | uploads | SHA-256 ok "
        + "| SIGKILLs | uploads admitted while draining | refused |\n"
        + "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (RunResult r : results) {
      t.append(String.format(Locale.ROOT, "| %s | %d | %d | %d | %d | %d | %d | %d | %d | %d |%n",
          r.mode(), r.totalSent(), r.totalFailed(), r.failed().getOrDefault("GET", 0L),
          r.failed().getOrDefault("POST", 0L), r.uploads(), r.shaMatches(), r.sigkills(),
          r.admittedWhileDraining(), r.refused()));
    }
    for (RunResult r : results) {
      if (r.relayArtifacts() > 0) {
        t.append(String.format(Locale.ROOT, "%n%s: %d connection(s) reset by the latency relay "
            + "after its instance stopped accepting (a relay artifact, within the counts above)%n",
            r.mode(), r.relayArtifacts()));
      }
    }
    t.append("\nfailures by type:\n");
    for (RunResult r : results) {
      if (r.failures().isEmpty()) {
        t.append("- ").append(r.mode()).append(": none\n");
      }
      r.failures().forEach((type, n) ->
          t.append("- ").append(r.mode()).append(": ").append(n).append(" × ").append(type)
              .append('\n'));
    }
    return t.toString();
  }

  static String report(List<RunResult> results, Map<String, String> options) {
    StringBuilder md = new StringBuilder("# Rolling update behind nginx\n\n");
    md.append("Options: `").append(options).append("`\n\n").append(table(results)).append('\n');
    for (RunResult r : results) {
      md.append("## ").append(r.mode()).append(" timeline\n\n```mermaid\ngantt\n")
          .append("  title ").append(r.mode()).append(": instances over time (s)\n")
          .append("  dateFormat x\n  axisFormat %M:%S\n");
      r.timeline().forEach(line -> md.append("  ").append(line).append('\n'));
      md.append("```\n\n");
    }
    return md.toString();
  }

  /** One mode: its nginx, its instances, its traffic. */
  private static final class Run {
    private final String mode;
    private final Path jar;
    private final Path dir;
    private final int rounds;
    private final int count;
    private final long graceMillis;
    private final List<String> args;
    private final Map<String, String> options;
    private final long t0 = System.nanoTime();
    private final List<String> timeline = new ArrayList<>();
    private final List<String> expectedSeconds = new ArrayList<>();
    private final Map<String, Double> readyAt = new LinkedHashMap<>();
    private int started;
    private int sigkills;
    private long admittedWhileDraining;
    private long refused;
    private long relayArtifacts;
    private final java.time.Duration latency;
    private final Map<String, Long> missingDrainResults = new LinkedHashMap<>();

    Run(String mode, Path jar, Path dir, Map<String, String> options) {
      this.mode = mode;
      this.jar = jar;
      this.dir = dir;
      this.options = options;
      this.rounds = Integer.parseInt(options.getOrDefault("rounds", "3"));
      this.count = Integer.parseInt(options.getOrDefault("instances", "2"));
      String latencyText = options.getOrDefault("latency", "2ms");
      if (!latencyText.matches("\\d+ms")) {
        throw new IllegalArgumentException("--latency takes milliseconds, e.g. 2ms or 0ms, not '"
            + latencyText + "'");
      }
      this.latency = java.time.Duration.ofMillis(Long.parseLong(latencyText.replace("ms", "")));
      String grace = options.getOrDefault("grace", "20s");
      this.graceMillis = TimeUnit.SECONDS.toMillis(Long.parseLong(grace.replace("s", "")));
      this.args = switch (mode) {
        case "baseline" -> List.of("--drain.enabled=false");
        case "library" -> List.of("--drain.grace-period=" + grace,
            "--drain.propagation-delay=2s");
        default -> throw new IllegalArgumentException("unknown mode " + mode);
      };
    }

    private double now() {
      return (System.nanoTime() - t0) / 1e9;
    }

    private Instance launch() throws Exception {
      Instance instance = Instance.start(mode + "-" + (++started), jar, dir, args, latency);
      try {
        instance.awaitReady(30_000);
      } catch (Exception | Error e) {
        instance.process.destroyForcibly(); // not live yet: nothing else would stop it
        instance.closeRelay();
        throw e;
      }
      readyAt.put(instance.name, now());
      return instance;
    }

    RunResult execute() throws Exception {
      System.out.printf(Locale.ROOT, "== %s: %d instances, %d rounds, grace %d ms%n", mode, count,
          rounds, graceMillis);
      List<Instance> live = new ArrayList<>();
      try (Nginx nginx = new Nginx(dir.resolve("nginx"), Ports.free())) {
        for (int i = 0; i < count; i++) {
          live.add(launch());
        }
        nginx.route(ports(live, null));
        Traffic traffic = new Traffic(nginx.port(),
            Long.parseLong(options.getOrDefault("upload-rate", "10").replace("MB", "")) << 20,
            Integer.parseInt(options.getOrDefault("uploaders", "2")));
        traffic.start();
        pause(2000);
        for (int round = 1; round <= rounds; round++) {
          for (Instance old : List.copyOf(live)) {
            Instance fresh = launch();
            live.add(fresh);
            nginx.route(ports(live, null));
            long term = System.nanoTime();
            double termAt = now();
            old.sigterm();
            pause(1000); // the endpoint is removed while the instance already handles SIGTERM
            nginx.route(ports(live, old));
            boolean killed = old.awaitExitOrKill(graceMillis, term);
            sigkills += killed ? 1 : 0;
            record(old, termAt, now(), killed);
            countDrain(old);
            relayArtifacts += old.closeRelay();
            live.remove(old);
            System.out.printf(Locale.ROOT, "   round %d: replaced %s by %s (%s)%n", round,
                old.name, fresh.name, killed ? "SIGKILL" : "exit " + old.process.exitValue());
          }
        }
        pause(2000);
        traffic.stop();
        for (Instance instance : live) {
          instance.sigterm();
        }
        for (Instance instance : live) {
          instance.awaitExitOrKill(graceMillis, System.nanoTime());
          record(instance, now(), now(), false);
          countDrain(instance);
          relayArtifacts += instance.closeRelay();
        }
        Map<String, Long> failures = new java.util.TreeMap<>(traffic.failuresByType());
        failures.putAll(missingDrainResults);
        return new RunResult(mode, snapshot(traffic.sent), snapshot(traffic.failed),
            failures, traffic.count(traffic.sent, "upload"),
            traffic.shaMatches.get(), sigkills, admittedWhileDraining, refused,
            withExpectedSeconds(), relayArtifacts);
      } finally {
        for (Instance instance : live) {
          instance.process.destroyForcibly();
        }
      }
    }

    private void countDrain(Instance instance) throws Exception {
      long[] counts = instance.drainCounts();
      if (counts == null) {
        if (!mode.equals("baseline")) {
          missingDrainResults.merge("instance: no drain result printed", 1L, Long::sum);
        }
        return;
      }
      admittedWhileDraining += counts[0];
      refused += counts[1];
    }

    private void record(Instance instance, double termAt, double exitAt, boolean killed) {
      long ready = Math.round(readyAt.getOrDefault(instance.name, 0.0));
      long term = Math.max(ready + 1, Math.round(termAt));
      timeline.add(String.format(Locale.ROOT, "section %s", instance.name));
      task("serving", "", ready, term);
      if (exitAt > termAt) {
        long from = Math.round(termAt);
        task(killed ? "SIGKILL" : "draining", "crit, ", from, Math.max(from + 1,
            Math.round(exitAt)));
      }
    }

    /**
     * A gantt task in whole seconds from the run's start; the gantt's dates are milliseconds
     * ({@code dateFormat x}), and each task's seconds go to the {@code %% seconds:} comment the
     * Mermaid check reads the parsed diagram back against.
     */
    private void task(String label, String tags, long start, long end) {
      String id = "t" + expectedSeconds.size();
      timeline.add(String.format(Locale.ROOT, "%s :%s%s, %d, %d", label, tags, id,
          start * 1000, end * 1000));
      expectedSeconds.add(id + " " + start + " " + end);
    }

    private List<String> withExpectedSeconds() {
      List<String> lines = new ArrayList<>();
      lines.add("%% seconds: " + String.join(", ", expectedSeconds));
      lines.addAll(timeline);
      return lines;
    }

    private static List<Integer> ports(List<Instance> live, Instance except) {
      return live.stream().filter(i -> i != except).map(Instance::routePort).toList();
    }

    private static Map<String, Long> snapshot(Map<String, java.util.concurrent.atomic.AtomicLong> m) {
      Map<String, Long> copy = new LinkedHashMap<>();
      m.forEach((k, v) -> copy.put(k, v.get()));
      return copy;
    }

    private static void pause(long millis) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(millis));
    }
  }
}
