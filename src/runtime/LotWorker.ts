import { Cause, Clock, Duration, Effect, Exit, FiberSet, Option, Queue, Schedule, Scope, type Tracer } from "effect"
import { LotNotEmpty, LotNotFound, LotUnavailable, StorageUnavailable, type LotRuleError } from "../domain/Errors.ts"
import { type LotEvent, StoredLotEvent } from "../domain/Events.ts"
import type { LotId, TenantId } from "../domain/Ids.ts"
import { type Lot, LotCommand } from "../domain/Lot.ts"
import type { IdempotencyRecord } from "../store/Records.ts"
import { LotStore } from "../store/LotStore.ts"
import { Writer } from "../store/Writer.ts"
import { lotFromRecovery } from "./Recovery.ts"
import { snapshotRecord, toRecord } from "./EventCodec.ts"
import { Subscribers } from "./Subscribers.ts"
import { WorkerFaults } from "./WorkerFaults.ts"
import * as Metrics from "../telemetry/Metrics.ts"

/** A keyed command's idempotency record, less the response the worker fills in. */
export interface Keyed {
  readonly tenant: string
  readonly key: string
  readonly requestHash: string
  readonly expiresAt: number
}

/** What the caller gets back, and (for a keyed command) the response to store with the events. */
export interface Reply {
  readonly stored: string | undefined
  readonly send: Effect.Effect<void>
}

/**
 * One message in a lot's mailbox. The worker decides it against the lot, makes the outcome durable
 * and only then applies it and answers through these callbacks, which the caller built around its
 * own `Deferred`.
 */
export interface Job {
  readonly operation: string
  readonly command: LotCommand | { readonly _tag: "DeleteLot" }
  readonly keyed: Keyed | undefined
  /** Called with the lot as it stands before the events apply. */
  readonly accepted: (lot: Lot, events: ReadonlyArray<LotEvent>) => Reply
  readonly rejected: (error: LotRuleError | LotNotEmpty) => Reply
  readonly failed: (error: StorageUnavailable | LotUnavailable | LotNotFound) => Effect.Effect<void>
  /** The caller's span: the worker's handling of the job is its child, across the mailbox. */
  readonly span?: Tracer.AnySpan | undefined
}

export interface LotWorker {
  readonly lotId: LotId
  readonly tenant: TenantId
  readonly name: string
  /** The lot as of its last durable event. Reads use it directly: only the worker changes it. */
  readonly lot: () => Lot
  /** Puts a job in the mailbox; false when the mailbox is full. */
  readonly offer: (job: Job) => boolean
  readonly mailboxDepth: Effect.Effect<number>
  readonly subscribers: Subscribers
  readonly deleted: () => boolean
}

export interface WorkerSettings {
  readonly mailboxSize: number
  readonly snapshotEvery: number
  readonly subscriberBuffer: number
}

const restartSchedule = Schedule.exponential("20 millis").pipe(
  Schedule.jittered,
  Schedule.modifyDelay((d) => Duration.min(d, Duration.seconds(2)))
)

/**
 * Starts the worker of one lot in the current scope: a fiber that owns the lot, takes jobs from a
 * bounded mailbox one at a time, and is restarted from the store (snapshot plus log tail) with a
 * capped, jittered backoff when it dies of a defect. Closing the scope drains the mailbox, writes a
 * last snapshot and stops the fiber.
 */
export const startLotWorker = (
  recovered: { readonly lot: Lot; readonly snapshotSeq: number; readonly tenant: TenantId },
  settings: WorkerSettings
): Effect.Effect<LotWorker, never, Scope.Scope | Writer | LotStore | WorkerFaults> =>
  Effect.gen(function* () {
    const writer = yield* Writer
    const store = yield* LotStore
    const faults = yield* WorkerFaults
    const scope = yield* Effect.scope
    const mailbox = yield* Queue.dropping<Job>(settings.mailboxSize)
    const subscribers = new Subscribers(settings.subscriberBuffer)

    let lot = recovered.lot
    let lastSnapshotSeq = recovered.snapshotSeq
    let inFlight: Job | undefined
    let isDeleted = false
    let needsReload = false
    const lotId = lot.id
    const annotate = Effect.annotateLogs({ lotId, tenant: recovered.tenant })

    const idempotency = (job: Job, stored: string | undefined): IdempotencyRecord | undefined =>
      job.keyed === undefined || stored === undefined ? undefined : { ...job.keyed, response: stored }

    const writeSnapshot = Effect.suspend(() => {
      if (lot.version <= lastSnapshotSeq) return Effect.void
      const record = snapshotRecord(lot)
      return writer.commit({ snapshot: record }).pipe(
        Effect.tap(() => Effect.sync(() => (lastSnapshotSeq = Math.max(lastSnapshotSeq, record.seq)))),
        Effect.catchAll((e) => Effect.logWarning("snapshot not written", e.message))
      )
    })

    const expireDue: Job = {
      operation: "expire",
      command: LotCommand.ExpireReservations(),
      keyed: undefined,
      accepted: () => ({ stored: undefined, send: Effect.void }),
      rejected: () => ({ stored: undefined, send: Effect.void }),
      // No timer fires again for a hold already due, so a failed write is retried here (a restart re-arms its own).
      failed: (e) =>
        Effect.logWarning("reservation expiry not written; retried in a second", e.message).pipe(
          Effect.zipRight(
            e._tag === "StorageUnavailable" ? Effect.forkIn(Effect.delay(enqueueExpiry, "1 second"), scope) : Effect.void
          ),
          Effect.asVoid
        )
    }

    const handle = (job: Job, timers: FiberSet.FiberSet, background: FiberSet.FiberSet) =>
      Effect.gen(function* () {
        inFlight = job
        yield* faults.check(lotId)
        if (isDeleted) {
          yield* job.failed(LotNotFound.of(lotId))
          return
        }
        if (job.command._tag === "DeleteLot") {
          if (lot.occupiedCount > 0 || lot.reservedCount > 0) {
            const reply = job.rejected(LotNotEmpty.of(lotId, lot.occupiedCount, lot.reservedCount))
            yield* commitThenSend(job, reply, { idempotency: idempotency(job, reply.stored) })
            return
          }
          const reply = job.accepted(lot, [])
          const ok = yield* commitThenSend(job, reply, { deleteLot: lotId, idempotency: idempotency(job, reply.stored) })
          if (ok) {
            isDeleted = true
            yield* subscribers.closeAll
          }
          return
        }
        const now = yield* Clock.currentTimeMillis
        const decision = lot.decide(job.command, now)
        if (decision._tag === "Left") {
          const reply = job.rejected(decision.left)
          yield* commitThenSend(job, reply, { idempotency: idempotency(job, reply.stored) })
          return
        }
        const events = decision.right
        if (events.length === 0) {
          yield* job.accepted(lot, events).send
          return
        }
        const base = lot.version
        const records = events.map((event, i) => toRecord(lotId, base + 1 + i, event))
        const reply = job.accepted(lot, events)
        const exit = yield* Effect.exit(writer.commit({ events: records, idempotency: idempotency(job, reply.stored) }))
        if (Exit.isFailure(exit)) {
          // Not durable, so not applied: the lot in memory still matches the log.
          yield* job.failed(Option.getOrElse(Cause.failureOption(exit.cause), () => StorageUnavailable.of("write failed")))
          return
        }
        for (const event of events) lot.evolve(event)
        subscribers.publish(events.map((event, i) => StoredLotEvent.make({ lotId, seq: base + 1 + i, event }, true)))
        for (const event of events) {
          if (event._tag === "SlotReserved") yield* scheduleExpiry(timers, event.expiresAt)
        }
        if (lot.version - lastSnapshotSeq >= Math.max(settings.snapshotEvery, lot.occupiedCount + lot.reservedCount)) {
          // Amortised: a snapshot costs O(live vehicles), so one is taken at most every that many events.
          yield* FiberSet.run(background, writeSnapshot)
        }
        yield* reply.send
      }).pipe(
        // Cleared only once answered: after a defect or an interruption the supervisor (or the
        // finalizer) still has to answer the job in flight, or its caller would wait forever.
        Effect.tap(() => Effect.sync(() => (inFlight = undefined)))
      )

    /** For replies that write no events: store the keyed response (if any), then answer. */
    const commitThenSend = (job: Job, reply: Reply, write: Parameters<Writer["commit"]>[0]) =>
      Effect.gen(function* () {
        if (write.idempotency === undefined && write.deleteLot === undefined) {
          yield* reply.send
          return true
        }
        const exit = yield* Effect.exit(writer.commit(write))
        if (Exit.isFailure(exit)) {
          yield* job.failed(Option.getOrElse(Cause.failureOption(exit.cause), () => StorageUnavailable.of("write failed")))
          return false
        }
        yield* reply.send
        return true
      })

    const enqueueExpiry = Effect.suspend(() => (Queue.unsafeOffer(mailbox, expireDue) ? Effect.void : Effect.fail("full" as const))).pipe(
      Effect.retry(Schedule.spaced("100 millis")),
      Effect.orDie
    )

    const scheduleExpiry = (timers: FiberSet.FiberSet, expiresAt: number) =>
      FiberSet.run(
        timers,
        Clock.currentTimeMillis.pipe(
          Effect.flatMap((now) => Effect.sleep(Duration.millis(Math.max(0, expiresAt - now)))),
          Effect.zipRight(enqueueExpiry)
        )
      )

    const reload = Effect.gen(function* () {
      const fresh = yield* store.recoverOne(lotId)
      if (fresh === undefined) {
        isDeleted = true
        return
      }
      const rebuilt = yield* lotFromRecovery(fresh).pipe(Effect.orDie)
      lot = rebuilt.lot
      lastSnapshotSeq = rebuilt.snapshotSeq
    })

    /** One life of the worker: (re)load if needed, arm the reservation timers, serve the mailbox. */
    const life = Effect.scoped(
      Effect.gen(function* () {
        if (needsReload) {
          yield* reload
          needsReload = false
        }
        const timers = yield* FiberSet.make()
        const background = yield* FiberSet.make()
        for (const reservation of lot.reservations()) yield* scheduleExpiry(timers, reservation.expiresAt)
        return yield* Effect.forever(
          Queue.take(mailbox).pipe(
            Effect.flatMap((job) =>
              job.span === undefined
                ? handle(job, timers, background)
                : Effect.withSpan(handle(job, timers, background), `LotWorker.${job.operation}`, {
                    parent: job.span,
                    captureStackTrace: false,
                    attributes: { "parkplane.lot_id": lotId }
                  })
            )
          )
        )
      })
    )

    const failWaiting = (error: LotUnavailable | LotNotFound) =>
      Effect.gen(function* () {
        const waiting = yield* Queue.takeAll(mailbox)
        const current = inFlight
        inFlight = undefined
        if (current !== undefined) yield* current.failed(error)
        yield* Effect.forEach(waiting, (job) => job.failed(error), { discard: true })
      })

    const supervised = life.pipe(
      Effect.catchAllCause((cause) =>
        Cause.isInterruptedOnly(cause)
          ? Effect.interrupt
          : Effect.gen(function* () {
              yield* Effect.logError("lot worker died; restarting from the store", cause)
              yield* Metrics.recordWorkerRestart
              // Callers waiting on this life get a typed answer now rather than a hang.
              yield* failWaiting(LotUnavailable.of(lotId))
              needsReload = true
              return yield* Effect.fail("restart" as const)
            })
      ),
      Effect.retry(restartSchedule),
      annotate
    )

    // Finalizers run last-added first: the fiber stops, then waiting callers are answered, then a
    // last snapshot makes the next start-up short.
    yield* Scope.addFinalizer(
      scope,
      Effect.suspend(() => failWaiting(isDeleted ? LotNotFound.of(lotId) : LotUnavailable.of(lotId))).pipe(
        Effect.zipRight(subscribers.closeAll),
        Effect.zipRight(Effect.suspend(() => (isDeleted ? Metrics.forgetLot(lotId) : writeSnapshot)))
      )
    )
    yield* Metrics.trackLotWorker
    yield* Effect.forkIn(supervised, scope)

    return {
      lotId,
      tenant: recovered.tenant,
      name: lot.name,
      lot: () => lot,
      offer: (job) => Queue.unsafeOffer(mailbox, job),
      // A queue's size goes negative by the number of fibers waiting to take: an idle worker is one.
      mailboxDepth: Effect.map(Queue.size(mailbox), (size) => Math.max(0, size)),
      subscribers,
      deleted: () => isDeleted
    } satisfies LotWorker
  })

