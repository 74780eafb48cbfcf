import { Cause, Clock, Deferred, Duration, Effect, Exit, FiberSet, Option, Runtime, Schedule, Scope, type Tracer } from "effect"
import { LotNotEmpty, LotNotFound, LotUnavailable, StorageUnavailable, type LotRuleError } from "../domain/Errors.ts"
import { type LotEvent, StoredLotEvent } from "../domain/Events.ts"
import type { LotId, TenantId } from "../domain/Ids.ts"
import { type Applied, type Lot, LotCommand } from "../domain/Lot.ts"
import type { EventRecord, IdempotencyRecord, SnapshotRecord, Write } from "../store/Records.ts"
import type { LotStore } from "../store/LotStore.ts"
import { outcomeUnknownOf, type Writer } from "../store/Writer.ts"
import { lotFromRecovery } from "./Recovery.ts"
import { snapshotRecord, toRecord } from "./EventCodec.ts"
import { Subscribers } from "./Subscribers.ts"
import type { WorkerFaults } from "./WorkerFaults.ts"
import * as Metrics from "../telemetry/Metrics.ts"
import { currentSpanSource, endSpanWith, startSpanWith } from "../telemetry/Instrument.ts"

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
  /** Answers the caller; called only once the outcome is durable. */
  readonly send: () => void
}

/**
 * One message in a lot's mailbox. The worker decides it against the lot, makes the outcome durable
 * and only then answers through these callbacks, which the caller built around its own resumption.
 * Each callback answers at most once: a later call is ignored.
 */
export interface Job {
  readonly operation: string
  /** A lot command, the lot's deletion, or a read answered in its place among the commands (by `accepted`). */
  readonly command: LotCommand | { readonly _tag: "DeleteLot" } | { readonly _tag: "Read" }
  readonly keyed: Keyed | undefined
  /** Called with the lot as it stands before the events apply. */
  readonly accepted: (lot: Lot, events: ReadonlyArray<LotEvent>) => Reply
  readonly rejected: (error: LotRuleError | LotNotEmpty) => Reply
  readonly failed: (error: StorageUnavailable | LotUnavailable | LotNotFound) => void
  /** The caller's span: the worker's handling of the job is its child, across the mailbox. */
  readonly span?: Tracer.AnySpan | undefined
}

export interface LotWorker {
  readonly lotId: LotId
  readonly tenant: TenantId
  readonly name: string
  /**
   * Reads the lot as of its last durable event. While a run of commands is applied ahead of its
   * write, a read waits for the write (a few milliseconds) rather than see what may be undone.
   */
  readonly read: <A>(f: (lot: Lot) => A) => Effect.Effect<A>
  /** The lot as it stands, durable or not: for gauges and tests, never for answers. */
  readonly current: () => Lot
  /** Puts a job in the mailbox; false when the mailbox is full. */
  readonly offer: (job: Job) => boolean
  /** Puts all the jobs in the mailbox, in order, or none of them (false) when they do not all fit. */
  readonly offerAll: (jobs: ReadonlyArray<Job>) => boolean
  readonly mailboxDepth: Effect.Effect<number>
  readonly subscribers: Subscribers
  readonly deleted: () => boolean
}

export interface WorkerSettings {
  readonly mailboxSize: number
  readonly snapshotEvery: number
  readonly subscriberBuffer: number
  /** At most this many jobs are decided together and made durable in one write. */
  readonly maxRun: number
}

const restartSchedule = Schedule.exponential("20 millis").pipe(
  Schedule.jittered,
  Schedule.modifyDelay((d) => Duration.min(d, Duration.seconds(2)))
)

/** A job decided in the current run, with the reply to send once the run is durable. */
interface Decided {
  readonly job: Job
  readonly reply: Reply
}

const storageFailure = (exit: Exit.Exit<void, StorageUnavailable>): StorageUnavailable =>
  Exit.isFailure(exit) ? Option.getOrElse(Cause.failureOption(exit.cause), () => StorageUnavailable.of("write failed")) : StorageUnavailable.of("write failed")

/**
 * Starts the worker of one lot in the current scope. It owns the lot and serves a bounded mailbox;
 * a supervising fiber restarts it from the store (snapshot plus log tail) with a capped, jittered
 * backoff when it dies of a defect. Closing the scope lets a run in flight finish, answers what
 * waits in the mailbox, writes a last snapshot and stops the supervisor.
 *
 * Jobs are served in runs: whatever waits in the mailbox (up to `maxRun`) is decided in order, each
 * against the lot as the ones before it left it (their events applied ahead of durability), then
 * the run's events and keyed responses go to the writer as one write. Only when it commits are the
 * callers answered and the events published; if it fails, the run is undone newest first and every
 * caller in it gets `StorageUnavailable`. Reads wait while a run is applied ahead of its write, so
 * nothing that is not durable is ever seen.
 *
 * Runs are driven by callbacks, not by a fiber (docs/decisions/0013): an offer schedules a run for
 * the next microtask, the run is decided synchronously and finished in the writer's callback, and
 * the next run is scheduled from there. With one or two commands per run (HTTP requests arriving
 * one by one) the loop fiber's steps cost: HTTP park/leave at 10 connections went 5,169-5,463 ->
 * 5,755-5,904 req/s without them (A/B, alternating runs, session 4). What needs
 * a fiber stays in one: reservation timers, background snapshots, and the supervisor, whose life
 * ends (and is restarted) when a run meets a defect.
 */
export const startLotWorker = (
  recovered: { readonly lot: Lot; readonly snapshotSeq: number; readonly tenant: TenantId },
  settings: WorkerSettings,
  // Passed in rather than read from the context: providing a context to each worker's start merged
  // every service into the fiber's context once per lot at start-up.
  services: { readonly writer: Writer; readonly store: LotStore; readonly faults: WorkerFaults }
): Effect.Effect<LotWorker, never, Scope.Scope> =>
  Effect.gen(function* () {
    const { faults, store, writer } = services
    const scope = yield* Effect.scope
    const mailbox: Array<Job> = []
    const subscribers = new Subscribers(settings.subscriberBuffer)
    const maxRun = Math.max(1, settings.maxRun)

    let lot = recovered.lot
    let lastSnapshotSeq = recovered.snapshotSeq
    /** The jobs taken from the mailbox and not all answered: a defect or a stop must answer them. */
    let inFlight: ReadonlyArray<Job> = []
    let isDeleted = false
    let needsReload = false
    /** True while the lot holds events that are not durable yet (closed gate); reads wait on `durable`. */
    let ahead = false
    const durable = Effect.unsafeMakeLatch(true)
    const lotId = lot.id
    const annotate = Effect.annotateLogs({ lotId, tenant: recovered.tenant })

    /** The current life's fibers and its end; undefined while the worker restarts or after it stopped. */
    interface Life {
      readonly runTimer: (effect: Effect.Effect<unknown>) => void
      readonly runBackground: (effect: Effect.Effect<unknown>) => void
      readonly die: (defect: unknown) => void
    }
    let life: Life | undefined
    /** A batch is being served (taken from the mailbox and not finished); a defect abandons it. */
    let serving: ReadonlyArray<Job> | undefined
    let scheduled = false
    let stopping = false
    /** Open while no batch is being served: a stop waits on it. */
    const idle = Effect.unsafeMakeLatch(true)

    const runtime = yield* Effect.runtime<never>()
    const clock = yield* Effect.clock
    const spanSource = yield* currentSpanSource
    const runFork = Runtime.runFork(runtime)
    /** Fibers of the worker's own scope (an expiry retried later): they end when the worker stops. */
    const workerFibers = yield* FiberSet.make()
    const runInWorker = yield* FiberSet.runtime(workerFibers)<never>()

    /** Readers waiting on the gate: while any wait, the next run waits a turn so they go first. */
    let readersWaiting = 0
    const read = <A>(f: (lot: Lot) => A): Effect.Effect<A> =>
      Effect.suspend(() => {
        if (!ahead) return Effect.succeed(f(lot))
        readersWaiting++
        return Effect.zipRight(Effect.ensuring(durable.await, Effect.sync(() => readersWaiting--)), read(f))
      })

    const goAhead = () => {
      ahead = true
      durable.unsafeClose()
    }
    const settle = () => {
      ahead = false
      durable.unsafeOpen()
    }

    /** A keyed job's record of its answer, stored with its write; none for an unkeyed job. */
    const keyedRecord = (job: Job, stored: string | undefined): IdempotencyRecord | undefined =>
      job.keyed === undefined || stored === undefined ? undefined : { ...job.keyed, response: stored }
    const idempotency = (job: Job, stored: string | undefined): ReadonlyArray<IdempotencyRecord> | undefined => {
      const record = keyedRecord(job, stored)
      return record === undefined ? undefined : [record]
    }

    const commitSnapshot = (record: SnapshotRecord) =>
      writer.commit({ snapshot: record }).pipe(
        Effect.tap(() => Effect.sync(() => (lastSnapshotSeq = Math.max(lastSnapshotSeq, record.seq)))),
        Effect.catchAll((e) => Effect.logWarning("snapshot not written", e.message)),
        annotate
      )

    /** A snapshot of the durable lot, if it moved since the last one (taken synchronously, written later). */
    const snapshotNow = (): SnapshotRecord | undefined =>
      ahead || needsReload || isDeleted || lot.version <= lastSnapshotSeq ? undefined : snapshotRecord(lot)

    const expireDue: Job = {
      operation: "expire",
      command: LotCommand.ExpireReservations(),
      keyed: undefined,
      accepted: () => ({ stored: undefined, send: () => {} }),
      rejected: () => ({ stored: undefined, send: () => {} }),
      // A failed write of it is retried by notCommitted; a restart re-arms the timers itself.
      failed: () => {}
    }

    /** The worker's span for each traced job (a child of the caller's, across the mailbox); none untraced. */
    const noSpans: ReadonlyArray<Tracer.Span | undefined> = []
    const jobSpans = (decided: ReadonlyArray<Decided>) =>
      spanSource.tracer === undefined
        ? noSpans
        : decided.map(({ job }) =>
            job.span === undefined ? undefined : startSpanWith(spanSource, `LotWorker.${job.operation}`, job.span, { "parkplane.lot_id": lotId })
          )

    const endSpans = (spans: ReadonlyArray<Tracer.Span | undefined>, exit: Exit.Exit<void, StorageUnavailable>) => {
      for (const span of spans) if (span !== undefined) endSpanWith(spanSource, span, exit)
    }

    // ---- scheduling ------------------------------------------------------------------------

    /** A run may start: nothing being served, a live worker that is not stopping, something waiting. */
    const canServe = () => serving === undefined && life !== undefined && !stopping && mailbox.length > 0

    const schedule = () => {
      if (scheduled || !canServe()) return
      scheduled = true
      // Readers that waited on the write go before the next run can close the gate again.
      if (readersWaiting > 0) setImmediate(serveNext)
      else queueMicrotask(serveNext)
    }

    const becomeIdle = () => {
      serving = undefined
      inFlight = []
      idle.unsafeOpen()
      schedule()
    }

    /** Ends the current life on a defect: the supervisor answers the jobs in flight and restarts. */
    const die = (defect: unknown) => {
      const current = life
      life = undefined
      serving = undefined
      idle.unsafeOpen()
      current?.die(defect)
    }

    /** Serves what waits in the mailbox: runs of lot commands, a deletion alone. */
    const serveNext = () => {
      scheduled = false
      if (!canServe()) return
      const batch = mailbox.splice(0, maxRun)
      serving = batch
      idle.unsafeClose()
      inFlight = batch
      servePart(batch, 0)
    }

    // A batch once taken is served to its end, also when the worker is stopping (a stop never leaves
    // one half answered); only a defect abandons it, and the supervisor answers what it held.
    const servePart = (batch: ReadonlyArray<Job>, from: number): void => {
      try {
        if (serving !== batch) return
        if (from >= batch.length) return becomeIdle()
        const first = batch[from]
        if (first.command._tag === "DeleteLot") {
          if (isDeleted) {
            first.failed(LotNotFound.of(lotId))
            return servePart(batch, from + 1)
          }
          return deleteLot(first, () => servePart(batch, from + 1))
        }
        let to = from
        while (to < batch.length && batch[to].command._tag !== "DeleteLot") to++
        serveRun(from === 0 && to === batch.length ? batch : batch.slice(from, to), () => servePart(batch, to))
      } catch (defect) {
        die(defect)
      }
    }

    // ---- runs --------------------------------------------------------------------------------

    /** Deleting a lot is served alone: it needs every earlier job durable and none after it. */
    const deleteLot = (job: Job, next: () => void) => {
      if (lot.occupiedCount > 0 || lot.reservedCount > 0) {
        const reply = job.rejected(LotNotEmpty.of(lotId, lot.occupiedCount, lot.reservedCount))
        return commitThenSend(job, reply, { idempotency: idempotency(job, reply.stored) }, next)
      }
      const reply = job.accepted(lot, [])
      commitThenSend(job, reply, { deleteLot: lotId, idempotency: idempotency(job, reply.stored) }, next, () => {
        isDeleted = true
        runInWorker(subscribers.closeAll)
      })
    }

    /** For a reply that writes no events: store the keyed response (if any), then answer. */
    const commitThenSend = (job: Job, reply: Reply, write: Write, next: () => void, onCommitted?: () => void) => {
      if (write.idempotency === undefined && write.deleteLot === undefined) {
        reply.send()
        return next()
      }
      writer.submit(write, [], (exit) => {
        try {
          const unknown = outcomeUnknownOf(exit)
          if (unknown !== undefined) return die(unknown)
          if (Exit.isFailure(exit)) job.failed(storageFailure(exit))
          else {
            onCommitted?.()
            reply.send()
          }
        } catch (defect) {
          return die(defect)
        }
        next()
      })
    }

    /**
     * Decides a run of lot commands in order, each applying its events ahead of durability, makes
     * them durable in one write, then answers; a failed write undoes them all. `next` continues
     * with the rest of the batch once the run is answered.
     */
    const serveRun = (jobs: ReadonlyArray<Job>, next: () => void): void => {
      const now = clock.unsafeCurrentTimeMillis()
      const decided: Array<Decided> = []
      const records: Array<EventRecord> = []
      const stored: Array<IdempotencyRecord> = []
      const applied: Array<Applied> = []
      /** The run's events, published once durable; the first has seq `firstSeq`, the rest follow it. */
      const firstSeq = lot.version + 1
      const published: Array<LotEvent> = []
      for (const job of jobs) {
        if (faults.hit(lotId)) {
          // Test-only: a defect in the middle of a run; the restart reloads the lot from the store.
          throw new Error(`fault injected into lot ${lotId}`)
        }
        const command = job.command
        if (isDeleted || command._tag === "DeleteLot") {
          job.failed(LotNotFound.of(lotId))
          continue
        }
        if (command._tag === "Read") {
          // Answered from the lot as the jobs before it left it, and sent with them once durable.
          decided.push({ job, reply: job.accepted(lot, []) })
          continue
        }
        const decision = lot.decide(command, now)
        if (decision._tag === "Left") {
          const reply = job.rejected(decision.left)
          const record = keyedRecord(job, reply.stored)
          if (record !== undefined) stored.push(record)
          decided.push({ job, reply })
          continue
        }
        const events = decision.right
        const reply = job.accepted(lot, events)
        const record = keyedRecord(job, reply.stored)
        if (record !== undefined) stored.push(record)
        decided.push({ job, reply })
        if (events.length === 0) continue
        if (!ahead) goAhead()
        for (const event of events) {
          const seq = lot.version + 1
          records.push(toRecord(lotId, seq, event))
          applied.push(lot.apply(event))
          published.push(event)
        }
      }
      if (records.length === 0 && stored.length === 0) {
        sendAll(decided)
        return next()
      }
      const runSpans = jobSpans(decided)
      const write: Write = { events: records, idempotency: stored.length === 0 ? undefined : stored }
      writer.submit(write, runSpans, (exit) => {
        // Called from the writer: a defect here must end this worker's life, not the writer.
        try {
          endSpans(runSpans, exit)
          // Maybe durable, maybe not: only the store knows, so this life ends and the lot reloads.
          const unknown = outcomeUnknownOf(exit)
          if (unknown !== undefined) return die(unknown)
          if (Exit.isSuccess(exit)) committed(decided, firstSeq, published)
          else notCommitted(decided, applied, exit)
        } catch (defect) {
          return die(defect)
        }
        next()
      })
    }

    const sendAll = (decided: ReadonlyArray<Decided>) => {
      for (const d of decided) d.reply.send()
    }

    /** A run's write committed: open the gate, publish, arm timers, then answer. */
    const committed = (decided: ReadonlyArray<Decided>, firstSeq: number, published: ReadonlyArray<LotEvent>) => {
      settle()
      if (published.length > 0 && subscribers.size > 0) {
        subscribers.publish(published.map((event, i) => StoredLotEvent.make({ lotId, seq: firstSeq + i, event }, true)))
      }
      // Armed before the callers hear back: a caller answered first could move a test clock past the expiry.
      for (const event of published) {
        if (event._tag === "SlotReserved") life?.runTimer(expiryTimer(event.expiresAt))
      }
      if (lot.version - lastSnapshotSeq >= Math.max(settings.snapshotEvery, lot.occupiedCount + lot.reservedCount)) {
        // Amortised: a snapshot costs O(live vehicles), so one is taken at most every that many events.
        const record = snapshotNow()
        if (record !== undefined) life?.runBackground(commitSnapshot(record))
      }
      sendAll(decided)
    }

    /** A run's write failed: not durable, so not kept; the lot in memory goes back to what the log says. */
    const notCommitted = (decided: ReadonlyArray<Decided>, applied: ReadonlyArray<Applied>, exit: Exit.Exit<void, StorageUnavailable>) => {
      for (let i = applied.length - 1; i >= 0; i--) lot.undo(applied[i])
      settle()
      const error = storageFailure(exit)
      for (const d of decided) d.job.failed(error)
      if (!decided.some((d) => d.job === expireDue)) return
      // No timer fires again for a hold already due, so the expiry is retried here.
      runInWorker(
        Effect.zipRight(
          Effect.logWarning("reservation expiry not written; retried in a second", error.message).pipe(annotate),
          Effect.delay(enqueueExpiry, "1 second")
        )
      )
    }

    const offerOne = (job: Job): boolean => {
      if (mailbox.length >= settings.mailboxSize) return false
      mailbox.push(job)
      schedule()
      return true
    }

    const enqueueExpiry = Effect.suspend(() => (offerOne(expireDue) ? Effect.void : Effect.fail("full" as const))).pipe(
      Effect.retry(Schedule.spaced("100 millis")),
      Effect.orDie
    )

    /*
     * Sleeps until the clock says the hold is due, then queues the expiry. The clock is read again
     * after each sleep: Node's timers keep their own millisecond clock, and one can wake a
     * millisecond before Date.now() reaches the instant asked for; the expiry run would then find
     * nothing due, and with no timer left the hold stayed until another expiry in the lot (the fault
     * lab saw holds 4-6 s overdue, session 5).
     */
    const expiryTimer = (expiresAt: number): Effect.Effect<void> =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        now >= expiresAt ? enqueueExpiry : Effect.zipRight(Effect.sleep(Duration.millis(expiresAt - now)), expiryTimer(expiresAt))
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

    /** One life of the worker: (re)load if needed, arm the reservation timers, serve until a defect. */
    const oneLife = Effect.scoped(
      Effect.gen(function* () {
        if (needsReload) {
          yield* reload
          needsReload = false
          settle()
        }
        const runTimer = yield* FiberSet.makeRuntime<never>()
        const runBackground = yield* FiberSet.makeRuntime<never>()
        const ended = yield* Deferred.make<never>()
        for (const reservation of lot.reservations()) runTimer(expiryTimer(reservation.expiresAt))
        yield* Effect.addFinalizer(() => Effect.sync(() => (life = undefined)))
        life = {
          runTimer: (effect) => runTimer(effect),
          runBackground: (effect) => runBackground(effect),
          die: (defect) => Deferred.unsafeDone(ended, Exit.die(defect))
        }
        schedule()
        return yield* Deferred.await(ended)
      })
    )

    // The error is made only if someone waits: building one costs more than a stop of an idle lot otherwise would.
    const failWaiting = (error: () => LotUnavailable | LotNotFound) =>
      Effect.sync(() => {
        const waiting = mailbox.splice(0)
        const current = inFlight
        inFlight = []
        if (current.length === 0 && waiting.length === 0) return
        const answer = error()
        for (const job of current) job.failed(answer)
        for (const job of waiting) job.failed(answer)
      })

    const supervised = oneLife.pipe(
      Effect.catchAllCause((cause) =>
        Cause.isInterruptedOnly(cause)
          ? Effect.interrupt
          : Effect.gen(function* () {
              yield* Effect.logError("lot worker died; restarting from the store", cause)
              yield* Metrics.recordWorkerRestart
              // Callers waiting on this life get a typed answer now rather than a hang.
              yield* failWaiting(() => LotUnavailable.of(lotId))
              // Whatever was applied ahead of its write is dropped with the lot: the store has the truth.
              needsReload = true
              return yield* Effect.fail("restart" as const)
            })
      ),
      Effect.retry(restartSchedule),
      annotate
    )

    // Finalizers run last-added first: the supervisor stops, the run in flight (if any) finishes,
    // then waiting callers are answered, then a last snapshot makes the next start-up short.
    yield* Scope.addFinalizer(
      scope,
      Effect.suspend(() => {
        stopping = true
        return idle.await
      }).pipe(
        Effect.zipRight(Effect.suspend(() => failWaiting(() => (isDeleted ? LotNotFound.of(lotId) : LotUnavailable.of(lotId))))),
        Effect.zipRight(subscribers.closeAll),
        Effect.zipRight(
          Effect.suspend(() => {
            if (isDeleted) return Metrics.forgetLot(lotId)
            const record = snapshotNow()
            return record === undefined ? Effect.void : commitSnapshot(record)
          })
        )
      )
    )
    yield* Metrics.trackLotWorker
    // The supervisor starts on the lot's first command ("started on demand"): a cold start recovers
    // every lot but starts only those with reservations to time; the others cost nothing until used.
    let started = false
    const start = () => {
      if (started) return
      started = true
      runFork(Effect.forkIn(supervised, scope))
    }
    if (lot.reservedCount > 0) start()

    return {
      lotId,
      tenant: recovered.tenant,
      name: lot.name,
      read,
      current: () => lot,
      offer: (job) => {
        start()
        return offerOne(job)
      },
      offerAll: (jobs) => {
        start()
        // Checked first, so that a script is queued whole or refused whole; nothing runs in between.
        if (settings.mailboxSize - mailbox.length < jobs.length) return false
        for (const job of jobs) mailbox.push(job)
        schedule()
        return true
      },
      mailboxDepth: Effect.sync(() => mailbox.length),
      subscribers,
      deleted: () => isDeleted
    } satisfies LotWorker
  })
