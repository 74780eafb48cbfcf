import { Cause, Clock, Context, Effect, Exit, Metric, MetricBoundaries, MetricLabel, type MetricKeyType, type MetricState, Predicate, type Scope } from "effect"
import { globalValue } from "effect/GlobalValue"

/*
 * Every metric parkplane records, in one place. Effect `Metric`s are the single source of truth:
 * `/metrics` (Prometheus.ts) and any OTel reader see exactly these, bridged by @effect/opentelemetry.
 *
 * Cardinality: every tag takes its values from a closed set (operations, outcomes, slot types, HTTP
 * routes and status classes) except `lot`, which goes through `lotTag`: the first LOT_SERIES_LIMIT
 * lots seen by the process get their own series, every later lot is summed into lot="_other". So a
 * per-lot metric has at most (LOT_SERIES_LIMIT + 1) x (other tags) series, whatever the number of lots.
 */

// ---------------------------------------------------------------------------------------------------
// Closed tag sets

export const commandOperations = [
  "createLot",
  "deleteLot",
  "park",
  "leave",
  "reserve",
  "cancelReservation",
  "expireReservation",
  "setOutOfService",
  "setInService"
] as const
export type CommandOperation = (typeof commandOperations)[number]

/**
 * How a command ended: `ok`; `rejected` by a rule of the lot or of the request (4xx);
 * `overloaded` (mailbox full, 429); `unavailable` (storage or worker down, 503); `error` for a defect
 * or an interruption (the caller never got a typed answer).
 */
export const commandOutcomes = ["ok", "rejected", "overloaded", "unavailable", "error"] as const
export type CommandOutcome = (typeof commandOutcomes)[number]

/** Lots past this many (per process) share the lot="_other" series. */
export const LOT_SERIES_LIMIT = 200
export const OTHER_LOTS = "_other"

// ---------------------------------------------------------------------------------------------------
// Boundaries

/** 0.1 ms to 5 s in 1-2.5-5 steps: a command is usually sub-millisecond in memory, milliseconds durable. */
export const latencyBoundariesSeconds: ReadonlyArray<number> = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5
]
/** Powers of two up to above the largest group commit (PARKPLANE_COMMIT_MAX_BATCH defaults to 512). */
export const batchSizeBoundaries: ReadonlyArray<number> = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096]

const latencyHistogram = (name: string, description: string) =>
  Metric.histogram(name, MetricBoundaries.fromIterable(latencyBoundariesSeconds), description)

// ---------------------------------------------------------------------------------------------------
// The metrics

/** Tags: operation, outcome. */
export const commandsTotal = Metric.counter("parkplane_commands_total", {
  description: "Commands handled by lot workers, by operation and outcome class",
  incremental: true
})
/** Tags: operation. Time from the caller's offer to the mailbox until its reply. */
export const commandDuration = latencyHistogram(
  "parkplane_command_duration_seconds",
  "Command latency from mailbox offer to reply, in seconds"
)
/** Tags: lot (bounded by lotTag). */
export const mailboxDepth = Metric.gauge("parkplane_mailbox_depth", {
  description: "Commands waiting in lot mailboxes (lots past the series limit are summed under lot=\"_other\")"
})
export const lotWorkers = Metric.gauge("parkplane_lot_workers", {
  description: "Lot workers registered (a worker's fiber starts on its lot's first command)"
})
export const commitBatchSize = Metric.histogram(
  "parkplane_commit_batch_size",
  MetricBoundaries.fromIterable(batchSizeBoundaries),
  "Commands made durable per group-commit transaction"
)
export const commitDuration = latencyHistogram(
  "parkplane_commit_duration_seconds",
  "Duration of one group-commit store transaction, in seconds"
)
export const commitTransactions = Metric.counter("parkplane_commit_transactions_total", {
  description: "Transactions committed by the group-commit writer (one per batch, plus one per write retried alone)",
  incremental: true
})
export const workerRestarts = Metric.counter("parkplane_worker_restarts_total", {
  description: "Lot workers restarted by the registry after a fault",
  incremental: true
})
export const storageFailures = Metric.counter("parkplane_storage_failures_total", {
  description: "Writes that could not be made durable after the store's retries (answered StorageUnavailable)",
  incremental: true
})
/** Tags: lot (bounded by lotTag), slot_type. */
export const lotOccupancy = Metric.gauge("parkplane_lot_occupied_slots", {
  description: "Occupied slots by lot and slot type (lots past the series limit are summed under lot=\"_other\")"
})
/** Tags: lot (bounded by lotTag), slot_type. */
export const lotFreeSlots = Metric.gauge("parkplane_lot_free_slots", {
  description: "Free slots by lot and slot type (lots past the series limit are summed under lot=\"_other\")"
})
export const sseSubscribers = Metric.gauge("parkplane_sse_subscribers", {
  description: "Open server-sent-event subscriptions"
})
/** Tags: method, route (the endpoint's path template, never the raw path), status ("2xx".."5xx"). */
export const httpRequestsTotal = Metric.counter("parkplane_http_requests_total", {
  description: "HTTP requests served, by method, route template and status class",
  incremental: true
})
export const httpFastLaneTotal = Metric.counter("parkplane_http_fast_lane_requests_total", {
  description: "HTTP requests answered by the fast lane (POST park and leave), a part of parkplane_http_requests_total",
  incremental: true
})
/** Tags: method, route. */
export const httpRequestDuration = latencyHistogram(
  "parkplane_http_request_duration_seconds",
  "HTTP request latency, in seconds"
)

/**
 * The metric with these tags added (data-first, so the metric's types carry through).
 * An update without extra tags hands the metric one stable array of labels, which its hook cache
 * keys by identity; `Metric.taggedWithLabels` alone unions a fresh array per update, so every
 * update built and hashed a new key (~270 bytes of garbage a command, session 5).
 */
export const withTags = <Type, In, Out>(
  metric: Metric.Metric<Type, In, Out>,
  tags: Readonly<Record<string, string>>
): Metric.Metric<Type, In, Out> => {
  const labels = Object.entries(tags).map(([key, value]) => MetricLabel.make(key, value))
  const tagged = Metric.taggedWithLabels(metric, labels)
  return Metric.make(
    tagged.keyType,
    (input: In, extra) => (extra.length === 0 ? metric.unsafeUpdate(input, labels) : tagged.unsafeUpdate(input, extra)),
    (extra) => (extra.length === 0 ? metric.unsafeValue(labels) : tagged.unsafeValue(extra)),
    (input: In, extra) => (extra.length === 0 ? metric.unsafeModify(input, labels) : tagged.unsafeModify(input, extra))
  )
}

// ---------------------------------------------------------------------------------------------------
// Bounded lot labels

/**
 * Hands out per-lot label values to the first `limit` lots it sees and OTHER_LOTS to every later one.
 * Admission is never revoked: a series once exported stays in the registry, so recycling a label for
 * a new lot would grow the series count with lot churn.
 */
export class LotLabels {
  private readonly admitted = new Set<string>()
  constructor(readonly limit: number) {}
  label(lotId: string): string {
    if (this.admitted.has(lotId)) return lotId
    if (this.admitted.size < this.limit) {
      this.admitted.add(lotId)
      return lotId
    }
    return OTHER_LOTS
  }
}

/*
 * Per-lot gauges are set as values, but lots past the limit share one series, so the book keeps each
 * lot's last value and each series' sum; a lot's update moves its series by the difference.
 */
class LotGaugeBook {
  readonly labels = new LotLabels(LOT_SERIES_LIMIT)
  private readonly lastByLot = new Map<string, number>()
  private readonly sumBySeries = new Map<string, number>()
  private readonly keysByLot = new Map<string, Set<string>>()

  /** Records the lot's new value; answers the series label and the series' new total. */
  set(gauge: string, lotId: string, extra: string, value: number): { readonly lot: string; readonly total: number } {
    const lot = this.labels.label(lotId)
    const lotKey = `${gauge}\u0000${lotId}\u0000${extra}`
    const seriesKey = `${gauge}\u0000${lot}\u0000${extra}`
    const previous = this.lastByLot.get(lotKey) ?? 0
    const total = (this.sumBySeries.get(seriesKey) ?? 0) + value - previous
    this.lastByLot.set(lotKey, value)
    this.sumBySeries.set(seriesKey, total)
    let keys = this.keysByLot.get(lotId)
    if (keys === undefined) {
      keys = new Set()
      this.keysByLot.set(lotId, keys)
    }
    keys.add(`${gauge}\u0000${extra}`)
    return { lot, total }
  }

  /** Every (gauge, extra) pair the lot has set, to zero them when the lot goes away. */
  keysOf(lotId: string): ReadonlyArray<readonly [gauge: string, extra: string]> {
    return [...(this.keysByLot.get(lotId) ?? [])].map((k) => {
      const [gauge, extra] = k.split("\u0000")
      return [gauge, extra] as const
    })
  }
}

const book = globalValue(Symbol.for("parkplane/telemetry/LotGaugeBook"), () => new LotGaugeBook())

/** The `lot` tag value for a lot: its id while within LOT_SERIES_LIMIT, else "_other". */
export const lotTag = (lotId: string): Effect.Effect<string> => Effect.sync(() => book.labels.label(lotId))

const perLotGauges = {
  mailbox: mailboxDepth,
  occupied: lotOccupancy,
  free: lotFreeSlots
} as const
type PerLotGauge = keyof typeof perLotGauges
const isPerLotGauge = (key: string): key is PerLotGauge => Object.hasOwn(perLotGauges, key)

// One tagged gauge per series, built once: tagging allocates and hashes a key, and workers set these
// after every command. Bounded like the series themselves.
const perLotSeries = globalValue(
  Symbol.for("parkplane/telemetry/perLotSeries"),
  () => new Map<string, Metric.Metric.Gauge<number>>()
)

const setPerLot = (gauge: PerLotGauge, lotId: string, slotType: string | undefined, value: number) =>
  Effect.suspend(() => {
    const { lot, total } = book.set(gauge, lotId, slotType ?? "", value)
    const key = `${gauge}\u0000${lot}\u0000${slotType ?? ""}`
    let series = perLotSeries.get(key)
    if (series === undefined) {
      series = withTags(perLotGauges[gauge], slotType === undefined ? { lot } : { lot, slot_type: slotType })
      perLotSeries.set(key, series)
    }
    return Metric.set(series, total)
  })

// ---------------------------------------------------------------------------------------------------
// Recording helpers

/** The outcome class of a finished command. */
export const outcomeOfExit = (exit: Exit.Exit<unknown, unknown>): CommandOutcome => {
  if (Exit.isSuccess(exit)) return "ok"
  const failure = Cause.failureOption(exit.cause)
  if (failure._tag === "None") return "error"
  const error = failure.value
  const tag = Predicate.hasProperty(error, "_tag") ? error._tag : undefined
  switch (tag) {
    case "Overloaded":
      return "overloaded"
    case "StorageUnavailable":
    case "LotUnavailable":
      return "unavailable"
    default:
      return "rejected"
  }
}

// Tagging a metric allocates and hashes its key; commands are the hot path, so each tagged series
// is built once and reused.
const commandHistograms = new Map<string, Metric.Metric<MetricKeyType.MetricKeyType.Histogram, number, MetricState.MetricState.Histogram>>()
const cached = <M>(cache: Map<string, M>, key: string, build: () => M): M => {
  let metric = cache.get(key)
  if (metric === undefined) {
    metric = build()
    cache.set(key, metric)
  }
  return metric
}

// By operation, then outcome: looked up per command, so without building a key string each time.
const commandCounters = new Map<string, Map<string, Metric.Metric.Counter<number>>>()
const commandCounter = (operation: CommandOperation, outcome: CommandOutcome) =>
  cached(cached(commandCounters, operation, () => new Map()), outcome, () => withTags(commandsTotal, { operation, outcome }))

/** Counts a command by operation and outcome and records its latency, synchronously (the hot path). */
export const recordCommandNow = (operation: CommandOperation, outcome: CommandOutcome, seconds: number): void => {
  commandCounter(operation, outcome).unsafeUpdate(1, [])
  cached(commandHistograms, operation, () => withTags(commandDuration, { operation })).unsafeUpdate(seconds, [])
}

export const recordCommand = (operation: CommandOperation, outcome: CommandOutcome, seconds: number): Effect.Effect<void> =>
  Effect.sync(() => recordCommandNow(operation, outcome, seconds))

/** Counts commands that ran as part of a script, by outcome; zero counts record nothing. */
export const countCommands = (operation: CommandOperation, outcome: CommandOutcome, count: number): Effect.Effect<void> =>
  count === 0
    ? Effect.void
    : Metric.incrementBy(commandCounter(operation, outcome), count)

/**
 * Counts the command by its outcome class and records its latency; the effect itself is unchanged.
 * Clock and metrics are used directly (no Effect per step): this wraps every command.
 */
export const measureCommand =
  (operation: CommandOperation) =>
  <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.withFiberRuntime<A, E, R>((fiber) => {
      const clock = Context.get(fiber.currentDefaultServices, Clock.Clock)
      const start = clock.unsafeCurrentTimeNanos()
      return Effect.onExit(self, (exit) =>
        Effect.sync(() => recordCommandNow(operation, outcomeOfExit(exit), Number(clock.unsafeCurrentTimeNanos() - start) / 1e9))
      )
    })

/** One group-commit transaction: how many commands it made durable and how long it took. */
export const recordCommit = (batchSize: number, seconds: number): Effect.Effect<void> =>
  Effect.zipRight(Metric.update(commitBatchSize, batchSize), Metric.update(commitDuration, seconds))

export const recordWorkerRestart: Effect.Effect<void> = Metric.increment(workerRestarts)
export const recordStorageFailure: Effect.Effect<void> = Metric.increment(storageFailures)

export const setMailboxDepth = (lotId: string, depth: number): Effect.Effect<void> =>
  setPerLot("mailbox", lotId, undefined, depth)

export const setLotOccupancy = (lotId: string, slotType: string, occupied: number, free: number): Effect.Effect<void> =>
  Effect.zipRight(setPerLot("occupied", lotId, slotType, occupied), setPerLot("free", lotId, slotType, free))

/** Zeroes a stopped or deleted lot's gauges so a shared "_other" series stops counting it. */
export const forgetLot = (lotId: string): Effect.Effect<void> =>
  Effect.suspend(() =>
    Effect.forEach(
      book.keysOf(lotId),
      ([gauge, extra]) =>
        isPerLotGauge(gauge) ? setPerLot(gauge, lotId, extra === "" ? undefined : extra, 0) : Effect.void,
      { discard: true }
    )
  )

/** Running lot workers: +1 for the life of the scope (use in the worker's scope). */
export const trackLotWorker: Effect.Effect<void, never, Scope.Scope> = Effect.acquireRelease(
  Metric.increment(lotWorkers),
  () => Metric.incrementBy(lotWorkers, -1)
)

/** Open SSE subscriptions: +1 for the life of the scope (e.g. `Stream.scoped` around the response). */
export const trackSseSubscriber: Effect.Effect<void, never, Scope.Scope> = Effect.acquireRelease(
  Metric.increment(sseSubscribers),
  () => Metric.incrementBy(sseSubscribers, -1)
)

const statusClasses = ["0xx", "1xx", "2xx", "3xx", "4xx", "5xx"]
const statusClass = (status: number): string => statusClasses[Math.trunc(status / 100)] ?? `${Math.trunc(status / 100)}xx`

// Every request records these; as for commands, each tagged series is built once (bounded: methods
// x route templates x status classes). Building one formats and hashes its key: ~30 us a request.
// Looked up level by level, so that a request builds no key string either.
const httpCounters = new Map<string, Map<string, Map<string, Metric.Metric.Counter<number>>>>()
const httpHistograms = new Map<string, Map<string, Metric.Metric<MetricKeyType.MetricKeyType.Histogram, number, MetricState.MetricState.Histogram>>>()

/** `route` must be the endpoint's path template (e.g. "/v1/lots/:lotId/park"), never the raw path. */
export const recordHttpRequestNow = (method: string, route: string, status: number, seconds: number): void => {
  const statusTag = statusClass(status)
  const byRoute = cached(httpCounters, method, () => new Map())
  cached(cached(byRoute, route, () => new Map()), statusTag, () => withTags(httpRequestsTotal, { method, route, status: statusTag })).unsafeUpdate(1, [])
  cached(cached(httpHistograms, method, () => new Map()), route, () => withTags(httpRequestDuration, { method, route })).unsafeUpdate(seconds, [])
}

export const recordFastLaneRequestNow = (): void => httpFastLaneTotal.unsafeUpdate(1, [])

export const recordHttpRequest = (method: string, route: string, status: number, seconds: number): Effect.Effect<void> =>
  Effect.sync(() => recordHttpRequestNow(method, route, status, seconds))

/**
 * Registers the series that exist from the start at zero, so `/metrics` lists them (with HELP and
 * TYPE) before the first event and `rate()` sees the first increment.
 */
export const registerBaseline: Effect.Effect<void> = Effect.all(
  [
    Effect.forEach(
      commandOperations,
      (operation) =>
        Effect.forEach(
          commandOutcomes,
          (outcome) =>
            Metric.incrementBy(withTags(commandsTotal, { operation, outcome }), 0),
          { discard: true }
        ),
      { discard: true }
    ),
    Metric.incrementBy(workerRestarts, 0),
    Metric.incrementBy(storageFailures, 0),
    Metric.incrementBy(commitTransactions, 0),
    Metric.incrementBy(lotWorkers, 0),
    Metric.incrementBy(httpFastLaneTotal, 0),
    Metric.incrementBy(sseSubscribers, 0)
  ],
  { discard: true }
)
