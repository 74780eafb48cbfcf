import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as path from "node:path"
import { DatabaseLive } from "../../src/store/Database.ts"
import { catchUpAfterPages, catchUpFlagged, makeBatchCommitter, makeCheckpointer, openConnection } from "../../src/store/sqliteCommit.mjs"
import { tempFolder } from "./Fixtures.ts"

/*
 * The WAL's catch-up (decision 0016) over a real file: a writer's connection and a checkpointer's,
 * as the commit thread and the checkpoint thread hold them, driven by hand in this thread.
 */
const connections = (filename: string) => {
  const writer = openConnection(filename, { busyTimeoutMillis: 100 })
  // The backstop out of the way: only the catch-up may let the WAL start again here.
  writer.pragma("wal_autocheckpoint = 0")
  const checkpointer = openConnection(filename, { busyTimeoutMillis: 100 })
  const flag = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT))
  const commit = makeBatchCommitter(writer, 10, flag)
  let seq = 0
  /** One batch of event rows over 50 lots: a WAL page or two per lot. */
  const batch = () => {
    seq++
    commit(
      Array.from({ length: 50 }, (_, lot) => [
        "INSERT INTO events (lot_id, seq, type, payload, at, ticket_id) VALUES (?, ?, ?, ?, ?, ?)",
        [`L${lot}`, seq, "VehicleParked", "x".repeat(150), 1_000, `L${lot}-${seq}`]
      ])
    )
  }
  const walPages = (): number => {
    const [{ log }] = writer.pragma("wal_checkpoint(NOOP)") as ReadonlyArray<{ log: number }>
    return log
  }
  return { writer, checkpointer, flag, batch, batches: () => seq, walPages, checkpoint: makeCheckpointer(checkpointer, flag) }
}

type Connections = ReturnType<typeof connections>

const onDatabase = <A>(body: (connections: Connections, filename: string) => A) =>
  Effect.gen(function* () {
    const filename = path.join(tempFolder(), "wal.db")
    // The schema and pragmas as parkplane makes them.
    yield* Effect.scoped(Effect.provide(Effect.void, DatabaseLive({ filename })))
    const opened = connections(filename)
    return yield* Effect.ensuring(
      Effect.sync(() => body(opened, filename)),
      Effect.sync(() => {
        opened.writer.close()
        opened.checkpointer.close()
      })
    )
  })

/** Writes until the WAL holds at least `pages` pages. */
const fillWal = (c: Connections, pages: number) => {
  while (c.walPages() < pages) c.batch()
}

/**
 * A long WAL checkpointed as under steady writes: the checkpointer copies what was there when it
 * started, while the writer commits more (here, while a reader holds the checkpointer to the
 * older pages, as a pass's own duration would). Returns the WAL's length after it.
 */
const checkpointWhileWriting = (c: Connections, filename: string) => {
  fillWal(c, catchUpAfterPages)
  const reader = openConnection(filename, { busyTimeoutMillis: 100 })
  try {
    reader.exec("BEGIN")
    reader.prepare("SELECT COUNT(*) FROM events").get()
    c.batch()
    c.batch()
    c.checkpoint()
    reader.exec("COMMIT")
  } finally {
    reader.close()
  }
  return c.walPages()
}

describe("the WAL's catch-up checkpoint", () => {
  it.effect("the checkpointer flags a long WAL once it has copied it, and leaves a short one unflagged", () =>
    onDatabase((c) => {
      c.batch()
      c.checkpoint()
      expect(Atomics.load(c.flag, 0)).toBe(0)
      fillWal(c, catchUpAfterPages)
      c.checkpoint()
      expect(Atomics.load(c.flag, 0)).toBe(catchUpFlagged)
    }))

  it.effect("a flagged writer catches up after its commit, lowers the flag, and its next commit starts the WAL again", () =>
    onDatabase((c, filename) => {
      const before = checkpointWhileWriting(c, filename)
      expect(Atomics.load(c.flag, 0)).toBe(catchUpFlagged)
      // Flagged: the commit is followed by the writer's own checkpoint, so the WAL is all copied.
      c.batch()
      expect(Atomics.load(c.flag, 0)).toBe(0)
      c.batch()
      expect(c.walPages()).toBeLessThan(before / 4)
      const [{ n }] = c.writer.prepare("SELECT COUNT(*) AS n FROM events").all() as ReadonlyArray<{ n: number }>
      // Every committed row is still there once the WAL started again.
      expect(n).toBe(50 * c.batches())
    }))

  it.effect("without the flag the WAL only grows: the checkpointer alone does not let it start again while the writer writes", () =>
    onDatabase((c, filename) => {
      const before = checkpointWhileWriting(c, filename)
      Atomics.store(c.flag, 0, 0)
      c.batch()
      c.batch()
      expect(c.walPages()).toBeGreaterThan(before)
    }))
})
