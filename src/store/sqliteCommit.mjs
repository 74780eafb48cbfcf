// A connection that commits batches of compiled statements, one transaction each. Plain
// JavaScript, shared by the commit thread (commitThread.mjs, which a worker thread loads with no
// TypeScript loader) and the writer's inline commits of small batches on the event loop's thread
// (CommitThread.ts, docs/decisions/0015).
import Database from "better-sqlite3"

/** The PRAGMA that sets `synchronous` ("normal" or "full"), on the main connection (Database.ts) and these. */
export const synchronousPragma = (synchronous) => (synchronous === "full" ? "synchronous = FULL" : "synchronous = NORMAL")

/** A connection to the file with what Database.ts sets on the main one. */
export const openConnection = (filename, { busyTimeoutMillis, synchronous = "normal" }) => {
  const db = new Database(filename)
  db.pragma("journal_mode = WAL")
  db.pragma(synchronousPragma(synchronous))
  db.pragma(`busy_timeout = ${busyTimeoutMillis}`)
  return db
}

/*
 * The WAL's catch-up flag (decision 0016), an Int32Array over memory shared by the checkpoint
 * thread and the commit thread. The checkpoint thread raises it when a checkpoint of a long WAL
 * has finished; the commit thread's next commit lowers it and checkpoints the few pages written
 * since, so that the WAL is all copied and its next transaction starts the WAL again from the
 * beginning. Without it, under steady writes the checkpoint thread never caught up alone, the WAL
 * grew to the backstop, and the writer then copied 20,000 pages itself: 19-32 ms with every caller
 * waiting on it.
 */
export const catchUpFlagged = 1

/**
 * The checkpoint thread raises the flag when the WAL still holds at least this many pages after its
 * checkpoint. A catch-up costs the commit thread milliseconds (2.1-4.3 ms at 1,000 pages, mostly
 * the checkpoint's fsyncs), with the event loop waiting on it. At 40,000 pages, one round of 600,000
 * commands without pauses had 20-21 catch-ups (194-243 ms) against 70 (384-403 ms) and did
 * 180,169-181,530 ops/s against 173,080-173,552 (docs/decisions/0025).
 */
export const catchUpAfterPages = 40_000

/**
 * A pass this short leaves the writer little to copy. With one pass a tick the commit thread's
 * catch-ups took 8.0 ms (median of one durable loop run), with up to four 4.1-4.8 ms (medians of
 * three; decision 0016).
 */
const quickPassMillis = 1
const maxPasses = 4

/**
 * The checkpoint thread's work on each tick: PASSIVE checkpoints (they never wait for the writer),
 * again while a pass took long, so that little is left for the writer's catch-up; then the flag,
 * if the WAL is long enough to be worth starting again. Throws SQLite's error (the next tick tries
 * again).
 */
export const makeCheckpointer = (db, catchUp) => () => {
  let log = 0
  for (let pass = 0; pass < maxPasses; pass++) {
    const started = performance.now()
    ;[{ log }] = db.pragma("wal_checkpoint(PASSIVE)")
    if (log < catchUpAfterPages || performance.now() - started < quickPassMillis) break
  }
  if (log >= catchUpAfterPages) Atomics.store(catchUp, 0, catchUpFlagged)
}

/**
 * Runs a batch in one transaction on `db`; throws SQLite's error after a rollback, so nothing of a
 * failed batch stays. Few distinct texts arrive (event inserts compiled once per row count, a
 * handful of others), but snapshots and deletions carry their own: the cache is bounded. With
 * `catchUp`, a committed batch is followed by the catch-up checkpoint when it is flagged.
 */
export const makeBatchCommitter = (db, prepareCacheSize, catchUp) => {
  const statements = new Map()
  const prepared = (sql) => {
    let statement = statements.get(sql)
    if (statement === undefined) {
      if (statements.size >= prepareCacheSize) statements.clear()
      statement = db.prepare(sql)
      statements.set(sql, statement)
    }
    return statement
  }
  return (batch) => {
    db.exec("BEGIN IMMEDIATE")
    try {
      for (const [sql, params] of batch) prepared(sql).run(...params)
      db.exec("COMMIT")
    } catch (cause) {
      if (db.inTransaction) db.exec("ROLLBACK")
      throw cause
    }
    if (catchUp !== undefined && Atomics.compareExchange(catchUp, 0, catchUpFlagged, 0) === catchUpFlagged) {
      try {
        db.pragma("wal_checkpoint(PASSIVE)")
      } catch {
        // The batch is committed whatever happens here; the checkpoint thread goes on as before.
      }
    }
  }
}

/** SQLite's error as plain data: its code (so a lock stays transient) and message. */
export const errorOf = (cause) => ({
  code: typeof cause?.code === "string" ? cause.code : undefined,
  message: cause instanceof Error ? cause.message : String(cause)
})
