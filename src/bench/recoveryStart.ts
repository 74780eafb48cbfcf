/*
 * One cold start of the runtime over an existing database (child process, run with --expose-gc;
 * argument: the database file). Times the layer's construction, which is where every lot is
 * recovered, and measures the RSS it added; then closes the layer, which writes each lot's
 * snapshot. Prints JSON `RecoveryStartResult`.
 */
import { Effect, Exit, Layer, Logger, LogLevel, Scope } from "effect"
import { defaultTenant } from "../domain/Ids.ts"
import { LotRegistry } from "../runtime/LotRegistry.ts"
import { RuntimeLive } from "../runtime/ParkingLive.ts"
import { DatabaseLive } from "../store/Database.ts"

export interface RecoveryStartResult {
  readonly millis: number
  readonly closeMillis: number
  readonly lots: number
  readonly occupied: number
  readonly rssBefore: number
  readonly rssAfter: number
  readonly heapBefore: number
  readonly heapAfter: number
}

const filename = process.argv[2] ?? ""
const collect = () => {
  if (typeof globalThis.gc === "function") {
    globalThis.gc()
    globalThis.gc()
  }
  return process.memoryUsage()
}

const layer = RuntimeLive.pipe(Layer.provide(DatabaseLive({ filename })))

const program = Effect.gen(function* () {
  const before = collect()
  const started = performance.now()
  const closeable = yield* Scope.make()
  const context = yield* Layer.buildWithScope(layer, closeable)
  const millis = performance.now() - started
  const workers = yield* Effect.provide(
    Effect.flatMap(LotRegistry, (registry) => registry.list(defaultTenant)),
    context
  )
  const after = collect()
  const occupied = workers.reduce((n, w) => n + w.current().occupiedCount, 0)
  const closing = performance.now()
  yield* Scope.close(closeable, Exit.void)
  return {
    millis,
    closeMillis: performance.now() - closing,
    lots: workers.length,
    occupied,
    rssBefore: before.rss,
    rssAfter: after.rss,
    heapBefore: before.heapUsed,
    heapAfter: after.heapUsed
  } satisfies RecoveryStartResult
})

const result = await Effect.runPromise(program.pipe(Effect.orDie, Logger.withMinimumLogLevel(LogLevel.Warning)))
process.stdout.write(`${JSON.stringify(result)}\n`)
