import { FileSystem, Path } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { SqlClient } from "@effect/sql"
import { SqlError } from "@effect/sql/SqlError"
import { SqliteClient, SqliteMigrator } from "@effect/sql-sqlite-node"
import { type Config, Effect, Layer } from "effect"
import { AppConfig, type DbSynchronous } from "../config.ts"
import { migrations } from "./Migrations.ts"
import { synchronousPragma } from "./sqliteCommit.mjs"

/*
 * better-sqlite3 waits for a lock synchronously, which stalls the whole event loop, so the driver's
 * own wait is kept short and longer waits are left to the writer's retry Schedule, which sleeps
 * without blocking. The commit thread (CommitThread.ts) waits on its own thread, with the same limit.
 */
export const busyTimeoutMillis = 100

/*
 * The page size of a database file made afresh (an existing file keeps its own: SQLite fixes it when
 * the first page is written, and in WAL mode even VACUUM cannot change it). Half SQLite's default,
 * because every commit rewrites a few pages per lot: the newest leaf of the (lot, seq) key (and, until
 * decision 0022, of the ticket index), once for each lot in the transaction, and what COMMIT costs
 * follows the page size. Measured in decision 0016, with the ticket index, with
 * better-sqlite3 alone, 100-row transactions over 100 lots: COMMIT 9.9-10.2 us a row at 4 KiB,
 * 6.8-6.9 at 2 KiB, 16.2 at 8 KiB, and 64,000 -> 90,000 rows/s from 4 to 2 KiB; the HTTP server's
 * CPU a request at 10 connections 58 -> 54.5 us.
 */
export const newDatabasePageSize = 2048

/** Prepared statements kept per connection (the commit thread keeps as many). */
export const prepareCacheSize = 1000

export const isFile = (filename: string) => filename !== "" && filename !== ":memory:" && !filename.startsWith("file:")

const ensureFolder = (filename: string) =>
  Layer.effectDiscard(
    Effect.gen(function* () {
      if (!isFile(filename)) return
      const fs = yield* FileSystem.FileSystem
      const path = yield* Path.Path
      const folder = path.dirname(path.resolve(filename))
      yield* fs.makeDirectory(folder, { recursive: true }).pipe(
        Effect.mapError((cause) => new SqlError({ cause, message: `Cannot create the database folder ${folder}` }))
      )
    })
  )

/**
 * SQLite's `synchronous` in WAL mode: "normal" survives a process crash (a committed transaction is
 * in the WAL file); only a power loss or OS crash can drop the last commits. "full" also fsyncs the
 * WAL at every commit, so an acknowledged write survives those too, at one fsync per group commit
 * (docs/decisions/0024 has both measured).
 */
export type Synchronous = Config.Config.Success<typeof DbSynchronous>

const prepare = (synchronous: Synchronous) => Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  // Before WAL mode, which writes the file's first page: the page size of a new file is set by then.
  yield* sql.unsafe(`PRAGMA page_size = ${newDatabasePageSize}`)
  yield* sql`PRAGMA journal_mode = WAL`
  yield* sql.unsafe(`PRAGMA ${synchronousPragma(synchronous)}`)
  yield* sql.unsafe(`PRAGMA busy_timeout = ${busyTimeoutMillis}`)
  yield* SqliteMigrator.run({ loader: SqliteMigrator.fromRecord(migrations) })
})

/**
 * The SQLite client (WAL, one connection) with the schema migrated, for a file path or ":memory:".
 * The writer's other connections (CommitThread.ts) take `synchronous` from this one.
 */
export const DatabaseLive = (options: { readonly filename: string; readonly synchronous?: Synchronous }) =>
  Layer.effectDiscard(prepare(options.synchronous ?? "normal")).pipe(
    Layer.provideMerge(
      SqliteClient.layer({
        filename: options.filename,
        prepareCacheSize,
        // Set in `prepare`, after the page size.
        disableWAL: true
      })
    ),
    Layer.provide(ensureFolder(options.filename)),
    Layer.provide(NodeContext.layer)
  )

/** DatabaseLive at the path in PARKPLANE_DB, with PARKPLANE_DB_SYNCHRONOUS. */
export const DatabaseFromConfig = Layer.unwrapEffect(
  Effect.map(AppConfig, (config) => DatabaseLive({ filename: config.dbFile, synchronous: config.dbSynchronous }))
)

/** The connection's `synchronous` as set by `DatabaseLive` (SQLite reports 1 for NORMAL, 2 for FULL). */
export const readSynchronous = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const rows = yield* sql<{ readonly synchronous: number }>`PRAGMA synchronous`
  return (rows[0]?.synchronous ?? 1) >= 2 ? ("full" as const) : ("normal" as const)
})
