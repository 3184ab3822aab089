package dev.drain.demo;

import dev.drain.core.DrainConfig;
import dev.drain.plan.PlanInput;
import dev.drain.plan.Platform;
import dev.drain.plan.RolloutPlan;
import dev.drain.test.RawHttp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The chain lab: on loopback, {@code client → LB (GCP load balancer stand-in) → A nginx http ×2
 * → L4 (internal passthrough load balancer stand-in) → B nginx stream ×2 → C nginx configured
 * like Kong ×2 → D the Jetty sample ×2}, with a latency relay on the A→L4 and C→D hops. Traffic
 * flows through the front (GETs, small POSTs, throttled 50 MB uploads checked by SHA-256) while
 * each tier in turn has its instances replaced the way its platform does it, once with the
 * platforms' defaults and once with the settings {@link RolloutPlan} prints.
 *
 * <p>Options ({@code stock}: the defaults with A as stock nginx, without upstream keepalive):
 * {@code --trials=2 --tiers=A,B,C,D --settings=defaults,recommended
 * --upload-rate=8MB --latency=2ms --sample-jar=PATH --out=DIR}.
 */
public final class ChainLab {

  private ChainLab() {}

  /**
   * What the traffic saw while one tier was being replaced.
   *
   * @param tier the tier replaced
   * @param settings defaults or recommended
   * @param trials how many replacements
   * @param sent requests completed, by kind (GET, POST, upload)
   * @param failed requests failed, by kind
   * @param failures failures by kind, type and hop
   */
  public record Cell(String tier, String settings, int trials, Map<String, Long> sent,
      Map<String, Long> failed, Map<String, Long> failures) {

    /** Keeps sorted, unmodifiable copies of the counts. */
    public Cell {
      sent = Collections.unmodifiableMap(new TreeMap<>(sent));
      failed = Collections.unmodifiableMap(new TreeMap<>(failed));
      failures = Collections.unmodifiableMap(new TreeMap<>(failures));
    }

    /**
     * Returns every failure of the cell.
     *
     * @return the number of failed requests, all kinds
     */
    public long totalFailed() {
      return failed.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  /**
   * Runs the lab and writes {@code report.md} to {@code --out}.
   *
   * @param args options as in the class comment
   * @throws Exception on failure
   */
  public static void main(String[] args) throws Exception {
    Map<String, String> options = RollingDemo.options(args);
    List<Cell> cells = run(options);
    String matrix = matrix(cells);
    System.out.println();
    System.out.println(matrix);
    Path out = Files.createDirectories(Path.of(options.getOrDefault("out", "lab-out")));
    Files.writeString(out.resolve("report.md"), report(cells, options));
    System.out.println("report: " + out.resolve("report.md").toAbsolutePath());
  }

  /**
   * Runs every setting and tier asked for.
   *
   * @param options the options
   * @return one cell per tier and setting
   * @throws Exception on failure
   */
  public static List<Cell> run(Map<String, String> options) throws Exception {
    Path jar = Path.of(options.getOrDefault("sample-jar",
        "samples/servlet-jetty/target/servlet-jetty.jar"));
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException("sample jar not found: " + jar.toAbsolutePath()
          + " (build it with mvn -pl samples/servlet-jetty -am package)");
    }
    int trials = Integer.parseInt(options.getOrDefault("trials", "2"));
    long rate = Long.parseLong(options.getOrDefault("upload-rate", "8MB").replace("/s", "")
        .replace("MB", "")) << 20;
    Duration latency = Duration.ofMillis(Long.parseLong(
        options.getOrDefault("latency", "2ms").replace("ms", "")));
    List<String> tiers = List.of(options.getOrDefault("tiers", "A,B,C,D").split(","));
    Path out = Files.createDirectories(Path.of(options.getOrDefault("out", "lab-out")));
    List<Cell> cells = new ArrayList<>();
    RolloutPlan plan = plan(rate);
    // an upload in flight during a replacement ends within one upload's time after it
    long settleMillis = plan.uploadTime().toMillis() + 3000;
    for (String name : options.getOrDefault("settings", "defaults,recommended").split(",")) {
      ChainSettings settings = ChainSettings.of(name.trim(), plan);
      try (Chain chain = new Chain(settings, jar, latency,
          Files.createDirectories(out.resolve(settings.name())))) {
        chain.start();
        Traffic traffic = new Traffic(chain.frontPort(), rate, 2, ChainLab::failure);
        traffic.start();
        try {
          park(2000);
          for (String tier : tiers) {
            Snapshot before = new Snapshot(traffic);
            for (int trial = 0; trial < trials; trial++) {
              chain.roll(tier.trim());
            }
            park(settleMillis);
            cells.add(new Snapshot(traffic).since(before, tier.trim(), settings.name(), trials));
            System.out.println("   " + cells.get(cells.size() - 1));
          }
        } finally {
          traffic.stop();
        }
      }
    }
    return cells;
  }

  /** The lab's own plan: its uploads at its rate, loopback propagation, 2 s margins. */
  static RolloutPlan plan(long uploadRate) {
    return RolloutPlan.of(new PlanInput(Traffic.UPLOAD_BYTES, uploadRate, Platform.GKE,
        Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ZERO, Duration.ZERO));
  }

  /**
   * A failed response as the lab reports it: its status and the hop that answered it itself
   * (the deepest http tier whose upstream sent no response head: its {@code X-Lab-*} header
   * ends with {@code -}).
   */
  static String failure(RawHttp.Response response) {
    String hop = "client";
    for (String tier : List.of("lb", "a", "k", "c")) { // k: the Kong pod's downstream side
      String value = response.headers().get("x-lab-" + tier);
      if (value != null) {
        hop = tier.equals("k") ? "C" : tier.toUpperCase(Locale.ROOT);
        if (value.endsWith("-")) {
          break; // this tier made the answer: its upstream sent no response head
        }
      }
    }
    return "HTTP " + response.status() + " from " + hop;
  }

  static String matrix(List<Cell> cells) {
    StringBuilder t = new StringBuilder("| tier rolled | settings | trials | GET sent / failed "
        + "| small POST sent / failed | 50 MB POST sent / failed | failures |\n"
        + "|---|---|---:|---:|---:|---:|---|\n");
    for (Cell c : cells) {
      t.append(String.format(Locale.ROOT, "| %s | %s | %d | %d / %d | %d / %d | %d / %d | %s |%n",
          c.tier(), c.settings(), c.trials(), c.sent().getOrDefault("GET", 0L),
          c.failed().getOrDefault("GET", 0L), c.sent().getOrDefault("POST", 0L),
          c.failed().getOrDefault("POST", 0L), c.sent().getOrDefault("upload", 0L),
          c.failed().getOrDefault("upload", 0L), c.failures().isEmpty() ? "none"
              : String.join("; ", c.failures().entrySet().stream()
                  .map(e -> e.getValue() + " × " + e.getKey()).toList())));
    }
    return t.toString();
  }

  static String report(List<Cell> cells, Map<String, String> options) {
    return "# Chain lab\n\nOptions: `" + options + "`\n\n" + matrix(cells) + "\n"
        + "```mermaid\nflowchart LR\n  client --> LB --> A1 & A2 --> L4 --> B1 & B2"
        + " --> C1 & C2 --> D1 & D2\n```\n";
  }

  static void park(long millis) {
    if (millis > 0) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(millis));
    }
  }

  /** The traffic's counters at one instant. */
  private static final class Snapshot {
    final Map<String, Long> sent = new TreeMap<>();
    final Map<String, Long> failed = new TreeMap<>();
    final Map<String, Long> failures;

    Snapshot(Traffic traffic) {
      traffic.sent.forEach((k, v) -> sent.put(k, v.get()));
      traffic.failed.forEach((k, v) -> failed.put(k, v.get()));
      failures = traffic.failuresByType();
    }

    Cell since(Snapshot before, String tier, String settings, int trials) {
      return new Cell(tier, settings, trials, minus(sent, before.sent),
          minus(failed, before.failed), minus(failures, before.failures));
    }

    private static Map<String, Long> minus(Map<String, Long> now, Map<String, Long> then) {
      Map<String, Long> delta = new TreeMap<>();
      now.forEach((k, v) -> {
        long d = v - then.getOrDefault(k, 0L);
        if (d != 0) {
          delta.put(k, d);
        }
      });
      return delta;
    }
  }

  /** The configuration a column of the matrix runs with. */
  record ChainSettings(String name, long lbDrainingMillis, String aUpstreamKeepalive,
      String aClientKeepalive, long aStopWaitMillis, long l4DrainingMillis, long bStopWaitMillis,
      long klbDrainingMillis, long cPreStopWaitMillis, long cQuitTimeoutMillis, long cGraceMillis,
      List<String> dArgs, long dGraceMillis) {

    /** The lab's endpoint removal lag on GKE: within the plan's 2 s propagation delay. */
    static final long ENDPOINT_LAG_MILLIS = 1500;

    static ChainSettings of(String name, RolloutPlan plan) {
      return switch (name) {
        // GCP API's drainingTimeoutSec 0; Debian's nginx.service: QUIT, TERM 5 s later; nginx's
        // upstream keepalive_timeout 60 s and keepalive_time 1 h; Kong's Helm chart: preStop
        // kong quit --wait=15 (then QUIT, TERM 10 s later), grace 30 s; the L4 Service LB and
        // kube-proxy keep established flows until the pod is gone (its grace, 30 s); D
        // without the library.
        case "defaults" -> new ChainSettings(name, 0, "keepalive 32; keepalive_timeout 60s;",
            "keepalive_timeout 75s;", 5000, 0, 5000, 30_000, 15_000, 10_000, 30_000,
            List.of("--drain.enabled=false"), 30_000);
        // the same, with A as stock nginx configures it: no upstream keepalive, so every
        // request opens a connection of its own
        case "stock" -> new ChainSettings(name, 0, "", "keepalive_timeout 75s;", 5000, 0, 5000,
            30_000, 15_000, 10_000, 30_000, List.of("--drain.enabled=false"), 30_000);
        case "recommended" -> {
          DrainConfig app = plan.application();
          yield new ChainSettings(name, plan.connectionDraining().toMillis(),
              "keepalive 32; keepalive_timeout " + RolloutPlan.A_UPSTREAM_KEEPALIVE.toSeconds()
                  + "s; keepalive_time " + RolloutPlan.A_UPSTREAM_KEEPALIVE.toSeconds() + "s;",
              "keepalive_timeout " + RolloutPlan.GCP_BACKEND_KEEPALIVE.toSeconds() + "s;",
              plan.nginxHttpStopWait().toMillis(), plan.internalConnectionDraining().toMillis(),
              // the KLB: kube-proxy's connection tracking keeps a flow until the pod is gone
              plan.nginxStreamStopWait().toMillis(), plan.kongGracePeriod().toMillis(),
              plan.kongQuitWait().toMillis(),
              plan.kongQuitTimeout().toMillis(), plan.kongGracePeriod().toMillis(),
              List.of("--drain.grace-period=" + app.gracePeriod().toSeconds() + "s",
                  "--drain.propagation-delay=" + app.propagationDelay().toSeconds() + "s",
                  "--drain.safety-margin=" + app.safetyMargin().toSeconds() + "s",
                  "--drain.max-upload-size=" + app.maxUploadSize().orElseThrow(),
                  "--drain.min-client-rate=" + app.minClientRate(),
                  "--server.idle-timeout=" + app.serverIdleTimeout().orElseThrow().toSeconds()
                      + "s"),
              plan.applicationGracePeriod().toMillis());
        }
        default -> throw new IllegalArgumentException(
            "--settings takes defaults, stock and recommended, not '" + name + "'");
      };
    }
  }
}
