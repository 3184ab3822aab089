package dev.drain.samples.spring;

import dev.drain.core.Drain;
import dev.drain.core.DrainEvent;
import dev.drain.core.DrainResult;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The samples' HTTP surface as a Spring Boot MVC application on Tomcat with actuator: {@code GET
 * /hello}, a streamed {@code POST /upload} (the raw body through SHA-256, never held, no
 * multipart size limit in the way), {@code /readyz} and {@code /drainz} on the main port, and
 * {@code /actuator/health/readiness} beside them.
 *
 * <p>Arguments as every sample's: {@code --server.port=N}, {@code --server.address=A}, {@code
 * --drain.<property>=<value>}; {@code --drain.enabled=false} leaves plain Spring Boot graceful
 * shutdown (the baseline), whose {@code /readyz} is Spring Boot's readiness state. Prints {@code
 * LISTENING port=N} once it serves, and the drain's events.
 */
@SpringBootApplication
@RestController
public class UploadServiceApp {

  /**
   * Starts the application.
   *
   * @param args the arguments
   */
  public static void main(String[] args) {
    SpringApplication.run(UploadServiceApp.class, args);
  }

  private final ApplicationAvailability availability;

  /**
   * Creates the controller; Spring calls it.
   *
   * @param availability Spring Boot's application availability
   */
  public UploadServiceApp(ApplicationAvailability availability) {
    this.availability = availability;
  }

  /**
   * {@code GET /hello}.
   *
   * @return {@code hello}
   */
  @GetMapping(value = "/hello", produces = MediaType.TEXT_PLAIN_VALUE)
  public String hello() {
    return "hello";
  }

  /**
   * {@code POST /upload}: streams the body through SHA-256; 400 when fewer bytes arrive than
   * {@code Content-Length} says.
   *
   * @param request the request
   * @return {@code {"bytes":N,"sha256":"<hex>"}}
   * @throws IOException when the client goes away
   */
  @PostMapping(value = "/upload", produces = MediaType.APPLICATION_JSON_VALUE)
  public ResponseEntity<String> upload(HttpServletRequest request) throws IOException {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    long total = 0;
    byte[] buffer = new byte[64 * 1024];
    ServletInputStream in = request.getInputStream();
    int n;
    while ((n = in.read(buffer)) >= 0) {
      digest.update(buffer, 0, n);
      total += n;
    }
    long declared = request.getContentLengthLong();
    if (declared >= 0 && declared != total) {
      return ResponseEntity.badRequest().contentType(MediaType.TEXT_PLAIN)
          .body("truncated body: " + total + " of " + declared + " bytes");
    }
    return ResponseEntity.ok("{\"bytes\":" + total + ",\"sha256\":\""
        + HexFormat.of().formatHex(digest.digest()) + "\"}");
  }

  /**
   * The baseline's {@code /readyz} (with the library, its filter answers it first): Spring Boot's
   * own readiness state, which turns to refusing when the context starts closing.
   *
   * @return 200 {@code ready} or 503 {@code draining}
   */
  @GetMapping(value = "/readyz", produces = MediaType.TEXT_PLAIN_VALUE)
  public ResponseEntity<String> readyz() {
    return availability.getReadinessState() == ReadinessState.ACCEPTING_TRAFFIC
        ? ResponseEntity.ok("ready\n")
        : ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).body("draining\n");
  }

  /**
   * Prints the drain's events, as the other samples do.
   *
   * @param drain the starter's drain, absent with {@code --drain.enabled=false}
   * @return a runner that registers the printer
   */
  @Bean
  ApplicationRunner printDrainEvents(ObjectProvider<Drain> drain) {
    return args -> drain.ifAvailable(d -> d.addListener(UploadServiceApp::print));
  }

  /**
   * Prints {@code LISTENING port=N} once the server listens.
   *
   * @param drain the starter's drain, absent with {@code --drain.enabled=false}
   * @return the listener
   */
  @Bean
  ApplicationListener<WebServerInitializedEvent> printListening(ObjectProvider<Drain> drain) {
    return event -> {
      System.out.println("LISTENING port=" + event.getWebServer().getPort() + " drain="
          + (drain.getIfAvailable() != null));
      System.out.flush();
    };
  }

  private static void print(DrainEvent event) {
    String line;
    if (event instanceof DrainEvent.StateChanged changed) {
      line = "DRAIN " + changed.from() + " -> " + changed.to() + " (" + changed.reason() + ")";
    } else if (event instanceof DrainEvent.Drained drained) {
      DrainResult result = drained.result();
      line = "DRAIN done in " + result.duration().toMillis() + " ms, "
          + (result.clean() ? "nothing cut" : "cut: " + result.cut() + " + "
              + result.cutWithoutBody() + " bodyless")
          + ", uploadsAdmitted=" + result.admittedUploads() + " refused=" + result.refused();
    } else {
      line = "DRAIN " + event;
    }
    System.out.println(line);
    System.out.flush();
  }
}
