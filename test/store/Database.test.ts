import { SqlClient } from "@effect/sql"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import BetterSqlite from "better-sqlite3"
import { DatabaseFromConfig, DatabaseLive, newDatabasePageSize, readSynchronous } from "../../src/store/Database.ts"
import { openConnection } from "../../src/store/sqliteCommit.mjs"
import { EventLog } from "../../src/store/EventLog.ts"
import { LotStore } from "../../src/store/LotStore.ts"
import { Writer } from "../../src/store/Writer.ts"
import { event, lot, storeOver, tempFolder, withSettings } from "./Fixtures.ts"

describe("Database", () => {
  it.effect("migrates the schema", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const rows = yield* sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type IN ('table', 'index') AND name NOT LIKE 'sqlite_%' ORDER BY name`
      expect(rows.map((r) => r.name)).toEqual([
        "effect_sql_migrations",
        "events",
        "idempotency",
        "idempotency_expiry",
        "lots",
        "lots_tenant_name",
        "sequences",
        "snapshots",
        "tenants"
      ])
      const pragma = yield* sql<{ synchronous: number }>`PRAGMA synchronous`
      expect(pragma[0].synchronous).toBe(1) // NORMAL
    }).pipe(Effect.provide(DatabaseLive({ filename: ":memory:" }))))

  it.effect("creates the folder of a file path, uses WAL, and keeps everything when reopened", () =>
    Effect.gen(function* () {
      const filename = path.join(tempFolder(), "nested", "deeper", "parkplane.db")
      const database = () => storeOver(DatabaseLive({ filename }))
      yield* Effect.gen(function* () {
        const writer = yield* Writer
        const sql = yield* SqlClient.SqlClient
        const mode = yield* sql<{ journal_mode: string }>`PRAGMA journal_mode`
        expect(mode[0].journal_mode).toBe("wal")
        yield* writer.commit({
          createLot: lot("L1", "north"),
          events: [event("L1", 1, "T1"), event("L1", 2)],
          snapshot: { lotId: "L1", seq: 1, state: "{\"n\":1}" },
          idempotency: [{ tenant: "acme", key: "k1", requestHash: "h", response: "{}", expiresAt: 1_763_784_000_123 }]
        })
      }).pipe(Effect.provide(database()))
      expect(fs.existsSync(filename)).toBe(true)
      yield* Effect.gen(function* () {
        const store = yield* LotStore
        const log = yield* EventLog
        const recovered = yield* store.recoverAll()
        expect(recovered).toEqual([
          {
            lot: lot("L1", "north"),
            snapshot: { lotId: "L1", seq: 1, state: "{\"n\":1}" },
            events: [event("L1", 2)]
          }
        ])
        expect((yield* log.byTicket("L1", 1, "T1")).map((e) => e.seq)).toEqual([1])
        // Epoch milliseconds survive exactly.
        expect((yield* store.findIdempotency("acme", "k1", 5_000))?.expiresAt).toBe(1_763_784_000_123)
      }).pipe(Effect.provide(database()))
    }))

  it.effect("makes a new file with its own page size, and opens an older file with the page size it has", () =>
    Effect.gen(function* () {
      const pragmas = Effect.flatMap(SqlClient.SqlClient, (sql) =>
        Effect.all([sql<{ page_size: number }>`PRAGMA page_size`, sql<{ journal_mode: string }>`PRAGMA journal_mode`])
      )
      const fresh = path.join(tempFolder(), "fresh.db")
      const [[page], [mode]] = yield* pragmas.pipe(Effect.provide(DatabaseLive({ filename: fresh })))
      expect(newDatabasePageSize).not.toBe(4096)
      expect(page.page_size).toBe(newDatabasePageSize)
      expect(mode.journal_mode).toBe("wal")

      // A file made before, at SQLite's default page size, with a row in it.
      const older = path.join(tempFolder(), "older.db")
      const db = new BetterSqlite(older)
      db.pragma("journal_mode = WAL")
      db.exec("CREATE TABLE kept (x INTEGER)")
      db.exec("INSERT INTO kept VALUES (42)")
      db.close()
      const [[olderPage], [olderMode]] = yield* pragmas.pipe(Effect.provide(DatabaseLive({ filename: older })))
      expect(olderPage.page_size).toBe(4096)
      expect(olderMode.journal_mode).toBe("wal")
      const kept = yield* Effect.flatMap(SqlClient.SqlClient, (sql) => sql<{ x: number }>`SELECT x FROM kept`).pipe(
        Effect.provide(DatabaseLive({ filename: older }))
      )
      expect(kept).toEqual([{ x: 42 }])
    }))

  it.effect("drops the ticket index of a file migrated before decision 0022, keeping its events", () =>
    Effect.gen(function* () {
      const filename = path.join(tempFolder(), "before-0022.db")
      yield* Effect.flatMap(Writer, (writer) => writer.commit({ createLot: lot("L1", "north"), events: [event("L1", 1, "L1-1"), event("L1", 2, "L1-1")] })).pipe(
        Effect.provide(storeOver(DatabaseLive({ filename })))
      )
      // The file as 0001 alone left it: the index there, 0002 not yet run.
      const db = new BetterSqlite(filename)
      db.exec("CREATE INDEX events_ticket ON events (ticket_id) WHERE ticket_id IS NOT NULL")
      db.exec("DELETE FROM effect_sql_migrations WHERE migration_id = 2")
      db.close()
      const indexes = Effect.flatMap(SqlClient.SqlClient, (sql) => sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events'`)
      const names = yield* indexes.pipe(Effect.provide(DatabaseLive({ filename })))
      expect(names.map((r) => r.name)).toEqual(["sqlite_autoindex_events_1"])
      const found = yield* Effect.flatMap(EventLog, (log) => log.byTicket("L1", 1, "L1-1")).pipe(Effect.provide(storeOver(DatabaseLive({ filename }))))
      expect(found.map((e) => e.seq)).toEqual([1, 2])
    }))

  it.effect("opens the file named by PARKPLANE_DB", () =>
    Effect.gen(function* () {
      const filename = path.join(tempFolder(), "configured", "db.sqlite")
      yield* Effect.flatMap(SqlClient.SqlClient, (sql) => sql`INSERT INTO sequences (name, value) VALUES ('probe', 7)`).pipe(
        Effect.provide(DatabaseFromConfig.pipe(Layer.provide(withSettings({ PARKPLANE_DB: filename }))))
      )
      expect(fs.existsSync(filename)).toBe(true)
      const rows = yield* Effect.flatMap(SqlClient.SqlClient, (sql) => sql<{ value: number }>`SELECT value FROM sequences WHERE name = 'probe'`).pipe(
        Effect.provide(DatabaseLive({ filename }))
      )
      expect(rows[0].value).toBe(7)
    }))

  it.effect("sets synchronous=FULL with PARKPLANE_DB_SYNCHRONOUS=full, on the main connection and the way the writer opens its own", () =>
    Effect.gen(function* () {
      const filename = path.join(tempFolder(), "full.db")
      const sync = (settings: Record<string, string>) =>
        readSynchronous.pipe(Effect.provide(DatabaseFromConfig.pipe(Layer.provide(withSettings({ PARKPLANE_DB: filename, ...settings })))))
      expect(yield* sync({})).toBe("normal")
      expect(yield* sync({ PARKPLANE_DB_SYNCHRONOUS: "full" })).toBe("full")
      // The commit thread's and the inline committer's connections (CommitThread.ts) open this way.
      for (const [synchronous, reported] of [["full", 2], ["normal", 1]] as const) {
        const db = openConnection(filename, { busyTimeoutMillis: 100, synchronous })
        expect(db.pragma("synchronous", { simple: true })).toBe(reported)
        db.close()
      }
      const refused = yield* Effect.flip(sync({ PARKPLANE_DB_SYNCHRONOUS: "sometimes" }))
      expect(String(refused)).toContain("PARKPLANE_DB_SYNCHRONOUS")
    }))
})
