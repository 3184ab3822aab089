package dev.drain.demo;

import dev.drain.test.PatternBody;
import dev.drain.test.RawHttp;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

/**
 * Traffic through nginx that looks like production behind a pooling proxy: steady GETs, small
 * POSTs in bursts (which nginx never retries), and paced 50 MB uploads checked by SHA-256.
 */
final class Traffic {

  static final long UPLOAD_BYTES = 50L * 1024 * 1024;

  private final int port;
  private final long uploadRate;
  private final int uploaders;
  private final List<Thread> threads = new ArrayList<>();
  private volatile boolean running = true;
  private final String uploadSha = PatternBody.sha256(UPLOAD_BYTES);

  final Map<String, AtomicLong> sent = new ConcurrentHashMap<>();
  final Map<String, AtomicLong> failed = new ConcurrentHashMap<>();
  final Map<String, AtomicLong> failures = new ConcurrentHashMap<>();
  final AtomicLong shaMatches = new AtomicLong();

  /** What a response that is not the expected one is reported as. */
  private final Function<RawHttp.Response, String> failureOf;

  Traffic(int port, long uploadRate, int uploaders) {
    this(port, uploadRate, uploaders, r -> "HTTP " + r.status());
  }

  Traffic(int port, long uploadRate, int uploaders, Function<RawHttp.Response, String> failureOf) {
    this.port = port;
    this.uploadRate = uploadRate;
    this.uploaders = uploaders;
    this.failureOf = failureOf;
  }

  void start() {
    for (int i = 0; i < 2; i++) {
      spawn("get-" + i, () -> paced(40, () -> {
        RawHttp.Response r = RawClient.get(port, "/hello");
        return r.status() == 200 && r.body().equals("hello") ? null : failureOf.apply(r);
      }, "GET"));
    }
    byte[] small = new byte[512];
    for (int i = 0; i < 8; i++) {
      // 8 clients, each one POST every 200 ms, all at the same instant: 40 POST/s in bursts.
      spawn("post-" + i, () -> paced(200, () -> {
        RawHttp.Response r = RawClient.post(port, "/upload", new ByteArrayInputStream(small),
            small.length);
        return r.status() == 200 ? null : failureOf.apply(r);
      }, "POST"));
    }
    for (int i = 0; i < uploaders; i++) {
      spawn("upload-" + i, () -> {
        while (running) {
          once("upload", () -> {
            RawHttp.Response r = RawClient.post(port, "/upload",
                new PatternBody(UPLOAD_BYTES, uploadRate), UPLOAD_BYTES);
            if (r.status() != 200) {
              return failureOf.apply(r);
            }
            if (!r.body().contains("\"sha256\":\"" + uploadSha + "\"")) {
              return "SHA-256 mismatch";
            }
            shaMatches.incrementAndGet();
            return null;
          });
        }
      });
    }
  }

  /** Stops sending and waits for what is in flight (an upload takes a few seconds). */
  void stop() throws InterruptedException {
    running = false;
    for (Thread thread : threads) {
      thread.join(TimeUnit.SECONDS.toMillis(30));
    }
  }

  long count(Map<String, AtomicLong> counts, String kind) {
    return counts.getOrDefault(kind, new AtomicLong()).get();
  }

  Map<String, Long> failuresByType() {
    Map<String, Long> sorted = new TreeMap<>();
    failures.forEach((k, v) -> sorted.put(k, v.get()));
    return sorted;
  }

  private interface Call {
    String run() throws Exception;
  }

  private void paced(long periodMillis, Call call, String kind) {
    long period = TimeUnit.MILLISECONDS.toNanos(periodMillis);
    long next = System.nanoTime();
    while (running) {
      once(kind, call);
      next += period;
      long wait = next - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      } else {
        next = System.nanoTime();
      }
    }
  }

  /** Runs one request; it is counted when it ends, with its outcome. */
  private void once(String kind, Call call) {
    String failure;
    try {
      failure = call.run();
    } catch (Exception e) {
      failure = e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : ": " + e.getMessage().replaceAll("[0-9]+", "N"));
    }
    sent.computeIfAbsent(kind, k -> new AtomicLong()).incrementAndGet();
    if (failure != null) {
      failed.computeIfAbsent(kind, k -> new AtomicLong()).incrementAndGet();
      failures.computeIfAbsent(kind + " " + failure, k -> new AtomicLong()).incrementAndGet();
    }
  }

  private void spawn(String name, Runnable body) {
    Thread thread = new Thread(body, "traffic-" + name);
    thread.setDaemon(true);
    threads.add(thread);
    thread.start();
  }
}
