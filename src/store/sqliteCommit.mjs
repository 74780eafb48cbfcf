// A connection that commits batches of compiled statements, one transaction each. Plain
// JavaScript, shared by the commit thread (commitThread.mjs, which a worker thread loads with no
// TypeScript loader) and the writer's inline commits of small batches on the event loop's thread
// (CommitThread.ts, docs/decisions/0015).
import Database from "better-sqlite3"

/** A connection to the file with what Database.ts sets on the main one. */
export const openConnection = (filename, { busyTimeoutMillis }) => {
  const db = new Database(filename)
  db.pragma("journal_mode = WAL")
  db.pragma("synchronous = NORMAL")
  db.pragma(`busy_timeout = ${busyTimeoutMillis}`)
  return db
}

/**
 * Runs a batch in one transaction on `db`; throws SQLite's error after a rollback, so nothing of a
 * failed batch stays. Few distinct texts arrive (event inserts compiled once per row count, a
 * handful of others), but snapshots and deletions carry their own: the cache is bounded.
 */
export const makeBatchCommitter = (db, prepareCacheSize) => {
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
  }
}

/** SQLite's error as plain data: its code (so a lock stays transient) and message. */
export const errorOf = (cause) => ({
  code: typeof cause?.code === "string" ? cause.code : undefined,
  message: cause instanceof Error ? cause.message : String(cause)
})
