/*
 * The store's metrics are defined with all of parkplane's in src/telemetry/Metrics.ts: two
 * definitions of one name would export duplicate series. These names keep the store's imports.
 */
export {
  commitBatchSize,
  commitDuration as commitSeconds,
  commitTransactions,
  storageFailures
} from "../telemetry/Metrics.ts"
