import { SqlClient, type Statement } from "@effect/sql"
import type { SqlError } from "@effect/sql/SqlError"
import { Cause, type Clock, Duration, Effect, Exit, Option, Runtime, type Tracer } from "effect"
import { RuntimeConfig } from "../config.ts"
import { StorageUnavailable } from "../domain/Errors.ts"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { CommitOutcomeUnknown, isOutcomeUnknown, makeCommitThread } from "./CommitThread.ts"
import { isFile, readSynchronous } from "./Database.ts"
import { type Compiled, makeEventInserts } from "./EventInsert.ts"
import type { EventRecord, IdempotencyRecord, Write } from "./Records.ts"
import { StorageFaults } from "./StorageFaults.ts"
import { builtInTracer, clockOf, withCommitSpan } from "../telemetry/Instrument.ts"
import { commitBatchSize, commitSeconds, commitTransactions, storageFailures } from "./StoreMetrics.ts"
import { describe, isTransient, retryTransient, storageCall } from "./Transient.ts"

export { StorageFaults } from "./StorageFaults.ts"
export { CommitOutcomeUnknown, isOutcomeUnknown, outcomeUnknownOf } from "./CommitThread.ts"

interface Pending {
  readonly write: Write
  /** Answers the caller (an `Effect.async` resumption): called once, after COMMIT or its failure. */
  readonly done: (exit: Exit.Exit<void, StorageUnavailable>) => void
  /** The callers' spans, linked from the transaction's span: one commit serves many traces. */
  readonly spans: ReadonlyArray<Tracer.AnySpan | undefined>
}

/*
 * SQLite binds at most 32,766 variables per statement; idempotency records have 5 columns, so this
 * row count stays well under it.
 */
const idempotencyRowsPerInsert = 4000

const chunksOf = <A>(items: ReadonlyArray<A>, size: number): ReadonlyArray<ReadonlyArray<A>> => {
  const chunks: Array<ReadonlyArray<A>> = []
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size))
  return chunks
}

const idempotencyRow = (r: IdempotencyRecord) => ({
  tenant: r.tenant,
  key: r.key,
  request_hash: r.requestHash,
  response: r.response,
  expires_at: r.expiresAt
})

const shuttingDown = () => StorageUnavailable.of("the writer is shutting down")
const faultInjected = () => StorageUnavailable.of("storage fault injected")

/**
 * The group-commit writer. Callers queue their writes; whatever is waiting at the end of the event
 * loop's turn (up to `commitMaxBatch`) is committed in one transaction, and each caller is answered
 * only after COMMIT.
 * A failed batch is retried write by write, so one bad write fails only its own caller.
 */
export class Writer extends Effect.Service<Writer>()("parkplane/Writer", {
  scoped: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const faults = yield* StorageFaults
    const { commitInlineStatements, commitLinger, commitMaxBatch, commitThread } = yield* RuntimeConfig
    // A database file gets the commit thread; ":memory:" cannot be shared with a second connection.
    const client = yield* Effect.serviceOption(SqliteClient.SqliteClient)
    const thread =
      commitThread && Option.isSome(client) && isFile(client.value.config.filename)
        ? yield* makeCommitThread(client.value.config.filename, { inlineStatements: commitInlineStatements, synchronous: yield* storageCall(readSynchronous) })
        : undefined
    // Set when the scope closes, checked in the same synchronous step as the offer.
    let closed = false

    const compiled = (statement: Statement.Statement<unknown>): Compiled => statement.compile()
    const insertEvents = makeEventInserts(sql)

    const upsertIdempotency = (records: ReadonlyArray<IdempotencyRecord>, into: Array<Compiled>) => {
      // One row per key (the last write wins), as a multi-row upsert may not touch a row twice.
      const byKey = new Map<string, IdempotencyRecord>()
      for (const r of records) byKey.set(JSON.stringify([r.tenant, r.key]), r)
      for (const rows of chunksOf([...byKey.values()], idempotencyRowsPerInsert)) {
        into.push(
          compiled(sql`INSERT INTO idempotency ${sql.insert(rows.map(idempotencyRow))}
              ON CONFLICT (tenant, key) DO UPDATE SET
                request_hash = excluded.request_hash, response = excluded.response, expires_at = excluded.expires_at`)
        )
      }
    }

    /*
     * The statements of the writes, as if applied one after the other: events are gathered into
     * multi-row inserts, flushed before a lot deletion so that a deletion still removes the events
     * written before it.
     */
    const statementsOf = (writes: ReadonlyArray<Write>, now: number): ReadonlyArray<Compiled> => {
      const statements: Array<Compiled> = []
      let events: Array<EventRecord> = []
      const idempotency: Array<IdempotencyRecord> = []
      for (const write of writes) {
        if (write.createLot !== undefined) {
          const lot = write.createLot
          statements.push(compiled(sql`INSERT INTO tenants (id, created_at) VALUES (${lot.tenant}, ${lot.createdAt}) ON CONFLICT (id) DO NOTHING`))
          statements.push(compiled(sql`INSERT INTO lots (id, tenant, name, created_at) VALUES (${lot.id}, ${lot.tenant}, ${lot.name}, ${lot.createdAt})`))
        }
        if (write.events !== undefined) for (const e of write.events) events.push(e)
        if (write.snapshot !== undefined) {
          const s = write.snapshot
          statements.push(
            compiled(sql`INSERT INTO snapshots (lot_id, seq, state) VALUES (${s.lotId}, ${s.seq}, ${s.state})
                         ON CONFLICT (lot_id, seq) DO UPDATE SET state = excluded.state`)
          )
          statements.push(compiled(sql`DELETE FROM snapshots WHERE lot_id = ${s.lotId} AND seq < ${s.seq}`))
        }
        if (write.idempotency !== undefined) for (const r of write.idempotency) idempotency.push(r)
        if (write.deleteLot !== undefined) {
          const lotId = write.deleteLot
          insertEvents(events, statements)
          events = []
          statements.push(compiled(sql`UPDATE lots SET deleted_at = ${now} WHERE id = ${lotId}`))
          statements.push(compiled(sql`DELETE FROM events WHERE lot_id = ${lotId}`))
          statements.push(compiled(sql`DELETE FROM snapshots WHERE lot_id = ${lotId}`))
        }
      }
      insertEvents(events, statements)
      upsertIdempotency(idempotency, statements)
      return statements
    }

    /*
     * One transaction on a connection held for it. Not `sql.withTransaction`: its machinery (a scope,
     * a span, a FiberRef, savepoint bookkeeping, BEGIN and COMMIT prepared afresh each time) and the
     * statement pipeline per statement made a small group commit expensive: one park arriving alone
     * cost 520-616 us of CPU with it and 352-404 us without (A/B, alternating runs), against ~30 us
     * for SQLite's own BEGIN, INSERT and COMMIT of one row. The connection is reserved from the
     * client, so nothing else runs on it between BEGIN and COMMIT, and statements still come from
     * its compiler.
     */
    const inTransaction = (statements: ReadonlyArray<Compiled>): Effect.Effect<void, SqlError> =>
      Effect.scoped(
        Effect.flatMap(sql.reserve, (conn) =>
          Effect.zipRight(
            conn.executeRaw("BEGIN", []),
            Effect.onExit(
              Effect.zipRight(
                Effect.forEach(statements, ([text, params]) => conn.executeRaw(text, params), { discard: true }),
                conn.executeRaw("COMMIT", [])
              ),
              (exit) => (Exit.isFailure(exit) ? Effect.ignore(conn.executeRaw("ROLLBACK", [])) : Effect.void)
            )
          )
        )
      )

    const execute = thread === undefined ? inTransaction : thread.execute

    const isEmpty = (w: Write) =>
      w.createLot === undefined &&
      w.deleteLot === undefined &&
      (w.events === undefined || w.events.length === 0) &&
      w.snapshot === undefined &&
      (w.idempotency === undefined || w.idempotency.length === 0)

    /*
     * One transaction, with transient failures (locks) retried on a bounded schedule. The schedule,
     * the span and the timing are set up only where needed (a retry, a real tracer): with a few
     * writes per transaction, as when HTTP requests arrive one by one, their Effect steps were a
     * large part of a command's cost.
     */
    const transaction = (
      writes: ReadonlyArray<Write>,
      spans: ReadonlyArray<Tracer.AnySpan | undefined> = [],
      firstAttempt?: Exit.Exit<void, SqlError>
    ): Effect.Effect<void, SqlError> =>
      writes.every(isEmpty)
        ? Effect.void
        : Effect.withFiberRuntime((fiber) => {
            const clock = clockOf(fiber)
            const started = clock.unsafeCurrentTimeNanos()
            // An attempt already made without a fiber (commitWithoutFiber) counts as the first.
            let replay = firstAttempt
            const once = Effect.suspend(() => {
              if (replay === undefined) return execute(statementsOf(writes, clock.unsafeCurrentTimeMillis()))
              const exit = replay
              replay = undefined
              return exit
            })
            const traced = fiber.currentTracer === builtInTracer ? once : withCommitSpan(writes.length, spans)(once)
            return retryTransient(traced).pipe(Effect.tap(() => Effect.sync(() => recordCommit(clock, started))))
          })

    const recordCommit = (clock: Clock.Clock, started: bigint) => {
      commitSeconds.unsafeUpdate(Number(clock.unsafeCurrentTimeNanos() - started) / 1e9, [])
      commitTransactions.unsafeUpdate(1, [])
    }

    /** Answers every caller of the batch; one whose callback throws (it must not) costs the others nothing. */
    const settleNow = (batch: ReadonlyArray<Pending>, exit: Exit.Exit<void, StorageUnavailable>) => {
      if (Exit.isFailure(exit)) storageFailures.unsafeUpdate(batch.filter((p) => !isEmpty(p.write)).length, [])
      for (const p of batch) {
        try {
          p.done(exit)
        } catch (defect) {
          runCommit(Effect.logError("a writer's caller failed on its answer", Cause.die(defect)))
        }
      }
    }
    const settle = (batch: ReadonlyArray<Pending>, exit: Exit.Exit<void, StorageUnavailable>) => Effect.sync(() => settleNow(batch, exit))

    const toStorageExit = (exit: Exit.Exit<void, SqlError>): Exit.Exit<void, StorageUnavailable> =>
      Exit.mapError(exit, (error) => StorageUnavailable.of(describe(error)))

    const commitAlone = (pending: Pending) =>
      Effect.flatMap(Effect.exit(transaction([pending.write], pending.spans)), (exit) => settle([pending], toStorageExit(exit)))

    /** A success the fault hook turns into an unknown outcome (tests only). */
    const answerOf = (committed: Exit.Exit<void, SqlError>): Exit.Exit<void, SqlError> =>
      Exit.isSuccess(committed) && faults.isLosingAnswersNow() ? Exit.die(new CommitOutcomeUnknown("fault injected")) : committed

    /**
     * `firstAttempt`: the outcome of an attempt commitWithoutFiber already made, its size already
     * recorded. `fnUntraced`, not `Effect.gen` in an arrow: a generator function made per call gets
     * its own hidden class, which V8 keeps in the old generation, and that kept each batch alive
     * until a full collection. The event loop's path promoted ~2.4-2.7 MB a scavenge (decision 0017).
     */
    const commitBatch: (batch: ReadonlyArray<Pending>, firstAttempt?: Exit.Exit<void, SqlError>) => Effect.Effect<void> =
      Effect.fnUntraced(function* (batch: ReadonlyArray<Pending>, firstAttempt?: Exit.Exit<void, SqlError>) {
        if (firstAttempt === undefined) {
          if (faults.isFailingNow()) return yield* settle(batch, Exit.fail(faultInjected()))
          commitBatchSize.unsafeUpdate(batch.length, [])
        }
        const committed = yield* Effect.exit(transaction(batch.map((p) => p.write), batch.flatMap((p) => p.spans), firstAttempt))
        const exit = answerOf(committed)
        // Unknown (the commit thread died holding the batch): it may be durable, so it is neither
        // retried nor reported as not written; the callers meet it as a defect.
        if (Exit.isSuccess(exit) || batch.length === 1 || isOutcomeUnknown(exit)) return yield* settle(batch, toStorageExit(exit))
        const error = Cause.failureOption(exit.cause)
        if (Option.isSome(error) && isTransient(error.value)) {
          // The database stayed locked past the retries: trying each write alone would only wait longer.
          yield* Effect.logWarning("group commit failed", describe(error.value))
          return yield* settle(batch, toStorageExit(exit))
        }
        yield* Effect.logWarning("group commit failed; retrying its writes one by one", Cause.pretty(exit.cause))
        yield* Effect.forEach(batch, commitAlone, { discard: true })
      })

    /*
     * Group commit without a loop fiber. A write queued while nothing is scheduled schedules a
     * commit for the end of this turn of the event loop (`setImmediate`: after the I/O callbacks of
     * the turn, so the requests that arrived together go into one transaction), or after the linger
     * when one is set (on the Clock, so a TestClock drives it). A batch once taken is always
     * committed and answered: its fiber is a root fiber that nothing interrupts, and the finalizer
     * waits for it.
     *
     * On the event loop's thread one batch is committed at a time; what arrives meanwhile goes in
     * the next. With the commit thread two may be in flight, so that the thread commits one while
     * this thread decides the next (docs/decisions/0014). Callers that all wait on one commit come
     * back together and would submit together again, leaving the thread idle while this one works:
     * a batch taken with nothing in flight is split in two, and the two halves then keep each
     * other's thread busy. A lot has at most one run's write in flight (its background snapshot
     * may be in the other batch), and the thread commits batches in the order they were taken.
     */
    const runtime = yield* Effect.runtime<never>()
    const runCommit = Runtime.runCallback(runtime)
    const pending: Array<Pending> = []
    const maxInFlight = thread === undefined ? 1 : 2
    let scheduled = false
    let inFlight = 0
    /** Open while no batch is being committed: the finalizer waits on it. */
    const idle = Effect.unsafeMakeLatch(true)

    const startCommitting = () => {
      inFlight++
      idle.unsafeClose()
    }
    const doneCommitting = () => {
      inFlight--
      if (inFlight === 0) idle.unsafeOpen()
    }

    const schedule = () => {
      if (scheduled || inFlight >= maxInFlight || closed) return
      scheduled = true
      if (Duration.greaterThan(commitLinger, Duration.zero)) runCommit(Effect.delay(Effect.sync(kick), commitLinger))
      // With a batch already on the commit thread, the next goes as soon as this turn's work is
      // done (nextTick: after its microtasks), so the thread gets it while this one moves on.
      else if (inFlight > 0) process.nextTick(kick)
      else setImmediate(kick)
    }

    /** Below this many writes waiting, a batch is not split: halves would be too small to pay. */
    const splitAtLeast = 64

    const committedOne = () => {
      doneCommitting()
      if (pending.length > 0) schedule()
    }

    /*
     * A batch's first attempt through the commit thread (or its inline connection, for a small batch:
     * then `send` answers at once) with no fiber. With a fiber per batch (holding the
     * batch from the start of its commit to the reply) the event loop spent 76-86 us a request at 10
     * HTTP connections against 50-52 without, and the durable loop 37.9 us a command against
     * 16.7-20.1 (both threads), while the collector's promotion per scavenge fell ~16x (decision
     * 0015). Only a success or an unknown outcome is answered here; a failure goes on as
     * commitBatch, on its fiber, with this attempt as its first (the retry Schedule, then write by
     * write). Not used with a tracer exporting spans (the commit's span) or
     * on the event loop's thread (its transaction is an Effect).
     */
    const writerClock = yield* Effect.clock
    const withoutFiber =
      thread === undefined || (yield* Effect.tracer) !== builtInTracer
        ? undefined
        : (batch: ReadonlyArray<Pending>): void => {
            const writes = batch.map((p) => p.write)
            if (faults.isFailingNow() || writes.every(isEmpty)) {
              runCommit(commitBatch(batch), { onExit: committedOne })
              return
            }
            commitBatchSize.unsafeUpdate(batch.length, [])
            const started = writerClock.unsafeCurrentTimeNanos()
            thread.send(statementsOf(writes, writerClock.unsafeCurrentTimeMillis()), (committed) => {
              if (Exit.isFailure(committed) && !isOutcomeUnknown(committed)) {
                runCommit(commitBatch(batch, committed), { onExit: committedOne })
                return
              }
              if (Exit.isSuccess(committed)) recordCommit(writerClock, started)
              settleNow(batch, toStorageExit(answerOf(committed)))
              committedOne()
            })
          }

    const commitNext = () => {
      const split = maxInFlight > 1 && inFlight === 0 && pending.length >= splitAtLeast
      const size = Math.min(commitMaxBatch, split ? Math.ceil(pending.length / 2) : pending.length)
      startCommitting()
      const batch = pending.splice(0, size)
      if (withoutFiber !== undefined) withoutFiber(batch)
      else runCommit(commitBatch(batch), { onExit: committedOne })
    }

    const kick = () => {
      scheduled = false
      if (closed) return
      while (inFlight < maxInFlight && pending.length > 0) commitNext()
    }

    // On close: wait for the batches in flight, then commit what is left, batch by batch.
    const drain: Effect.Effect<void> = Effect.suspend(() => {
      if (inFlight > 0) return Effect.zipRight(idle.await, drain)
      if (pending.length === 0) return Effect.void
      startCommitting()
      return Effect.zipRight(Effect.ensuring(commitBatch(pending.splice(0, commitMaxBatch)), Effect.sync(doneCommitting)), drain)
    })

    yield* Effect.addFinalizer(() =>
      Effect.suspend(() => {
        closed = true
        return drain
      })
    )

    /**
     * Queues a write; `done` is called once, after its transaction commits or fails (on the writer's
     * fiber: it must not block). For callers that are not waiting as a fiber, such as a lot worker
     * that finishes its run in the callback.
     */
    const submit = (write: Write, spans: ReadonlyArray<Tracer.AnySpan | undefined>, done: (exit: Exit.Exit<void, StorageUnavailable>) => void): void => {
      if (closed) return done(Exit.fail(shuttingDown()))
      pending.push({ write, done, spans })
      schedule()
    }

    /**
     * Queues a write and completes once it is committed. `spans` are the callers the transaction
     * serves (linked from its span); by default the current span.
     */
    const commit = (write: Write, spans?: ReadonlyArray<Tracer.AnySpan | undefined>): Effect.Effect<void, StorageUnavailable> =>
      Effect.withFiberRuntime((fiber) => Effect.async<void, StorageUnavailable>((resume) => submit(write, spans ?? [fiber.currentSpan], resume)))

    return {
      commit,
      submit,
      /** Completes when every write queued before it is committed (or failed). */
      flush: Effect.catchAll(commit({}, []), () => Effect.void)
    }
  }),
  dependencies: [StorageFaults.Default]
}) {}

