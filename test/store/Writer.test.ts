import { SqlClient } from "@effect/sql"
import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Exit, Fiber, Layer, Metric, Scope, TestClock } from "effect"
import { StorageUnavailable } from "../../src/domain/Errors.ts"
import { DatabaseLive } from "../../src/store/Database.ts"
import { EventLog } from "../../src/store/EventLog.ts"
import { commitBatchSize, commitTransactions, storageFailures } from "../../src/store/StoreMetrics.ts"
import { StorageFaults, Writer } from "../../src/store/Writer.ts"
import { event, fileStore, lot, memoryStore } from "./Fixtures.ts"

const countEvents = Effect.flatMap(SqlClient.SqlClient, (sql) =>
  Effect.map(sql<{ n: number }>`SELECT COUNT(*) AS n FROM events`, (rows) => rows[0].n)
)

const batchStats = Effect.map(Metric.value(commitBatchSize), (h) => ({ batches: h.count, writes: h.sum }))

describe("Writer", () => {
  // In memory the writer commits on the event loop's thread through @effect/sql; over a file, a
  // batch's first attempt runs without a fiber (Writer's commitWithoutFiber), small batches on the
  // event loop's thread (CommitThread's inline committer), or, with that off, all on the thread.
  const onTheThread = (settings: Record<string, string> = {}) => fileStore({ PARKPLANE_COMMIT_INLINE_STATEMENTS: "0", ...settings })
  for (const [where, store] of [
    ["in memory", memoryStore],
    ["on a file", fileStore],
    ["on a file, every batch on the commit thread", onTheThread]
  ] as const) {
    describe(where, () => {
      it.effect("commits many concurrent writes in a few transactions, answering each after its commit", () =>
        Effect.gen(function* () {
          const writer = yield* Writer
          const log = yield* EventLog
          const before = yield* Metric.value(commitTransactions)
          const lots = Array.from({ length: 50 }, (_, i) => `L${i + 1}`)
          yield* writer.commit({ createLot: lot("L0") })
          const seen = yield* Effect.forEach(
            lots,
            (lotId) =>
              Effect.forEach(
                [1, 2, 3, 4],
                (seq) =>
                  // Read back in the continuation: the write must already be durable.
                  writer.commit({ events: [event(lotId, seq)] }).pipe(
                    Effect.zipRight(log.read(lotId, seq - 1, 10)),
                    Effect.map((events) => events.map((e) => e.seq))
                  ),
                { concurrency: 1 }
              ),
            { concurrency: "unbounded" }
          )
          for (const perLot of seen) expect(perLot.map((seqs) => seqs[0])).toEqual([1, 2, 3, 4])
          expect(yield* countEvents).toBe(200)
          const after = yield* Metric.value(commitTransactions)
          // 1 + 200 writes; with group commit far fewer transactions than writes.
          expect(after.count - before.count).toBeLessThan(50)
        }).pipe(Effect.provide(store())))

      it.effect("puts everything waiting into one transaction, one multi-row insert of events", () =>
        Effect.gen(function* () {
          const writer = yield* Writer
          const before = yield* batchStats
          const fibers = yield* Effect.forEach(Array.from({ length: 20 }, (_, i) => i + 1), (seq) =>
            Effect.fork(writer.commit({ events: [event("L1", seq), event("L2", seq)] }))
          )
          yield* TestClock.adjust("10 millis")
          yield* Effect.forEach(fibers, Fiber.join)
          const after = yield* batchStats
          expect(after.batches - before.batches).toBe(1)
          expect(after.writes - before.writes).toBe(20)
          expect(yield* countEvents).toBe(40)
        }).pipe(Effect.provide(store({ PARKPLANE_COMMIT_LINGER: "10 millis" }))))

      it.effect("fails only the write that breaks a constraint; the rest of its batch commits", () =>
        Effect.gen(function* () {
          const writer = yield* Writer
          const log = yield* EventLog
          const first = yield* Effect.fork(writer.commit({ events: [event("L1", 1)] }))
          yield* TestClock.adjust("10 millis")
          yield* Fiber.join(first)
          const before = yield* batchStats
          const good = yield* Effect.forEach([2, 3, 4], (seq) => Effect.fork(writer.commit({ events: [event("L1", seq)] })))
          const duplicate = yield* Effect.fork(writer.commit({ events: [event("L2", 1), event("L1", 1)] }))
          const more = yield* Effect.forEach([5, 6], (seq) => Effect.fork(writer.commit({ events: [event("L1", seq)] })))
          yield* TestClock.adjust("10 millis")
          const bad = yield* Effect.flip(Fiber.join(duplicate))
          expect(bad).toBeInstanceOf(StorageUnavailable)
          expect(bad.message).toContain("UNIQUE constraint failed")
          yield* Effect.forEach([...good, ...more], Fiber.join)
          const after = yield* batchStats
          expect(after.batches - before.batches).toBe(1)
          expect((yield* log.read("L1", 0, 100)).map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6])
          // The failed write is all or nothing: its other event is not there either.
          expect(yield* log.read("L2", 0, 100)).toEqual([])
        }).pipe(Effect.provide(store({ PARKPLANE_COMMIT_LINGER: "10 millis" }))))

      it.effect("with storage faults on, fails every write and writes nothing; off, works again", () =>
        Effect.gen(function* () {
          const writer = yield* Writer
          const faults = yield* StorageFaults
          yield* faults.fail(true)
          expect(yield* faults.isFailing).toBe(true)
          const failuresBefore = yield* Metric.value(storageFailures)
          const failed = yield* Effect.flip(writer.commit({ createLot: lot("L1"), events: [event("L1", 1)] }))
          yield* writer.flush
          expect((yield* Metric.value(storageFailures)).count - failuresBefore.count).toBe(1)
          expect(failed).toBeInstanceOf(StorageUnavailable)
          expect(failed.message).toContain("storage fault injected")
          expect(yield* countEvents).toBe(0)
          yield* faults.fail(false)
          yield* writer.commit({ createLot: lot("L1"), events: [event("L1", 1)] })
          expect(yield* countEvents).toBe(1)
        }).pipe(Effect.provide(store())))

        it.effect("answers the rest of a batch when one caller's callback throws", () =>
          Effect.gen(function* () {
            const writer = yield* Writer
            const before = yield* batchStats
            writer.submit({ events: [event("L1", 1)] }, [], () => {
              throw new Error("a caller that breaks its promise not to throw")
            })
            const others = yield* Effect.forEach([2, 3], (seq) => Effect.fork(writer.commit({ events: [event("L1", seq)] })))
            yield* TestClock.adjust("10 millis")
            yield* Effect.forEach(others, Fiber.join)
            const after = yield* batchStats
            expect(after.batches - before.batches).toBe(1)
            expect(yield* countEvents).toBe(3)
            // The writer goes on: the next write commits too.
            yield* Effect.fork(writer.commit({ events: [event("L1", 4)] })).pipe(Effect.tap(() => TestClock.adjust("10 millis")), Effect.flatMap(Fiber.join))
            expect(yield* countEvents).toBe(4)
          }).pipe(Effect.provide(store({ PARKPLANE_COMMIT_LINGER: "10 millis" }))))
    })
  }

  it.effect("flushes every pending write when its scope closes", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const writerScope = yield* Scope.make()
      const context = yield* Layer.buildWithScope(Writer.DefaultWithoutDependencies, writerScope)
      const writer = yield* Effect.provide(Writer, context)
      // Hold the only connection so that the writer's first batch waits and the rest stay queued.
      const gate = yield* Deferred.make<void>()
      const held = yield* Deferred.make<void>()
      const holder = yield* Effect.fork(
        sql.withTransaction(Effect.zipRight(Deferred.succeed(held, undefined), Deferred.await(gate)))
      )
      yield* Deferred.await(held)
      const commits = yield* Effect.forEach(Array.from({ length: 30 }, (_, i) => i + 1), (seq) =>
        Effect.fork(writer.commit({ events: [event("L1", seq)] }))
      )
      yield* Effect.yieldNow()
      const closing = yield* Effect.fork(Scope.close(writerScope, Exit.void))
      yield* Effect.yieldNow()
      expect(commits.every((fiber) => fiber.unsafePoll() === null)).toBe(true)
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.join(holder)
      yield* Fiber.join(closing)
      yield* Effect.forEach(commits, Fiber.join)
      expect(yield* countEvents).toBe(30)
      // After shutdown the writer refuses new work instead of hanging.
      const refused = yield* Effect.flip(writer.commit({ events: [event("L1", 31)] }))
      expect(refused.message).toContain("shutting down")
    }).pipe(
      Effect.provide(StorageFaults.Default),
      Effect.provide(DatabaseLive({ filename: ":memory:" }))
    ))

  it.effect("flush completes after everything queued before it", () =>
    Effect.gen(function* () {
      const writer = yield* Writer
      const fibers = yield* Effect.forEach([1, 2, 3], (seq) => Effect.fork(writer.commit({ events: [event("L1", seq)] })))
      yield* Effect.yieldNow()
      yield* writer.flush
      expect(yield* countEvents).toBe(3)
      yield* Effect.forEach(fibers, Fiber.join)
    }).pipe(Effect.provide(memoryStore())))
})
