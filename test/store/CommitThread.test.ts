import { SqlClient } from "@effect/sql"
import type { SqlError } from "@effect/sql/SqlError"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, type Scope } from "effect"
import * as path from "node:path"
import { type CommitThread, isOutcomeUnknown, makeCommitThread } from "../../src/store/CommitThread.ts"
import { DatabaseLive } from "../../src/store/Database.ts"
import { makeEventInserts, type Compiled } from "../../src/store/EventInsert.ts"
import { EventLog } from "../../src/store/EventLog.ts"
import { Writer } from "../../src/store/Writer.ts"
import { event, lockedBy, storeOver, tempFolder } from "./Fixtures.ts"

const fileDatabase = () => path.join(tempFolder(), "thread.db")

/** The batch of statements inserting these events, as the writer compiles them. */
const insertsOf = (events: ReadonlyArray<ReturnType<typeof event>>) =>
  Effect.map(SqlClient.SqlClient, (sql) => {
    const batch: Array<Compiled> = []
    makeEventInserts(sql)(events, batch)
    return batch
  })

const countEvents = Effect.flatMap(SqlClient.SqlClient, (sql) => Effect.map(sql<{ n: number }>`SELECT COUNT(*) AS n FROM events`, (rows) => rows[0].n))

/** A batch that repeated (lot, seq) failed with SQLite's own code, as a storage failure, not an unknown outcome. */
const expectPrimaryKeyFailure = (exit: Exit.Exit<void, SqlError>) => {
  expect(Exit.isFailure(exit) && !isOutcomeUnknown(exit)).toBe(true)
  if (Exit.isFailure(exit) && exit.cause._tag === "Fail") expect(exit.cause.error.cause).toMatchObject({ code: "SQLITE_CONSTRAINT_PRIMARYKEY" })
}

/** A test over a fresh database file: the main connection, and a scope for the thread. */
const onFile = <A, E>(body: (filename: string) => Effect.Effect<A, E, SqlClient.SqlClient | Scope.Scope>) => {
  const filename = fileDatabase()
  return body(filename).pipe(Effect.scoped, Effect.provide(DatabaseLive({ filename })))
}

// Real time and a real worker thread: the thread's replies come on the event loop.
describe("CommitThread", () => {
  it.live("commits a batch on its own connection; the main connection reads it once answered", () =>
    onFile((filename) =>
      Effect.gen(function* () {
        const thread = yield* makeCommitThread(filename)
        yield* thread.execute(yield* insertsOf([event("L1", 1), event("L1", 2), event("L2", 1), event("L1", 3), event("L2", 2)]))
        expect(yield* countEvents).toBe(5)
        expect(thread.threadId()).toBeGreaterThan(0)
      })
    )
  )

  it.live("fails with SQLite's own error code and writes nothing of a batch that fails", () =>
    onFile((filename) =>
      Effect.gen(function* () {
        const thread = yield* makeCommitThread(filename)
        // The second insert repeats (lot, seq): the whole batch rolls back.
        const exit = yield* Effect.exit(thread.execute(yield* insertsOf([event("L1", 1), event("L1", 2), event("L1", 3), event("L1", 4), event("L1", 1)])))
        expectPrimaryKeyFailure(exit)
        expect(yield* countEvents).toBe(0)
      })
    )
  )

  it.live("answers the batches it holds together in the order they were sent, each with its own outcome", () =>
    onFile((filename) =>
      Effect.gen(function* () {
        const thread = yield* makeCommitThread(filename)
        // Odd batches are good; even ones repeat a (lot, seq) inside themselves and must fail alone.
        const batches = yield* Effect.forEach([1, 2, 3, 4, 5, 6, 7], (n) =>
          insertsOf(n % 2 === 1 ? [event(`L${n}`, 1), event(`L${n}`, 2)] : [event(`L${n}`, 1), event(`L${n}`, 1)])
        )
        const exits = yield* Effect.async<ReadonlyArray<readonly [number, Exit.Exit<void, SqlError>]>>((resume) => {
          const answered: Array<readonly [number, Exit.Exit<void, SqlError>]> = []
          batches.forEach((batch, i) =>
            thread.send(batch, (exit) => {
              answered.push([i + 1, exit])
              if (answered.length === batches.length) resume(Effect.succeed(answered))
            })
          )
        })
        expect(exits.map(([n]) => n)).toEqual([1, 2, 3, 4, 5, 6, 7])
        for (const [n, exit] of exits) {
          if (n % 2 === 1) expect(Exit.isSuccess(exit)).toBe(true)
          else expectPrimaryKeyFailure(exit)
        }
        expect(yield* countEvents).toBe(8)
      })
    )
  )

  // Each committing connection records the level it commits at, read back from the main connection.
  for (const [synchronous, level] of [["normal", 1], ["full", 2]] as const) {
    it.live(`commits at synchronous=${synchronous} on the thread's connection and on the inline one`, () =>
      onFile((filename) =>
        Effect.gen(function* () {
          const probe = (via: string): Compiled => [`INSERT INTO probe (via, level) SELECT '${via}', synchronous FROM pragma_synchronous`, []]
          const onThread = yield* makeCommitThread(filename, { inlineStatements: 0, synchronous })
          yield* onThread.execute([["CREATE TABLE probe (via TEXT NOT NULL, level INTEGER NOT NULL)", []], probe("thread")])
          expect(onThread.threadId()).toBeGreaterThan(0)
          const inline = yield* makeCommitThread(filename, { inlineStatements: 8, synchronous })
          yield* inline.execute([probe("inline")])
          // No thread was started: the batch was committed on the calling thread's connection.
          expect(inline.threadId()).toBeUndefined()
          const sql = yield* SqlClient.SqlClient
          expect(yield* sql`SELECT via, level FROM probe ORDER BY via`).toEqual([{ via: "inline", level }, { via: "thread", level }])
        })
      )
    )
  }

  it.live("ends the batch a dying thread held as outcome unknown, and starts a new thread for the next", () =>
    onFile((filename) =>
      Effect.gen(function* () {
        const thread = yield* makeCommitThread(filename)
        yield* thread.execute(yield* insertsOf([event("L1", 1)]))
        const first = thread.threadId()
        // The thread crashes before it takes the batch posted after: whether that one committed is,
        // to this side, unknown.
        yield* thread.stopThread
        const exit = yield* Effect.exit(thread.execute(yield* insertsOf([event("L1", 2)])))
        expect(isOutcomeUnknown(exit)).toBe(true)
        yield* thread.execute(yield* insertsOf([event("L1", 3)]))
        expect(thread.threadId()).not.toBe(first)
        expect(yield* countEvents).toBe(2)
      })
    )
  )

  it.live("is what the writer commits through on a database file, with two batches in flight at most", () => {
    const filename = fileDatabase()
    return Effect.gen(function* () {
      const writer = yield* Writer
      const log = yield* EventLog
      const lots = Array.from({ length: 40 }, (_, i) => `L${i + 1}`)
      yield* Effect.forEach(
        lots,
        (lotId) => Effect.forEach([1, 2, 3, 4, 5], (seq) => writer.commit({ events: [event(lotId, seq)] }), { discard: true }),
        { concurrency: "unbounded", discard: true }
      )
      for (const lotId of lots) expect((yield* log.read(lotId, 0, 10)).map((e) => e.seq)).toEqual([1, 2, 3, 4, 5])
    }).pipe(Effect.provide(storeOver(DatabaseLive({ filename }))))
  })

  describe("with small batches committed inline", () => {
    const inlineStatements = 2
    /** A test over a fresh file with a commit thread that commits batches of up to two statements inline. */
    const onInlineThread = <A, E>(body: (thread: CommitThread, filename: string) => Effect.Effect<A, E, SqlClient.SqlClient | Scope.Scope>) =>
      onFile((filename) => Effect.flatMap(makeCommitThread(filename, { inlineStatements, synchronous: "normal" }), (thread) => body(thread, filename)))

    it.live("commits a batch within the limit at once, on the calling thread: the thread is not even started", () =>
      onInlineThread((thread) =>
        Effect.gen(function* () {
          // Five events: two statements (four rows a statement).
          yield* thread.execute(yield* insertsOf([event("L1", 1), event("L1", 2), event("L1", 3), event("L1", 4), event("L1", 5)]))
          expect(yield* countEvents).toBe(5)
          expect(thread.threadId()).toBeUndefined()
        })
      )
    )

    it.live("sends a batch over the limit to the thread", () =>
      onInlineThread((thread) =>
        Effect.gen(function* () {
          yield* thread.execute(yield* insertsOf(Array.from({ length: 9 }, (_, i) => event("L1", i + 1))))
          expect(yield* countEvents).toBe(9)
          expect(thread.threadId()).toBeGreaterThan(0)
        })
      )
    )

    it.live("fails a batch it commits inline with SQLite's own code, and writes nothing of it", () =>
      onInlineThread((thread) =>
        Effect.gen(function* () {
          const exit = yield* Effect.exit(thread.execute(yield* insertsOf([event("L1", 1), event("L1", 1)])))
          expectPrimaryKeyFailure(exit)
          expect(yield* countEvents).toBe(0)
          expect(thread.threadId()).toBeUndefined()
        })
      )
    )

    it.live("hands a small batch that finds the database locked to the thread, which waits for the lock", () =>
      onInlineThread((thread, filename) =>
        Effect.gen(function* () {
          const other = yield* lockedBy(filename)
          // Released well within the thread's busy timeout (Database.ts).
          const release = setTimeout(() => other.close(), 30)
          yield* Effect.addFinalizer(() => Effect.sync(() => clearTimeout(release)))
          yield* thread.execute(yield* insertsOf([event("L1", 1)]))
          expect(yield* countEvents).toBe(1)
          expect(thread.threadId()).toBeGreaterThan(0)
        })
      )
    )
  })
})
