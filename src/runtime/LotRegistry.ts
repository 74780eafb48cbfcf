import { Config, Duration, Effect, ExecutionStrategy, Exit, Layer, Option, Schedule, Scope, STM, TMap } from "effect"
import { LotNameTaken, LotNotFound } from "../domain/Errors.ts"
import type { LotId, TenantId } from "../domain/Ids.ts"
import { TenantId as TenantIdSchema } from "../domain/Ids.ts"
import type { Lot } from "../domain/Lot.ts"
import { RuntimeConfig } from "../config.ts"
import { LotStore } from "../store/LotStore.ts"
import { Writer } from "../store/Writer.ts"
import { type LotWorker, startLotWorker, type WorkerSettings } from "./LotWorker.ts"
import { lotFromRecovery } from "./Recovery.ts"
import { WorkerFaults } from "./WorkerFaults.ts"
import * as Metrics from "../telemetry/Metrics.ts"

const gaugeSampleInterval = Duration.seconds(5)

const lotKey = (tenant: string, lotId: string) => `${tenant}\u0000${lotId}`
const nameKey = (tenant: string, name: string) => `${tenant}\u0000${name}`

/** The lot id a name is claimed for while its lot is being created. */
const pending = ""

const lotNumber = (lotId: string) => Number(lotId.slice(1))

/**
 * The Registry and DynamicSupervisor of parkplane: which lots run, under which tenant and name, and
 * the scope each worker lives in. Lookups are STM reads of `TMap`s, so a name claim and a lookup
 * never see half a creation. At start-up every lot is recovered from the store before the layer is
 * built, so nothing is served from a lot that has not caught up with its log.
 */
export class LotRegistry extends Effect.Service<LotRegistry>()("parkplane/LotRegistry", {
  scoped: Effect.gen(function* () {
    const store = yield* LotStore
    const runtime = yield* RuntimeConfig
    const subscriberBuffer = yield* Config.integer("PARKPLANE_SUBSCRIBER_BUFFER").pipe(Config.withDefault(1024))
    const settings: WorkerSettings = {
      mailboxSize: runtime.mailboxSize,
      snapshotEvery: runtime.snapshotEvery,
      subscriberBuffer,
      maxRun: runtime.workerMaxRun
    }
    const registryScope = yield* Effect.scope
    const services = { writer: yield* Writer, store, faults: yield* WorkerFaults }
    const workers = yield* TMap.empty<string, LotWorker>()
    const names = yield* TMap.empty<string, string>()
    const scopes = new Map<string, Scope.CloseableScope>()
    // A plain mirror of `workers` for lookups: in JavaScript a synchronous read is already atomic,
    // and an STM commit per command costs about six times a Map lookup (measured, 0002).
    const running = new Map<string, LotWorker>()

    const register = (lot: Lot, snapshotSeq: number, tenant: TenantId) =>
      Effect.gen(function* () {
        const scope = yield* Scope.fork(registryScope, ExecutionStrategy.sequential)
        const worker = yield* startLotWorker({ lot, snapshotSeq, tenant }, settings, services).pipe(Scope.extend(scope))
        scopes.set(lotKey(tenant, lot.id), scope)
        running.set(lotKey(tenant, lot.id), worker)
        yield* STM.commit(
          TMap.set(workers, lotKey(tenant, lot.id), worker).pipe(STM.zipRight(TMap.set(names, nameKey(tenant, lot.name), lot.id)))
        )
        return worker
      })

    const started = Date.now()
    const recovered = yield* store.recoverAll()
    for (const entry of recovered) {
      const rebuilt = yield* lotFromRecovery(entry).pipe(Effect.orDie)
      yield* register(rebuilt.lot, rebuilt.snapshotSeq, TenantIdSchema.make(entry.lot.tenant, { disableValidation: true }))
    }
    yield* Effect.logInfo("lots recovered").pipe(
      Effect.annotateLogs({ lots: recovered.length, millis: Date.now() - started })
    )

    // Occupancy and mailbox gauges are sampled, not set per command: the hot path stays free of them
    // and a scrape is at most this stale.
    const sampleGauges = Effect.suspend(() =>
      Effect.forEach(
        running.values(),
        (worker) =>
          Effect.gen(function* () {
            const summary = worker.current().summary()
            for (const [type, counts] of Object.entries(summary.byType)) {
              yield* Metrics.setLotOccupancy(worker.lotId, type, counts.occupied, counts.free)
            }
            yield* Metrics.setMailboxDepth(worker.lotId, yield* worker.mailboxDepth)
          }),
        { discard: true }
      )
    )
    yield* Effect.forkScoped(Effect.repeat(sampleGauges, Schedule.spaced(gaugeSampleInterval)))

    /** The hot path of every command and read: one synchronous lookup (see docs/decisions/0002). */
    const lookup = (tenant: TenantId, lotId: string): LotWorker | undefined => running.get(lotKey(tenant, lotId))

    return {
      register,
      get: (tenant: TenantId, lotId: string): Effect.Effect<LotWorker, LotNotFound> =>
        Effect.suspend(() => {
          const worker = lookup(tenant, lotId)
          return worker === undefined ? Effect.fail(LotNotFound.of(lotId)) : Effect.succeed(worker)
        }),
      /** `get` without an Effect, for code already running synchronously inside one. */
      lookup,
      findByName: (tenant: TenantId, name: string): Effect.Effect<LotWorker, LotNotFound> =>
        STM.gen(function* () {
          const lotId = yield* TMap.get(names, nameKey(tenant, name))
          if (Option.isNone(lotId) || lotId.value === pending) return Option.none<LotWorker>()
          return yield* TMap.get(workers, lotKey(tenant, lotId.value))
        }).pipe(
          STM.commit,
          Effect.flatMap(Option.match({ onNone: () => Effect.fail(LotNotFound.of(name)), onSome: Effect.succeed }))
        ),
      list: (tenant: TenantId): Effect.Effect<ReadonlyArray<LotWorker>> =>
        TMap.values(workers).pipe(
          STM.commit,
          Effect.map((all) => all.filter((w) => w.tenant === tenant).sort((a, b) => lotNumber(a.lotId) - lotNumber(b.lotId)))
        ),
      /** Holds a name for a lot being created; a second claim fails until it is released. */
      claimName: (tenant: TenantId, name: string): Effect.Effect<void, LotNameTaken> =>
        STM.gen(function* () {
          if (yield* TMap.has(names, nameKey(tenant, name))) return yield* STM.fail(LotNameTaken.of(name))
          yield* TMap.set(names, nameKey(tenant, name), pending)
        }).pipe(STM.commit),
      releaseName: (tenant: TenantId, name: string): Effect.Effect<void> =>
        TMap.remove(names, nameKey(tenant, name)).pipe(STM.commit),
      /** Stops a deleted lot's worker and forgets it. */
      remove: (worker: LotWorker): Effect.Effect<void> =>
        Effect.gen(function* () {
          const key = lotKey(worker.tenant, worker.lotId)
          yield* STM.commit(TMap.remove(workers, key).pipe(STM.zipRight(TMap.remove(names, nameKey(worker.tenant, worker.name)))))
          running.delete(key)
          const scope = scopes.get(key)
          scopes.delete(key)
          if (scope !== undefined) yield* Scope.close(scope, Exit.void)
        }),
      count: TMap.size(workers).pipe(STM.commit)
    } as const
  })
}) {}

/** The registry with the store and fault hook it needs, over a `SqlClient`. */
export const LotRegistryLive = LotRegistry.Default.pipe(
  Layer.provideMerge(Layer.mergeAll(Writer.Default, LotStore.Default, WorkerFaults.Default))
)

export type { LotId }
