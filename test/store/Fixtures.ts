import Sqlite from "better-sqlite3"
import { ConfigProvider, Effect, Layer } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { DatabaseLive } from "../../src/store/Database.ts"
import { EventLog } from "../../src/store/EventLog.ts"
import { LotStore } from "../../src/store/LotStore.ts"
import type { EventRecord, LotRecord } from "../../src/store/Records.ts"
import { StorageFaults, Writer } from "../../src/store/Writer.ts"

/** Runtime settings from a map, as the environment would give them. */
export const withSettings = (settings: Record<string, string>) =>
  Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(settings))))

/** Writer, EventLog, LotStore and the faults switch over one database. */
export const storeOver = (database: ReturnType<typeof DatabaseLive>, settings: Record<string, string> = {}) =>
  Layer.mergeAll(Writer.DefaultWithoutDependencies, EventLog.Default, LotStore.Default).pipe(
    Layer.provideMerge(StorageFaults.Default),
    Layer.provideMerge(database),
    Layer.provide(withSettings(settings))
  )

export const memoryStore = (settings: Record<string, string> = {}) => storeOver(DatabaseLive({ filename: ":memory:" }), settings)

/** The same over a fresh database file: the writer then commits on its commit thread. */
export const fileStore = (settings: Record<string, string> = {}) =>
  storeOver(DatabaseLive({ filename: path.join(tempFolder(), "store.db") }), settings)

/** A fresh folder under the system's temp folder. */
export const tempFolder = () => fs.mkdtempSync(path.join(os.tmpdir(), "parkplane-store-"))

export const lot = (id: string, name = `lot ${id}`, tenant = "acme"): LotRecord => ({ id, tenant, name, createdAt: 1_000 })

export const event = (lotId: string, seq: number, ticketId: string | null = null): EventRecord => ({
  lotId,
  seq,
  type: "VehicleParked",
  payload: JSON.stringify({ seq }),
  at: 1_000 + seq,
  ticketId
})

/** Another connection to the same file holding the write lock, as another process would; closed with the scope (closing twice is harmless). */
export const lockedBy = (filename: string) =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const other = new Sqlite(filename)
      other.exec("BEGIN IMMEDIATE")
      return other
    }),
    (other) => Effect.sync(() => other.close())
  )
