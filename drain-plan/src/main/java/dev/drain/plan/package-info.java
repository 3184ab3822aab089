/**
 * The rollout planner: from the largest upload, the slowest client, D's processing time and D's
 * platform, the settings every tier of {@code client → GCP LB → nginx (http) → LB → nginx
 * (stream) → LB → Kong → app} needs so that a replacement of any one tier cuts nothing; {@link
 * dev.drain.plan.PlanCommand} is its command line. The app's grace period comes from {@link
 * dev.drain.core.DrainBudget#requiredGracePeriod}, the same computation the budget check runs.
 */
package dev.drain.plan;
