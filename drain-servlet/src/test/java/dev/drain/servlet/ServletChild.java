package dev.drain.servlet;

import dev.drain.core.Drain;
import dev.drain.core.DrainConfig;
import dev.drain.core.DrainEvent;
import dev.drain.core.DrainResult;
import dev.drain.core.ShutdownCoordinator;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * A real Jetty or Tomcat with the {@link DrainFilter} and the kit's servlets in a JVM of its own,
 * for {@link ExitBeforeGraceProcessTest}: the coordinator runs from a JVM shutdown hook, exactly as
 * {@link ShutdownCoordinator#install} runs it, so a real SIGTERM drives the whole sequence. It
 * prints what happens on stdout, one line each: {@code PORT n}, {@code STATE to}, {@code STALL},
 * {@code CUT request}, {@code DRAINED deadlineReached=b cut=n}, {@code COORDINATOR_RETURNED
 * millis} and {@code OTHER_HOOK_RAN}.
 *
 * <p>Arguments: server kind ({@code JETTY} or {@code TOMCAT}), grace period in ms, safety margin
 * in ms.
 */
public final class ServletChild {

  private ServletChild() {}

  public static void main(String[] args) throws Exception {
    ServletServer.Kind kind = ServletServer.Kind.valueOf(args[0]);
    Duration grace = Duration.ofMillis(Long.parseLong(args[1]));
    Duration margin = Duration.ofMillis(Long.parseLong(args[2]));
    Drain drain = Drain.builder()
        .config(DrainConfig.builder().gracePeriod(grace).safetyMargin(margin)
            .propagationDelay(Duration.ZERO).quietPeriod(Duration.ZERO)
            .stallTimeout(Duration.ofMillis(500)).build())
        .listener(ServletChild::report)
        .build();
    ServletServer server = ServletServer.start(kind, drain, new KitServlets(drain::inflight).byPath());
    // What ShutdownCoordinator.install does, with a line once the coordinator returned;
    // ServletServer's coordinator was created without a hook of its own.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.coordinator().shutdown("SIGTERM");
      say("COORDINATOR_RETURNED " + System.currentTimeMillis());
    }, "drain-hook"));
    Runtime.getRuntime().addShutdownHook(new Thread(() -> say("OTHER_HOOK_RAN"), "other-hook"));
    say("PORT " + server.port());
    // Tomcat's connector threads are daemons: keep the JVM up until SIGTERM ends it.
    new CountDownLatch(1).await();
  }

  private static void report(DrainEvent event) {
    if (event instanceof DrainEvent.StateChanged changed) {
      say("STATE " + changed.to());
    } else if (event instanceof DrainEvent.StallDetected) {
      say("STALL");
    } else if (event instanceof DrainEvent.RequestCut cut) {
      say("CUT " + cut.request());
    } else if (event instanceof DrainEvent.Drained drained) {
      DrainResult result = drained.result();
      say("DRAINED deadlineReached=" + result.deadlineReached() + " cut=" + result.cut().size());
    }
  }

  private static synchronized void say(String line) {
    System.out.println(line);
    System.out.flush();
  }
}
