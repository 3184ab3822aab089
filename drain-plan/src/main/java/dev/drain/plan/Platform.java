package dev.drain.plan;

/**
 * Where the application tier (D) runs. A and B always run on MIG VMs and Kong (C) on GKE; this
 * changes D's settings only.
 */
public enum Platform {
  /** A pod on GKE behind Kong: its grace period is {@code terminationGracePeriodSeconds}. */
  GKE,
  /**
   * A VM of a managed instance group: its drain happens inside the VM's shutdown, which GCP
   * bounds at {@link RolloutPlan#VM_SHUTDOWN_BUDGET}.
   */
  MIG
}
