package dev.drain.demo;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The lab's processes: {@code LB → A ×2 → (relay) → L4 → B ×2 → KLB → C ×2 → (relay) → D ×2},
 * all on loopback (KLB: the load balancer GKE builds for Kong's Service), configured by one {@link ChainLab.ChainSettings}, and how each tier is replaced.
 */
final class Chain implements AutoCloseable {

  /** The endpoint removal and the Kong Ingress Controller's sync, on the lab's timeline. */
  private static final long ENDPOINT_LAG_MILLIS = ChainLab.ChainSettings.ENDPOINT_LAG_MILLIS;

  private final ChainLab.ChainSettings settings;
  private final Path jar;
  private final Duration latency;
  private final Path dir;
  private final List<AutoCloseable> everything = new ArrayList<>();
  private final List<NginxProcess> a = new ArrayList<>();
  private final List<NginxProcess> b = new ArrayList<>();
  private final List<KongPod> c = new ArrayList<>();
  private final List<Instance> d = new ArrayList<>();
  private NginxProcess lb;
  private NginxProcess l4;
  private NginxProcess klb;
  private LatencyRelay l4Relay;
  private int started;

  Chain(ChainLab.ChainSettings settings, Path jar, Duration latency, Path dir) {
    this.settings = settings;
    this.jar = jar;
    this.latency = latency;
    this.dir = dir;
  }

  int frontPort() {
    return lb.port;
  }

  /** Starts every tier from the back: D, C, B, L4 and its relay, A, LB. */
  void start() throws Exception {
    for (int i = 0; i < 2; i++) {
      d.add(startD());
    }
    for (int i = 0; i < 2; i++) {
      c.add(startC());
    }
    klb = nginx("klb");
    klb.apply(klbConfig());
    for (int i = 0; i < 2; i++) {
      b.add(startB());
    }
    l4 = nginx("l4");
    l4.apply(l4Config(ports(b)));
    l4Relay = new LatencyRelay(l4.port, latency);
    everything.add(l4Relay);
    for (int i = 0; i < 2; i++) {
      a.add(startA());
    }
    lb = nginx("lb");
    lb.apply(lbConfig(ports(a)));
  }

  /** Replaces the oldest instance of {@code tier} the way its platform does. */
  void roll(String tier) throws Exception {
    switch (tier) {
      case "A" -> rollMig(a, this::startA, list -> lb.apply(lbConfig(ports(list))),
          settings.lbDrainingMillis(), settings.aStopWaitMillis());
      case "B" -> rollMig(b, this::startB, list -> l4.apply(l4Config(ports(list))),
          settings.l4DrainingMillis(), settings.bStopWaitMillis());
      case "C" -> rollKong();
      case "D" -> rollApp();
      default -> throw new IllegalArgumentException("--tiers takes A, B, C and D, not " + tier);
    }
  }

  private interface Starter {
    NginxProcess start() throws Exception;
  }

  private interface Router {
    void route(List<NginxProcess> instances) throws Exception;
  }

  /**
   * A VM of a MIG behind a load balancer: the new VM joins the backend, the old one leaves it,
   * the load balancer drains it for its draining timeout, then the VM shuts down and systemd
   * stops nginx: QUIT, TERM after the stop wait, KILL 5 s later.
   */
  private void rollMig(List<NginxProcess> tier, Starter starter, Router front,
      long drainingMillis, long stopWaitMillis) throws Exception {
    NginxProcess old = tier.get(0);
    NginxProcess fresh = starter.start();
    tier.add(fresh);
    front.route(tier);
    tier.remove(old);
    front.route(tier);
    ChainLab.park(drainingMillis);
    old.quit();
    if (!old.awaitExit(stopWaitMillis)) {
      old.terminate();
      if (!old.awaitExit(5000)) {
        old.kill();
      }
    }
  }

  /**
   * A Kong pod: the new one becomes ready and is added to B's upstream (the Service's
   * endpoints); the old one's deletion starts its preStop ({@code kong quit --wait}: serve, then
   * QUIT, TERM after the quit timeout) and, a moment later, removes it from the endpoints;
   * SIGKILL at the grace period.
   */
  private void rollKong() throws Exception {
    KongPod old = c.get(0);
    KongPod fresh = startC();
    c.add(fresh);
    routeB();
    long deleted = System.nanoTime();
    ChainLab.park(ENDPOINT_LAG_MILLIS);
    c.remove(old);
    routeB();
    ChainLab.park(settings.cPreStopWaitMillis() - ENDPOINT_LAG_MILLIS);
    old.front.quit();
    old.back.quit();
    long quit = System.nanoTime();
    for (NginxProcess nginx : List.of(old.front, old.back)) {
      if (!nginx.awaitExit(Math.max(0, settings.cQuitTimeoutMillis() - elapsedMillis(quit)))) {
        nginx.terminate();
      }
    }
    long left = settings.cGraceMillis() - elapsedMillis(deleted);
    for (NginxProcess nginx : List.of(old.front, old.back)) {
      if (!nginx.awaitExit(Math.max(0, left))) {
        nginx.kill();
      }
    }
  }

  /**
   * One Kong pod, as two nginx: the front takes B's connections (Kong's downstream side, kept
   * alive) and passes each request on a connection of its own to the back, which holds Kong's
   * upstream pool to D. Kong changes its targets without a reload; an nginx reload would close
   * the idle downstream connections A pools through B, and a POST sent on one as it closes
   * gets 502 — a failure real Kong does not have. So only the back reloads when D's endpoints
   * change, and it has no idle downstream connection to close.
   */
  private record KongPod(NginxProcess front, NginxProcess back) {}

  /**
   * An application pod: the new one becomes ready and joins Kong's upstream; the old one gets
   * SIGTERM as its deletion starts and leaves Kong's upstream a moment later; SIGKILL at the
   * grace period.
   */
  private void rollApp() throws Exception {
    Instance old = d.get(0);
    Instance fresh = startD();
    d.add(fresh);
    routeC();
    long term = System.nanoTime();
    old.sigterm();
    ChainLab.park(ENDPOINT_LAG_MILLIS);
    d.remove(old);
    routeC();
    old.awaitExitOrKill(settings.dGraceMillis(), term);
    old.closeRelay();
  }

  private static long elapsedMillis(long sinceNanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sinceNanos);
  }

  private NginxProcess nginx(String name) throws Exception {
    NginxProcess nginx = new NginxProcess(name, dir.resolve(name), Ports.free());
    everything.add(nginx);
    return nginx;
  }

  private NginxProcess startA() throws Exception {
    NginxProcess nginx = nginx("a" + (++started));
    nginx.apply(aConfig(nginx));
    return nginx;
  }

  private NginxProcess startB() throws Exception {
    NginxProcess nginx = nginx("b" + (++started));
    nginx.apply(stream(nginx, List.of(klb.port)));
    return nginx;
  }

  private KongPod startC() throws Exception {
    int n = ++started;
    NginxProcess back = nginx("c" + n + "-upstream");
    back.apply(cConfig(back, d.stream().map(Instance::routePort).toList()));
    NginxProcess front = nginx("c" + n);
    front.apply(kongFront(front, back.port));
    return new KongPod(front, back);
  }

  private Instance startD() throws Exception {
    Instance instance = Instance.start("d" + (++started), jar, dir, settings.dArgs(), latency);
    everything.add(() -> {
      instance.process.destroyForcibly();
      instance.closeRelay();
    });
    instance.awaitReady(30_000);
    return instance;
  }

  /** Kong's endpoints changed: the load balancer in front of Kong follows. */
  private void routeB() throws Exception {
    klb.apply(klbConfig());
  }

  /**
   * The stand-in for the load balancer of Kong's Service (an internal L4 LB with {@code
   * externalTrafficPolicy: Local}): new connections go only to ready Kong pods (its health
   * check); after a pod's removal its established flows go on (kube-proxy's connection tracking,
   * or a NEG's draining) until the draining time ends, then they are cut.
   */
  private String klbConfig() {
    return stream(klb, kongPorts(), drainEnd(settings.klbDrainingMillis()));
  }

  private void routeC() throws Exception {
    List<Integer> ports = d.stream().map(Instance::routePort).toList();
    for (KongPod pod : c) {
      pod.back.apply(cConfig(pod.back, ports));
    }
  }

  private List<Integer> kongPorts() {
    return c.stream().map(pod -> pod.front.port).toList();
  }

  private static List<Integer> ports(List<NginxProcess> tier) {
    return tier.stream().map(n -> n.port).toList();
  }

  private static String servers(List<Integer> ports) {
    StringBuilder s = new StringBuilder();
    for (int port : ports) {
      s.append("    server 127.0.0.1:").append(port).append(";\n");
    }
    return s.toString();
  }

  /**
   * The GCP load balancer stand-in: streams bodies, retries a bodyless request once. A removed
   * VM leaves by a reload; the old workers keep its requests until the draining time ends, then
   * cut them ({@code worker_shutdown_timeout}; 1 s for a draining time of 0).
   */
  private String lbConfig(List<Integer> aPorts) {
    return lb.preamble() + drainEnd(settings.lbDrainingMillis()) + "http {\n" + lb.httpPaths()
        + """
          upstream a {
        %s    keepalive 32;
            keepalive_timeout 600s;
          }
          server {
            listen 127.0.0.1:%d;
            client_max_body_size 0;
            location / {
              proxy_pass http://a;
              proxy_http_version 1.1;
              proxy_set_header Connection "";
              proxy_request_buffering off;
              proxy_next_upstream error timeout http_502 http_503 http_504;
              proxy_next_upstream_tries 2;
              proxy_connect_timeout 2s;
              add_header X-Lab-LB "$upstream_status $upstream_header_time" always;
            }
          }
        }
        """.formatted(servers(aPorts), lb.port);
  }

  /**
   * nginx A: request buffering on (its default), an upstream keep-alive pool when the settings
   * configure one ({@code keepalive 32; ...}; stock nginx has none).
   */
  private String aConfig(NginxProcess nginx) {
    return nginx.preamble() + "http {\n" + nginx.httpPaths() + """
          %s
          upstream b {
            server 127.0.0.1:%d;
            %s
          }
          server {
            listen 127.0.0.1:%d;
            client_max_body_size 100m;
            location / {
              proxy_pass http://b;
              proxy_http_version 1.1;
              proxy_set_header Connection "";
              proxy_request_buffering on;
              proxy_connect_timeout 2s;
              add_header X-Lab-A "$upstream_status $upstream_header_time" always;
            }
          }
        }
        """.formatted(settings.aClientKeepalive(), l4Relay.port(),
        settings.aUpstreamKeepalive(), nginx.port);
  }

  /**
   * The internal passthrough load balancer stand-in: after a reload, flows to a removed VM go on
   * (connection tracking) until the draining time ends, then they are cut.
   */
  private String l4Config(List<Integer> bPorts) {
    return stream(l4, bPorts, drainEnd(settings.l4DrainingMillis()));
  }

  private static String drainEnd(long drainingMillis) {
    return "worker_shutdown_timeout " + Math.max(1000, drainingMillis) + "ms;\n";
  }

  /** An L4 hop (the internal load balancer, or nginx B): TCP sessions to the upstreams. */
  private static String stream(NginxProcess nginx, List<Integer> upstreams) {
    return stream(nginx, upstreams, "");
  }

  private static String stream(NginxProcess nginx, List<Integer> upstreams, String main) {
    // the stream module is dynamic in Debian's packages; it must be loaded before any block
    return "load_module /usr/lib/nginx/modules/ngx_stream_module.so;\n" + nginx.preamble() + main
        + """
        stream {
          upstream next {
        %s  }
          server {
            listen 127.0.0.1:%d;
            proxy_pass next;
            proxy_connect_timeout 2s;
            proxy_timeout 10m;
          }
        }
        """.formatted(servers(upstreams), nginx.port);
  }

  /** A Kong pod's downstream side: Kong's keep-alive towards B, request buffering on. */
  private static String kongFront(NginxProcess nginx, int backPort) {
    return nginx.preamble() + "http {\n" + nginx.httpPaths() + """
          keepalive_timeout 60s;
          server {
            listen 127.0.0.1:%d;
            client_max_body_size 0;
            location / {
              proxy_pass http://127.0.0.1:%d;
              proxy_request_buffering on;
              proxy_connect_timeout 2s;
              proxy_read_timeout 60s;
              add_header X-Lab-K "$upstream_status $upstream_header_time" always;
            }
          }
        }
        """.formatted(nginx.port, backPort);
  }

  /**
   * A Kong pod's upstream side: an upstream pool of 512 connections idle at most 60 s, 5
   * retries, 60 s timeouts, no body size limit.
   */
  private static String cConfig(NginxProcess nginx, List<Integer> dPorts) {
    return nginx.preamble() + "http {\n" + nginx.httpPaths() + """
          upstream d {
        %s    keepalive 512;
            keepalive_timeout 60s;
            keepalive_requests 10000;
          }
          server {
            listen 127.0.0.1:%d;
            client_max_body_size 0;
            location / {
              proxy_pass http://d;
              proxy_http_version 1.1;
              proxy_set_header Connection "";
              proxy_request_buffering on;
              proxy_next_upstream error timeout;
              proxy_next_upstream_tries 5;
              proxy_connect_timeout 2s;
              proxy_send_timeout 60s;
              proxy_read_timeout 60s;
              add_header X-Lab-C "$upstream_status $upstream_header_time" always;
            }
          }
        }
        """.formatted(servers(dPorts), nginx.port);
  }

  @Override
  public void close() {
    for (int i = everything.size() - 1; i >= 0; i--) {
      try {
        everything.get(i).close();
      } catch (Exception e) {
        System.err.println(String.format(Locale.ROOT, "lab: closing: %s", e));
      }
    }
  }
}
