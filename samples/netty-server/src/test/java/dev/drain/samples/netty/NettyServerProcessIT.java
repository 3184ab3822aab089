package dev.drain.samples.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.drain.test.RawHttp2;
import dev.drain.test.SampleProcessKit;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The packaged Netty sample passes the samples' process contract, and serves HTTP/2 by an h2c
 * upgrade and by prior knowledge beside HTTP/1.1 on one port.
 */
class NettyServerProcessIT extends SampleProcessKit {

  @Test
  void servesHttp2ByUpgradeAndHttp11AndDrainsIdle() throws Exception {
    int port = start("--drain.propagation-delay=500ms", "--drain.quiet-period=0s");
    HttpClient h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
    HttpResponse<String> upgraded = h2.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + port + "/hello")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(upgraded.version()).as("h2c upgrade").isEqualTo(HttpClient.Version.HTTP_2);
    assertThat(upgraded.body()).isEqualTo("hello");
    HttpResponse<String> http11 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .build().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/readyz"))
            .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(http11.body()).isEqualTo("ready\n");
    // HTTP/2 by prior knowledge (curl --http2-prior-knowledge): the connection preface first
    try (RawHttp2 priorKnowledge = RawHttp2.connect(port)) {
      RawHttp2.Response hello = priorKnowledge.get("/hello").get(5, TimeUnit.SECONDS);
      assertThat(hello.status()).isEqualTo(200);
      assertThat(hello.body()).isEqualTo("hello");
      assertThat(priorKnowledge.get("/readyz").get(5, TimeUnit.SECONDS).body())
          .isEqualTo("ready\n");
    }

    long tookMillis = sigtermAndWait();
    assertThat(tookMillis).as("idle: the propagation delay and little more").isBetween(500L, 2500L);
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(sample.lines())
        .anyMatch(line -> line.startsWith("DRAIN done in ") && line.contains("nothing cut")));
  }
}
