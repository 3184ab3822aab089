package dev.drain.core.plan;

import dev.drain.core.DrainConfig;
import dev.drain.core.internal.Durations;

/** Renders a {@link RolloutPlan} as Markdown. */
final class PlanMarkdown {

  private PlanMarkdown() {}

  static String render(RolloutPlan plan) {
    PlanInput in = plan.input();
    DrainConfig app = plan.application();
    long u = plan.uploadTime().toSeconds();
    long margin = Durations.ceilSeconds(in.safetyMargin());
    long delay = Durations.ceilSeconds(in.propagationDelay());
    long preStop = Durations.ceilSeconds(in.preStop());
    long grace = plan.applicationGracePeriod().toSeconds();
    long serverIdle = Durations.ceilSeconds(app.serverIdleTimeout().orElseThrow());
    StringBuilder md = new StringBuilder();
    md.append("# Rollout plan: ").append(RolloutPlan.size(in.maxUploadBytes()))
        .append(" uploads at ").append(RolloutPlan.size(in.minClientRate()))
        .append("/s or faster, application on ").append(in.platform()).append("\n\n");
    md.append("Upload time: ").append(u).append(" s. Propagation delay: ").append(delay)
        .append(" s. Safety margin per tier: ").append(margin).append(" s")
        .append(preStop > 0 ? ". preStop: " + preStop + " s" : "").append(".\n")
        .append("Each tier that can hold the upload gets its time, in case the body streams"
            + " through it; every figure is whole seconds.\n\n");

    md.append("## GCP load balancer in front of A\n\n");
    table(md);
    row(md, "backend service `timeoutSec`", plan.loadBalancerTimeout().toSeconds() + "",
        "from the first request byte to the last response byte: the upload ("
            + u + " s), the response and a margin; the default 30 s cuts the upload");
    row(md, "`connectionDraining.drainingTimeoutSec`", plan.connectionDraining().toSeconds() + "",
        "a removed VM keeps its requests in flight this long; the API's default 0 cuts them");
    row(md, "health check", "every " + RolloutPlan.HC_INTERVAL + " s, timeout "
        + RolloutPlan.HC_TIMEOUT + " s, healthy " + RolloutPlan.HC_HEALTHY + ", unhealthy "
        + RolloutPlan.HC_UNHEALTHY, "GCP's defaults; a dead VM still gets requests for about "
        + RolloutPlan.HC_INTERVAL * RolloutPlan.HC_UNHEALTHY + "-"
        + (RolloutPlan.HC_INTERVAL * RolloutPlan.HC_UNHEALTHY + RolloutPlan.HC_TIMEOUT) + " s");
    row(md, "retries", "none for POST", "GCP retries a bodyless request once; a POST never: only"
        + " draining saves it");
    md.append("\n## Internal passthrough load balancer in front of B\n\n");
    table(md);
    row(md, "`connectionDraining.drainingTimeoutSec`",
        plan.internalConnectionDraining().toSeconds() + "", "flows to a removed VM go on this"
            + " long, then their next packet gets a reset: it must outlast an upload streaming"
            + " through and A's pooled connections (" + RolloutPlan.A_UPSTREAM_KEEPALIVE.toSeconds()
            + " s)");
    md.append("\n## MIGs of A and B\n\n");
    table(md);
    row(md, "`maxSurge` / `maxUnavailable`", "1 per zone / 0", "capacity stays while VMs"
        + " are replaced");
    row(md, "`minReadySec`", plan.minReady().toSeconds() + "", "the health check finds the new"
        + " VM healthy (" + RolloutPlan.HC_HEALTHY + " checks " + RolloutPlan.HC_INTERVAL
        + " s apart) before the next VM goes");
    row(md, "VM shutdown", "within " + RolloutPlan.VM_SHUTDOWN_BUDGET.toSeconds() + " s",
        "after the draining timeout the MIG shuts the VM down; systemd stops nginx inside that"
            + " budget (30 s on Spot and preemptible VMs)");

    md.append("\n## A: nginx http\n\n```nginx\n")
        .append("client_max_body_size ").append(plan.clientMaxBodySizeMebibytes())
        .append("m;          # default 1m: a larger upload gets 413\n")
        .append("client_body_timeout 60s;          # between two reads; fine at the planned rate\n")
        .append("keepalive_timeout ").append(RolloutPlan.GCP_BACKEND_KEEPALIVE.toSeconds())
        .append("s;           # above the GCP LB's ")
        .append(RolloutPlan.GCP_LB_KEEPALIVE.toSeconds()).append(" s pool\n")
        .append("proxy_request_buffering on;       # default: A holds the slow body, B-D get it"
            + " at network speed\n")
        .append("proxy_http_version 1.1;\nproxy_set_header Connection \"\";\n")
        .append("proxy_send_timeout 60s;           # between two writes to B: fine with buffering\n")
        .append("proxy_read_timeout 60s;           # between two reads: D's slowest answer\n")
        .append("# worker_shutdown_timeout: leave unset; a reload would cut uploads still arriving\n")
        .append("upstream b {\n    server b.internal:8080;\n    keepalive 32;\n")
        .append("    keepalive_timeout ").append(RolloutPlan.A_UPSTREAM_KEEPALIVE.toSeconds())
        .append("s;          # idle pooled connections end within B's and Kong's waits\n")
        .append("    keepalive_time ").append(RolloutPlan.A_UPSTREAM_KEEPALIVE.toSeconds())
        .append("s;             # so do busy ones (nginx >= 1.19.10)\n}\n```\n\n")
        .append("Stop it gracefully for long enough (Debian's unit sends QUIT, then TERM after"
            + " 5 s): `systemctl edit nginx`\n\n```ini\n[Service]\nExecStop=\n")
        .append(stopLine(plan.nginxHttpStopWait().toSeconds()))
        .append("TimeoutStopSec=").append(plan.nginxHttpStopWait().toSeconds() + 10)
        .append("\n```\n");

    md.append("\n## B: nginx stream\n\n```nginx\nstream {\n    server {\n        listen 8080;\n")
        .append("        proxy_pass kong;\n        proxy_timeout 10m;           # default\n")
        .append("    }\n}\n```\n\n")
        .append("A stopping stream tier keeps every TCP session, A's pooled ones too, and"
            + " cannot say `Connection: close`: A's upstream `keepalive_timeout` and"
            + " `keepalive_time` (" + RolloutPlan.A_UPSTREAM_KEEPALIVE.toSeconds() + " s) end"
            + " them, so B waits "
            + plan.nginxStreamStopWait().toSeconds() + " s after QUIT:\n\n```ini\n[Service]\n"
            + "ExecStop=\n")
        .append(stopLine(plan.nginxStreamStopWait().toSeconds()))
        .append("TimeoutStopSec=").append(plan.nginxStreamStopWait().toSeconds() + 10)
        .append("\n```\n");

    md.append("\n## C: Kong on GKE\n\n");
    table(md);
    row(md, "Service `retries`", "5 (default)", "GETs and never-sent requests are retried;"
        + " a POST that was sent is not");
    row(md, "Service `connect/write/read_timeout`", "60000 ms (default)", "each runs between"
        + " two successive writes or reads, not over the whole upload: the defaults hold at the"
        + " planned rate; with request buffering on Kong sends D the body at network speed");
    row(md, "Route `request_buffering`", "true (default)", "Kong holds the body; a D replaced"
        + " meanwhile costs nothing");
    row(md, "`upstream_keepalive_idle_timeout`", RolloutPlan.KONG_POOL_IDLE.toSeconds() + " s"
        + " (default)", "D's keep-alive must be above it: " + serverIdle + " s");
    row(md, "preStop", "`kong quit --wait=" + plan.kongQuitWait().toSeconds() + " --timeout="
        + plan.kongQuitTimeout().toSeconds() + "`", "serves while the platform stops sending"
        + " and A's pooled connections end, then lets requests in flight (an upload it buffers)"
        + " finish");
    row(md, "`terminationGracePeriodSeconds`", plan.kongGracePeriod().toSeconds() + "",
        "the chart's 30 s cuts an upload Kong still buffers");

    md.append("\n## D: the application with graceful-drain on ").append(in.platform())
        .append("\n\n```properties\n");
    md.append("drain.grace-period=").append(grace).append("s\n")
        .append("drain.propagation-delay=").append(delay).append("s\n")
        .append("drain.safety-margin=").append(margin).append("s\n");
    if (preStop > 0) {
      md.append("drain.pre-stop-duration=").append(preStop).append("s\n");
    }
    md.append("drain.max-upload-size=").append(RolloutPlan.size(in.maxUploadBytes())).append('\n')
        .append("drain.min-client-rate=").append(RolloutPlan.size(in.minClientRate()))
        .append('\n')
        .append("drain.upstream-idle-timeout=").append(RolloutPlan.KONG_POOL_IDLE.toSeconds())
        .append("s\n")
        .append("drain.server-idle-timeout=").append(serverIdle).append("s\n")
        .append("# and the server's own keep-alive, e.g. server.tomcat.keep-alive-timeout=")
        .append(serverIdle).append("s\n```\n\n")
        .append("A Spring MVC app that takes the upload as multipart must also raise"
            + " `spring.servlet.multipart.max-file-size` and `max-request-size` (1MB and 10MB by"
            + " default) to ").append(RolloutPlan.size(in.maxUploadBytes())).append(".\n\n");
    if (in.platform() == Platform.GKE) {
      md.append("`terminationGracePeriodSeconds: ").append(grace).append("`; readiness probe on"
          + " the library's `/readyz` (or `/actuator/health/readiness`); ")
          .append(preStop > 0 ? "the preStop's " + preStop + " s are inside the grace period."
              : "no preStop: the library serves through the propagation delay itself.")
          .append('\n');
    } else {
      md.append("systemd: `TimeoutStopSec=").append(grace).append("` (within the VM's ")
          .append(RolloutPlan.VM_SHUTDOWN_BUDGET.toSeconds()).append(" s shutdown budget).\n");
    }

    md.append("\n## Shutdown of D\n\n```mermaid\ngantt\n")
        .append("    title D replaced during a ").append(RolloutPlan.size(in.maxUploadBytes()))
        .append(" upload at ").append(RolloutPlan.size(in.minClientRate())).append("/s\n")
        .append("    dateFormat X\n    axisFormat %M:%S\n")
        .append("    section Platform\n")
        .append("    SIGTERM, endpoint removed :milestone, m0, 0, 0\n");
    if (preStop > 0) {
      md.append("    preStop hook :p0, 0, ").append(preStop).append('\n');
    }
    md.append("    grace period :g0, 0, ").append(grace).append('\n')
        .append("    SIGKILL :milestone, m1, ").append(grace).append(", ").append(grace)
        .append('\n')
        .append("    section D\n")
        .append("    readiness off, serving, Connection close :d1, ").append(preStop)
        .append(", ").append(preStop + delay).append('\n')
        .append("    last admitted upload finishes :d2, ").append(preStop + delay).append(", ")
        .append(preStop + delay + u).append('\n')
        .append("    margin, server stop, exit :d3, ").append(preStop + delay + u).append(", ")
        .append(grace).append("\n```\n");
    return md.toString();
  }

  private static String stopLine(long wait) {
    return "ExecStop=-/sbin/start-stop-daemon --quiet --stop --retry QUIT/" + wait
        + "/TERM/5 --pidfile /run/nginx.pid\n";
  }

  private static void table(StringBuilder md) {
    md.append("| setting | value | why |\n|---|---|---|\n");
  }

  private static void row(StringBuilder md, String setting, String value, String why) {
    md.append("| ").append(setting).append(" | ").append(value).append(" | ").append(why)
        .append(" |\n");
  }
}
