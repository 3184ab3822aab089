package dev.drain.plan;

import dev.drain.core.DrainConfig;
import java.util.List;
import java.util.stream.Collectors;

/** Renders a {@link RolloutPlan} as Markdown; every figure and reason comes from the plan. */
final class PlanMarkdown {

  private PlanMarkdown() {}

  static String render(RolloutPlan plan) {
    PlanInput in = plan.input();
    DrainConfig app = plan.application();
    long u = plan.uploadTime().toSeconds();
    long lan = plan.lanTransferTime().toSeconds();
    long processing = RolloutPlan.ceilSeconds(in.processingTime());
    long request = plan.requestTime().toSeconds();
    long margin = RolloutPlan.ceilSeconds(in.safetyMargin());
    long delay = RolloutPlan.ceilSeconds(in.propagationDelay());
    long preStop = RolloutPlan.ceilSeconds(in.preStop());
    long grace = plan.applicationGracePeriod().toSeconds();
    long serverIdle = RolloutPlan.ceilSeconds(app.serverIdleTimeout().orElseThrow());
    long timeout = plan.loadBalancerTimeout().toSeconds();
    long defaultTimeout = RolloutPlan.GCP_DEFAULT_TIMEOUT.toSeconds();
    long keepalive = RolloutPlan.A_UPSTREAM_KEEPALIVE.toSeconds();
    StringBuilder md = new StringBuilder();
    md.append("# Rollout plan: ").append(RolloutPlan.size(in.maxUploadBytes()))
        .append(" uploads at ").append(RolloutPlan.size(in.minClientRate()))
        .append("/s or faster, application on ").append(in.platform()).append("\n\n");
    md.append("Units: MB is MiB (1,048,576 bytes); ").append(RolloutPlan.size(in.minClientRate()))
        .append("/s is ").append(Units.megabits(in.minClientRate())).append(" Mbit/s.")
        .append(" A and B run on MIG VMs, Kong (C) on GKE; D on ").append(in.platform())
        .append(".\n\n");
    md.append("Upload ").append(u).append(" s; A to Kong and Kong to D ").append(lan)
        .append(" s each at ").append(RolloutPlan.size(RolloutPlan.LAN_RATE)).append("/s (")
        .append(Units.megabits(RolloutPlan.LAN_RATE)).append(" Mbit/s; both buffer the body);")
        .append(" D's processing ").append(processing).append(" s; margin ").append(margin)
        .append(" s: the request lasts ").append(request).append(" s. Propagation to D: ")
        .append(delay).append(" s").append(preStop > 0 ? "; preStop: " + preStop + " s" : "")
        .append(". Every figure is whole seconds, rounded up.\n\n");
    List<RolloutPlan.VmStop> overruns = plan.spotOverruns();
    if (!overruns.isEmpty()) {
      md.append("**Spot or preemptible VMs:** their shutdown gets ")
          .append(RolloutPlan.SPOT_SHUTDOWN_BUDGET.toSeconds()).append(" s (")
          .append(RolloutPlan.SPOT_SHUTDOWN_BUDGET.minus(RolloutPlan.VM_SHUTDOWN_RESERVE)
              .toSeconds()).append(" s for a stop after the reserve); ")
          .append(overruns.stream().map(s -> s.tier() + " needs " + s.seconds() + " s")
              .collect(Collectors.joining(", ")))
          .append(": it is cut there. Use standard VMs, or Compute Engine's graceful shutdown"
              + " (`scheduling.gracefulShutdown.maxDuration`), which runs before the shutdown"
              + " and extends it.\n\n");
    }

    if (!plan.gkeSpotOverruns().isEmpty()) {
      md.append("**GKE Spot or preemptible node pools:** at a node's preemption non-system pods"
          + " get ").append(RolloutPlan.GKE_SPOT_POD_BUDGET.toSeconds()).append(" s; a longer"
          + " `terminationGracePeriodSeconds` has no effect there (up to 120 s can be configured"
          + " from GKE 1.35.0-gke.1171000): ")
          .append(plan.gkeSpotOverruns().stream().map(s -> s.tier() + " needs " + s.seconds()
              + " s").collect(Collectors.joining(", ")))
          .append(". Run them on standard node pools.\n\n");
    }

    md.append("## GCP load balancer in front of A\n\n");
    table(md);
    row(md, "backend service `timeoutSec`", timeout + "",
        "from the first request byte to the last response byte: upload " + u + " s + A to Kong"
            + " and Kong to D " + lan + " s each + D " + processing + " s + margin " + margin
            + " s = " + request + " s; " + (request <= defaultTimeout
            ? "GCP's default " + defaultTimeout + " s holds it: keep the default"
            : "GCP's default " + defaultTimeout + " s would cut it"));
    row(md, "`connectionDraining.drainingTimeoutSec`", plan.connectionDraining().toSeconds() + "",
        "equal to `timeoutSec`: a request admitted just before the VM's removal may last that"
            + " long; afterwards the LB sends the VM nothing; the API's default 0 cuts requests"
            + " in flight");
    row(md, "health check", "every " + RolloutPlan.HC_INTERVAL + " s, timeout "
        + RolloutPlan.HC_TIMEOUT + " s, healthy " + RolloutPlan.HC_HEALTHY + ", unhealthy "
        + RolloutPlan.HC_UNHEALTHY, "GCP's defaults; a dead VM still gets requests for about "
        + RolloutPlan.HC_INTERVAL * RolloutPlan.HC_UNHEALTHY + "-"
        + (RolloutPlan.HC_INTERVAL * RolloutPlan.HC_UNHEALTHY + RolloutPlan.HC_TIMEOUT) + " s");
    md.append("\n## Internal passthrough load balancer in front of B\n\n");
    table(md);
    row(md, "`connectionDraining.drainingTimeoutSec`",
        plan.internalConnectionDraining().toSeconds() + "", "the larger of the front LB's"
            + " `timeoutSec` (" + timeout + " s" + (request < timeout ? "; the request lasts "
            + request + " s, GCP's default is the floor" : "") + ") and the life of A's pooled"
            + " connections (`keepalive_time` " + keepalive + " s + `keepalive_timeout` "
            + keepalive + " s) + margin " + margin + " s = " + (2 * keepalive + margin)
            + " s; afterwards the flows to the removed VM end");
    md.append("\n## Load balancer in front of Kong (GKE)\n\n");
    table(md);
    row(md, "Kong proxy Service", "`type: LoadBalancer`, internal"
        + " (`networking.gke.io/load-balancer-type: \"Internal\"`)", "B reaches Kong through"
        + " it; Kubernetes tells B nothing");
    row(md, "`externalTrafficPolicy`", "`Local`", "the LB's health check (the Service's"
        + " `healthCheckNodePort`) sends only to nodes with a ready Kong pod; with `Cluster`"
        + " kube-proxy forwards from any node");
    row(md, "a Kong pod replaced", "no LB setting", "a passthrough L4 LB whose backends are"
        + " nodes (`GCE_VM_IP` NEGs): a pod leaving removes no backend, so the LB's draining"
        + " does not apply and there is no BackendConfig (an Ingress feature, L7). New"
        + " connections stop when the node's health check fails: every 3 s, unhealthy after 2 ("
        + plan.kongPropagationDelay().toSeconds() + " s; `Cluster`: 8 s x 3, "
        + RolloutPlan.KONG_LB_HEALTH_CHECK_CLUSTER.toSeconds() + " s); kube-proxy does not cut"
        + " established flows (connection tracking): Kong's `quit --wait` ("
        + plan.kongQuitWait().toSeconds() + " s) covers them");
    md.append("\n## MIGs of A and B\n\n");
    table(md);
    row(md, "`maxSurge` / `maxUnavailable`", "1 per zone / 0", "capacity stays while VMs"
        + " are replaced; a regional MIG needs `maxSurge` >= its number of zones");
    row(md, "`replacementMethod`", "`substitute`", "`recreate` forces `maxSurge` 0");
    row(md, "autohealing health check", "`initialDelaySec` = the VM's boot and nginx's start",
        "`minReadySec` counts from RUNNING (with autohealing: seen healthy once), not from the"
            + " load balancer's check");
    row(md, "`minReadySec`", plan.minReady().toSeconds() + "", RolloutPlan.HC_HEALTHY
        + " checks " + RolloutPlan.HC_INTERVAL + " s apart + margin " + margin + " s: the LB"
        + " finds the new VM healthy before the next VM goes");
    row(md, "VM shutdown", "each stop <= " + RolloutPlan.vmStopLimit() + " s", "GCP powers a VM"
        + " off about " + RolloutPlan.VM_SHUTDOWN_BUDGET.toSeconds() + " s after the shutdown"
        + " starts (" + RolloutPlan.SPOT_SHUTDOWN_BUDGET.toSeconds() + " s on Spot and"
        + " preemptible VMs); " + RolloutPlan.VM_SHUTDOWN_RESERVE.toSeconds() + " s are kept"
        + " for the rest of the shutdown: "
        + plan.vmStops().stream().map(s -> s.tier() + " " + s.seconds() + " s")
            .collect(Collectors.joining(", ")));

    long aStop = plan.nginxHttpStopWait().toSeconds();
    long bStop = plan.nginxStreamStopWait().toSeconds();
    md.append("\n## A: nginx http\n\n```nginx\n")
        .append("client_max_body_size ").append(plan.clientMaxBodySizeMebibytes())
        .append("m;          # the body limit: the file + 1m for multipart framing\n")
        .append("client_body_timeout 60s;          # between two reads; fine at the planned rate\n")
        .append("keepalive_timeout ").append(RolloutPlan.GCP_BACKEND_KEEPALIVE.toSeconds())
        .append("s;           # above the GCP LB's ")
        .append(RolloutPlan.GCP_LB_KEEPALIVE.toSeconds()).append(" s pool\n")
        .append("proxy_request_buffering on;       # default: A holds the slow body, B-D get it"
            + " at network speed\n")
        .append("proxy_read_timeout ").append(plan.nginxProxyReadTimeout())
        .append("s;           # between two reads: the body to Kong and D + D's answer\n")
        .append("# if A pools connections to B: nginx < 1.29.7 (Debian 12: 1.22.1) only with"
            + " keepalive;\n# from 1.29.7 upstream keepalive is on by default (`keepalive 0;`"
            + " turns it off)\n")
        .append("proxy_http_version 1.1;\nproxy_set_header Connection \"\";\n")
        .append("upstream b {\n    server b.internal:8080;\n    keepalive 32;\n")
        .append("    keepalive_timeout ").append(keepalive)
        .append("s;          # an idle pooled connection ends after this\n")
        .append("    keepalive_time ").append(keepalive)
        .append("s;             # checked when a request ends; then it may idle"
            + " keepalive_timeout (nginx >= 1.19.10)\n}\n```\n\n")
        .append("The LB's draining decides A: when it ends the LB sends nothing more, so the"
            + " stop only closes what is left (QUIT, TERM after " + aStop + " s):"
            + " `systemctl edit nginx`\n\n```ini\n[Service]\nExecStop=\n")
        .append(stopLine(aStop))
        .append("TimeoutStopSec=").append(plan.nginxStopTimeout(plan.nginxHttpStopWait()))
        .append("\n```\n");

    md.append("\n## B: nginx stream\n\n```nginx\nstream {\n    server {\n        listen 8080;\n")
        .append("        proxy_pass kong;\n        proxy_timeout 10m;           # default\n")
        .append("    }\n}\n```\n\n")
        .append("The internal LB's draining (which outlasts A's pooled connections, "
            + keepalive + " s) decides B; the stop only closes what is left (QUIT, TERM after "
            + bStop + " s):\n\n```ini\n[Service]\nExecStop=\n")
        .append(stopLine(bStop))
        .append("TimeoutStopSec=").append(plan.nginxStopTimeout(plan.nginxStreamStopWait()))
        .append("\n```\n");

    md.append("\n## C: Kong on GKE\n\n");
    table(md);
    row(md, "Service `retries`", "5 (default)", "GETs and never-sent requests are retried;"
        + " a POST that was sent is not");
    long kongRead = plan.kongReadTimeoutMillis();
    row(md, "Service `read_timeout`", kongRead + " ms" + (kongRead == 60000 ? " (default)"
        : " (`konghq.com/read-timeout`)"), "between two successive reads: D's processing "
        + processing + " s + margin " + margin + " s, at least the default 60000 ms");
    row(md, "Service `connect/write_timeout`", "60000 ms (default)", "each runs between"
        + " two successive writes, not over the whole request");
    row(md, "Route `request_buffering`", "true (default)", "Kong holds the body; a D replaced"
        + " meanwhile costs nothing");
    row(md, "`upstream_keepalive_idle_timeout`", RolloutPlan.KONG_POOL_IDLE.toSeconds() + " s"
        + " (default)", "D's keep-alive must be above it: " + serverIdle + " s");
    row(md, "preStop", "`kong quit --wait=" + plan.kongQuitWait().toSeconds() + " --timeout="
        + plan.kongQuitTimeout().toSeconds() + "`", "wait: the Kong LB's node health check "
        + plan.kongPropagationDelay().toSeconds() + " s + A's pooled connections ("
        + "`keepalive_time` " + keepalive + " s + `keepalive_timeout` " + keepalive + " s) +"
        + " margin " + margin + " s; timeout: the body from A and to D " + lan + " s each"
        + " + D " + processing + " s + margin " + margin + " s");
    row(md, "`terminationGracePeriodSeconds`", plan.kongGracePeriod().toSeconds() + "",
        "wait + timeout + margin " + margin + " s");

    md.append("\n## D: the application with graceful-drain on ").append(in.platform())
        .append("\n\n```properties\n");
    md.append("drain.grace-period=").append(grace).append("s\n")
        .append("drain.propagation-delay=").append(delay).append("s\n")
        .append("drain.safety-margin=").append(margin).append("s\n");
    if (preStop > 0) {
      md.append("drain.pre-stop-duration=").append(preStop).append("s\n");
    }
    md.append("drain.max-upload-size=").append(RolloutPlan.size(in.maxUploadBytes())).append('\n')
        .append("# per second: ").append(RolloutPlan.size(in.minClientRate())).append("/s\n")
        .append("drain.min-client-rate=").append(RolloutPlan.size(in.minClientRate()))
        .append('\n')
        .append("drain.upstream-idle-timeout=").append(RolloutPlan.KONG_POOL_IDLE.toSeconds())
        .append("s\n")
        .append("drain.server-idle-timeout=").append(serverIdle).append("s\n")
        .append("# and the server's own keep-alive, e.g. server.tomcat.keep-alive-timeout=")
        .append(serverIdle).append("s\n```\n\n")
        .append("Grace period ").append(grace).append(" s: ").append(plan.graceWhy())
        .append(". A Spring MVC app that takes the upload as multipart must also set"
            + " `spring.servlet.multipart.max-file-size` (1MB by default) to ")
        .append(RolloutPlan.size(in.maxUploadBytes()))
        .append(" and `max-request-size` (10MB by default) to ")
        .append(RolloutPlan.size(plan.multipartMaxRequestBytes()))
        .append(" (the file + 1MB for the multipart framing, at least the default).\n\n");
    if (in.platform() == Platform.GKE) {
      md.append("`terminationGracePeriodSeconds: ").append(grace).append("`; readiness probe on"
          + " the library's `/readyz` (or `/actuator/health/readiness`); ")
          .append(preStop > 0 ? "the preStop's " + preStop + " s are inside the grace period"
              + " and SIGTERM comes at their end."
              : "no preStop: the library serves through the propagation delay itself.")
          .append('\n');
      if (preStop > 0) {
        long withoutLibrary = plan.graceWithoutLibrary().toSeconds();
        md.append("\nWithout the library (any runtime): the preStop must outlast the"
            + " propagation (").append(delay).append(" s").append(preStop < delay
            ? "; " + preStop + " s is too short: raise --pre-stop" : "")
            .append("); at SIGTERM the server stops accepting and finishes what is in flight:"
                + " `terminationGracePeriodSeconds: ").append(withoutLibrary)
            .append("` (preStop ").append(preStop).append(" s + the longest request at D: upload ")
            .append(u).append(" s + processing ").append(processing).append(" s + margin ")
            .append(margin).append(" s). The library keeps its own propagation delay after the"
                + " preStop, hence its ").append(grace).append(" s.\n");
      }
    } else {
      md.append("systemd: `TimeoutStopSec=").append(grace).append("` (a stop on a VM gets at"
          + " most ").append(RolloutPlan.vmStopLimit()).append(" s).\n");
    }

    md.append("\n## Shutdown of D\n\n").append(gantt("D replaced during a "
        + RolloutPlan.size(in.maxUploadBytes()) + " upload at "
        + RolloutPlan.size(in.minClientRate()) + "/s", plan.shutdownTimeline()));
    return md.toString();
  }

  /**
   * A Mermaid gantt of {@code tasks}. Its dates are milliseconds ({@code dateFormat x}): with
   * {@code X} (seconds) mermaid 11 reads a start as milliseconds and an end as seconds. A
   * {@code %% seconds:} comment lists each task's planned start and end, which the Mermaid check
   * compares with the positions mermaid parses.
   */
  static String gantt(String title, List<RolloutPlan.GanttTask> tasks) {
    StringBuilder md = new StringBuilder("```mermaid\ngantt\n    title ").append(title)
        .append("\n    dateFormat x\n    axisFormat %M:%S\n");
    md.append("    %% seconds: ").append(tasks.stream()
        .map(t -> t.id() + " " + t.start() + " " + t.end()).collect(Collectors.joining(", ")))
        .append('\n');
    String section = null;
    for (RolloutPlan.GanttTask t : tasks) {
      if (!t.section().equals(section)) {
        section = t.section();
        md.append("    section ").append(section).append('\n');
      }
      md.append("    ").append(t.label()).append(" :").append(t.milestone() ? "milestone, " : "")
          .append(t.id()).append(", ").append(t.start() * 1000).append(", ")
          .append(t.end() * 1000).append('\n');
    }
    return md.append("```\n").toString();
  }

  private static String stopLine(long wait) {
    return "ExecStop=-/sbin/start-stop-daemon --quiet --stop --retry QUIT/" + wait
        + "/TERM/" + RolloutPlan.NGINX_TERM_WAIT + " --pidfile /run/nginx.pid\n";
  }

  private static void table(StringBuilder md) {
    md.append("| setting | value | why |\n|---|---|---|\n");
  }

  private static void row(StringBuilder md, String setting, String value, String why) {
    md.append("| ").append(setting).append(" | ").append(value).append(" | ").append(why)
        .append(" |\n");
  }
}
