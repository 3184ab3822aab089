package dev.drain.core;

import java.util.Objects;

/**
 * Something that happened to a {@link Drain}. Listeners receive events after the change they
 * describe, outside any lock, on the thread that made the change.
 */
public sealed interface DrainEvent {

  /**
   * The drain moved from one state to the next.
   *
   * @param from the state before
   * @param to the state after
   * @param reason what caused it, e.g. {@code "SIGTERM"}
   */
  record StateChanged(DrainState from, DrainState to, String reason) implements DrainEvent {

    /**
     * Validates the components.
     *
     * @param from see {@link #from()}
     * @param to see {@link #to()}
     * @param reason see {@link #reason()}
     */
    public StateChanged {
      Objects.requireNonNull(from, "from");
      Objects.requireNonNull(to, "to");
      Objects.requireNonNull(reason, "reason");
    }
  }

  /**
   * The propagation delay (and quiet period) is over: adapters now close idle keep-alive
   * connections and stop accepting new ones; in-flight requests go on.
   *
   * @param inflight requests still in flight at that moment
   */
  record StopAccepting(long inflight) implements DrainEvent {}

  /**
   * A request was refused while draining, before its body was read.
   *
   * @param request the refused request
   * @param reason why
   */
  record UploadRefused(RequestInfo request, String reason) implements DrainEvent {

    /**
     * Validates the components.
     *
     * @param request see {@link #request()}
     * @param reason see {@link #reason()}
     */
    public UploadRefused {
      Objects.requireNonNull(request, "request");
      Objects.requireNonNull(reason, "reason");
    }
  }

  /**
   * A request was still in flight at the drain deadline.
   *
   * @param request what was cut
   */
  record RequestCut(DrainResult.CutRequest request) implements DrainEvent {

    /**
     * Validates the components.
     *
     * @param request see {@link #request()}
     */
    public RequestCut {
      Objects.requireNonNull(request, "request");
    }
  }

  /**
   * An upload made no progress for the stall timeout. It is reported, not cut.
   *
   * @param upload the upload at the moment it was found stalled
   */
  record StallDetected(DrainStatus.Upload upload) implements DrainEvent {

    /**
     * Validates the components.
     *
     * @param upload see {@link #upload()}
     */
    public StallDetected {
      Objects.requireNonNull(upload, "upload");
    }
  }

  /**
   * The drain is over; the same result completes {@link Drain#startDrain(String)}'s stage.
   *
   * @param result what the drain did
   */
  record Drained(DrainResult result) implements DrainEvent {

    /**
     * Validates the components.
     *
     * @param result see {@link #result()}
     */
    public Drained {
      Objects.requireNonNull(result, "result");
    }
  }
}
