import { Metric, MetricBoundaries } from "effect"

/** How many callers' writes one transaction carried. */
export const commitBatchSize = Metric.histogram(
  "parkplane_commit_batch_size",
  MetricBoundaries.exponential({ start: 1, factor: 2, count: 12 }),
  "Writes committed together in one transaction"
)

/** Time from BEGIN to COMMIT of one group commit, in seconds. */
export const commitSeconds = Metric.histogram(
  "parkplane_commit_seconds",
  MetricBoundaries.exponential({ start: 0.0001, factor: 2, count: 16 }),
  "Duration of one group-commit transaction in seconds"
)

/** Transactions the writer committed (one per batch, plus one per write retried alone). */
export const commitTransactions = Metric.counter("parkplane_commit_transactions_total", {
  description: "Transactions committed by the writer",
  incremental: true
})

/** Writes answered with StorageUnavailable. */
export const storageFailures = Metric.counter("parkplane_storage_failures_total", {
  description: "Writes that could not be made durable",
  incremental: true
})
