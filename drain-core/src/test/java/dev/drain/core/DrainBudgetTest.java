package dev.drain.core;

import static dev.drain.core.DrainConfig.MEBIBYTE;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class DrainBudgetTest {

  private static DrainConfig.Builder fitting() {
    return DrainConfig.builder()
        .gracePeriod(Duration.ofSeconds(30))
        .safetyMargin(Duration.ofSeconds(2))
        .propagationDelay(Duration.ofSeconds(5))
        .quietPeriod(Duration.ofSeconds(1));
  }

  @Test
  void fittingSettingsHaveNoFindings() {
    assertThat(DrainBudget.check(fitting().maxUploadSize(10 * MEBIBYTE).build())).isEmpty();
    assertThat(Drain.builder().config(fitting().build()).build().budgetFindings()).isEmpty();
  }

  @Test
  void graceTooShortForTheLargestUploadNamesTheGraceToSet() {
    // 5 s delay + 50 MB at 1 MB/s (50 s) + 2 s margin = 57 s > 30 s
    List<BudgetFinding> findings =
        DrainBudget.check(fitting().maxUploadSize(50 * MEBIBYTE).build());

    assertThat(findings).singleElement().satisfies(f -> {
      assertThat(f.rule()).isEqualTo("grace-period");
      assertThat(f.level()).isEqualTo(System.Logger.Level.WARNING);
      assertThat(f.message()).contains("an upload of 52428800 bytes")
          .contains("takes 50.0s").contains("the drain needs 57s")
          .contains("drain.grace-period is 30s");
      assertThat(f.setting())
          .isEqualTo("terminationGracePeriodSeconds >= 57 and drain.grace-period=57s");
    });
  }

  @Test
  void slowerClientsNeedMoreGrace() {
    // 5 s + 68 MB at 1 MB/s + 2 s = 75 s
    assertThat(DrainBudget.check(fitting().maxUploadSize(68 * MEBIBYTE).build()))
        .singleElement().extracting(BudgetFinding::setting).asString()
        .startsWith("terminationGracePeriodSeconds >= 75");
  }

  @Test
  void aPreStopHookCountsInsideTheGracePeriod() {
    // 10 s preStop + 5 s delay + 50 MB at 1 MB/s + 2 s margin = 67 s
    DrainConfig config = fitting().gracePeriod(Duration.ofSeconds(60))
        .preStopDuration(Duration.ofSeconds(10)).maxUploadSize(50 * MEBIBYTE).build();
    assertThat(config.drainBudget()).isEqualTo(Duration.ofSeconds(48));
    assertThat(config.afterSigterm()).isEqualTo(Duration.ofSeconds(50));
    assertThat(DrainBudget.check(config)).singleElement().satisfies(f -> {
      assertThat(f.message()).contains("after a preStop of 10s").contains("the drain needs 67s");
      assertThat(f.setting())
          .isEqualTo("terminationGracePeriodSeconds >= 67 and drain.grace-period=67s");
    });
    assertThat(DrainBudget.check(DrainConfig.from(config).gracePeriod(Duration.ofSeconds(67))
        .build())).isEmpty();
    assertThat(DrainConfig.fromProperties(java.util.Map.of("drain.pre-stop-duration", "10s"))
        .preStopDuration()).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void aSafetyMarginTooShortForTheStopAndTheJvmsExitIsFlagged() {
    List<BudgetFinding> findings =
        DrainBudget.check(fitting().safetyMargin(Duration.ofMillis(500)).build());
    assertThat(findings).singleElement().satisfies(f -> {
      assertThat(f.rule()).isEqualTo("safety-margin");
      assertThat(f.level()).isEqualTo(System.Logger.Level.WARNING);
      assertThat(f.message()).startsWith("drain.safety-margin (500ms) is what is left");
      assertThat(f.setting()).isEqualTo("drain.safety-margin >= 1s");
    });
    assertThat(DrainBudget.check(fitting().safetyMargin(DrainBudget.MIN_SAFETY_MARGIN).build()))
        .isEmpty();
  }

  @Test
  void delayThatLeavesNoTimeIsFlagged() {
    List<BudgetFinding> findings = DrainBudget.check(fitting()
        .gracePeriod(Duration.ofSeconds(10)).propagationDelay(Duration.ofSeconds(8)).build());
    assertThat(findings).extracting(BudgetFinding::rule).containsExactly("propagation-delay");
    assertThat(findings.get(0).message()).contains("drain.propagation-delay (8s) leaves no time");
    assertThat(findings.get(0).setting()).isEqualTo(
        "terminationGracePeriodSeconds >= 11 and drain.grace-period=11s");
  }

  @Test
  void quietPeriodLongerThanTheDelayIsFlagged() {
    List<BudgetFinding> findings = DrainBudget.check(fitting()
        .propagationDelay(Duration.ofSeconds(1)).quietPeriod(Duration.ofSeconds(3)).build());
    assertThat(findings).singleElement().satisfies(f -> {
      assertThat(f.rule()).isEqualTo("quiet-period");
      assertThat(f.message()).startsWith(
          "drain.quiet-period (3s) is longer than drain.propagation-delay (1s)");
      assertThat(f.setting()).isEqualTo("drain.quiet-period <= 1s");
    });
  }

  @Test
  void theDefaultsOffKubernetesFindNothing() {
    // No delay: the default 1s quiet period extends nothing, so it contradicts nothing.
    DrainConfig offKubernetes = DrainConfig.builder().propagationDelay(Duration.ZERO).build();
    assertThat(offKubernetes.quietPeriod()).isEqualTo(Duration.ofSeconds(1));
    assertThat(DrainBudget.check(offKubernetes)).isEmpty();
    assertThat(DrainBudget.check(DrainConfig.builder()
        .propagationDelay(Duration.ofSeconds(5)).build())).isEmpty();
  }

  @Test
  void keepAliveShorterThanKongsPoolIsFlagged() {
    List<BudgetFinding> findings = DrainBudget.check(fitting()
        .upstreamIdleTimeout(Duration.ofSeconds(60))
        .serverIdleTimeout(Duration.ofSeconds(30)).build());
    assertThat(findings).singleElement().satisfies(f -> {
      assertThat(f.rule()).isEqualTo("keep-alive");
      assertThat(f.level()).isEqualTo(System.Logger.Level.WARNING);
      assertThat(f.message()).contains("(30s) is not above the upstream proxy's pool idle "
          + "timeout (60s)").contains("502");
      assertThat(f.setting()).isEqualTo("the server's keep-alive idle timeout >= 80s");
    });
  }

  @Test
  void keepAliveEqualToGcpsIsStillFlaggedAndAboveIsFine() {
    assertThat(DrainBudget.check(fitting().upstreamIdleTimeout(Duration.ofSeconds(600))
        .serverIdleTimeout(Duration.ofSeconds(600)).build()))
        .extracting(BudgetFinding::setting)
        .containsExactly("the server's keep-alive idle timeout >= 620s");
    assertThat(DrainBudget.check(fitting().upstreamIdleTimeout(Duration.ofSeconds(600))
        .serverIdleTimeout(Duration.ofSeconds(620)).build())).isEmpty();
  }

  @Test
  void unknownServerKeepAliveIsReportedAsUncheckable() {
    assertThat(DrainBudget.check(fitting().upstreamIdleTimeout(Duration.ofSeconds(60)).build()))
        .singleElement().satisfies(f -> {
          assertThat(f.level()).isEqualTo(System.Logger.Level.INFO);
          assertThat(f.message()).contains("unknown");
        });
  }
}
