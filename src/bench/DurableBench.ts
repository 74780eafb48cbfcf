import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import Database from "better-sqlite3"
import { ConfigProvider, Effect, Layer, Logger, LogLevel } from "effect"
import { SlotGroup } from "../domain/Events.ts"
import { defaultTenant } from "../domain/Ids.ts"
import { LeaveTarget } from "../domain/Lot.ts"
import { Parking } from "../runtime/Parking.ts"
import { RuntimeLive } from "../runtime/ParkingLive.ts"
import { DatabaseLive } from "../store/Database.ts"
import type { BenchRow } from "./DomainBench.ts"

export interface DurableBenchOptions {
  readonly lots: number
  readonly slotsPerLot: number
  /** Park+leave loops per lot, all running at once. */
  readonly callersPerLot: number
  /** Commands per measured round, over all lots. */
  readonly commands: number
  readonly rounds: number
}

export const defaultDurableBenchOptions: DurableBenchOptions = {
  lots: 100,
  slotsPerLot: 1000,
  callersPerLot: 2,
  commands: 40_000,
  rounds: 3
}

const median = (xs: ReadonlyArray<number>) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]
}

const withTempDir = <A>(f: (dir: string) => A): A => {
  const dir = mkdtempSync(join(tmpdir(), "parkplane-bench-"))
  try {
    return f(dir)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Park+leave commands per second through `Parking` on a fresh database file, with a given batch cap. */
const runtimeRate = (options: DurableBenchOptions, maxBatch: number): Promise<number> =>
  withTempDir((dir) => {
    const config = ConfigProvider.fromMap(
      new Map([
        ["PARKPLANE_COMMIT_MAX_BATCH", String(maxBatch)],
        // One transaction per command means one command per worker run as well.
        ["PARKPLANE_WORKER_MAX_RUN", String(Math.min(maxBatch, 256))],
        ["PARKPLANE_MAILBOX_SIZE", "100000"],
        ["PARKPLANE_MAX_SLOTS", String(options.slotsPerLot)]
      ])
    )
    const layer = RuntimeLive.pipe(Layer.provide(DatabaseLive({ filename: join(dir, "bench.db") })), Layer.provide(Layer.setConfigProvider(config)))
    const program = Effect.gen(function* () {
      const parking = yield* Parking
      const envelope = { tenant: defaultTenant, correlationId: "bench" }
      const lots = yield* Effect.forEach(Array.from({ length: options.lots }, (_, i) => i), (i) =>
        parking.createLot(envelope, { name: `bench-${i}`, layout: [SlotGroup.make({ type: "standard", count: options.slotsPerLot })] })
      )
      const callers = options.lots * options.callersPerLot
      const pairsPerCaller = Math.max(1, Math.floor(options.commands / 2 / callers))
      const rates: Array<number> = []
      for (let round = 0; round < options.rounds; round++) {
        const started = performance.now()
        yield* Effect.forEach(
          Array.from({ length: callers }, (_, c) => c),
          (c) => {
            const lot = lots[c % lots.length]
            return Effect.forEach(
              Array.from({ length: pairsPerCaller }, (_, i) => i),
              (i) =>
                parking.park(envelope, lot.id, { registration: `B${round}-${c}-${i}`, color: "Grey" }).pipe(
                  Effect.flatMap((ticket) => parking.leave(envelope, lot.id, LeaveTarget.ByTicket({ ticketId: ticket.id })))
                ),
              { discard: true }
            )
          },
          { concurrency: "unbounded", discard: true }
        )
        rates.push((callers * pairsPerCaller * 2) / ((performance.now() - started) / 1000))
      }
      return median(rates)
    })
    // The runtime's start-up lines would only get in the table's way.
    return Effect.runPromise(Effect.scoped(Effect.provide(program, layer)).pipe(Effect.orDie, Logger.withMinimumLogLevel(LogLevel.Warning)))
  })

/** The same rows written by bare better-sqlite3 (prepared INSERT, `batch` rows per transaction). */
const bareRate = (options: DurableBenchOptions, batch: number): number =>
  withTempDir((dir) => {
    const db = new Database(join(dir, "bare.db"))
    db.pragma("journal_mode = WAL")
    db.pragma("synchronous = NORMAL")
    db.exec(`CREATE TABLE events (lot_id TEXT NOT NULL, seq INTEGER NOT NULL, type TEXT NOT NULL, payload TEXT NOT NULL,
             at INTEGER NOT NULL, ticket_id TEXT NULL, PRIMARY KEY (lot_id, seq));
             CREATE INDEX events_ticket ON events (ticket_id) WHERE ticket_id IS NOT NULL`)
    const insert = db.prepare("INSERT INTO events (lot_id, seq, type, payload, at, ticket_id) VALUES (?, ?, ?, ?, ?, ?)")
    const writeBatch = db.transaction((rows: ReadonlyArray<readonly [string, number, string, string, number, string]>) => {
      for (const row of rows) insert.run(...row)
    })
    const payload = JSON.stringify({ ticketId: "L1-1", slot: 1, slotType: "standard", registration: "KA-01-HH-1234", color: "Grey", at: "2026-11-22T00:00:00.000Z", _tag: "VehicleParked" })
    const seqs = new Array<number>(options.lots).fill(0)
    const rates: Array<number> = []
    for (let round = 0; round < options.rounds; round++) {
      const started = performance.now()
      for (let done = 0; done < options.commands; done += batch) {
        const rows: Array<readonly [string, number, string, string, number, string]> = []
        for (let i = 0; i < batch; i++) {
          const lot = (done + i) % options.lots
          const seq = ++seqs[lot]
          rows.push([`L${lot + 1}`, seq, "VehicleParked", payload, Date.now(), `L${lot + 1}-${seq}`])
        }
        writeBatch(rows)
      }
      rates.push(options.commands / ((performance.now() - started) / 1000))
    }
    db.close()
    return median(rates)
  })

/**
 * Durable park+leave throughput in-process over many lots: group commit against one transaction per
 * command (the same stack with a batch cap of 1) and against bare better-sqlite3 writing the same rows
 * in batches of 100, measured side by side in one run. With `largerCommands`, group commit and bare
 * are measured once more with that many commands (rows) per round: the database grows past SQLite's
 * page cache, SQLite's own cost per row rises for both, and the ratio moves (see docs/performance.md).
 */
export const runDurableBench = async (options: DurableBenchOptions = defaultDurableBenchOptions, largerCommands?: number): Promise<ReadonlyArray<BenchRow>> => {
  const bare = bareRate(options, 100)
  const grouped = await runtimeRate(options, 512)
  const single = await runtimeRate({ ...options, commands: Math.min(options.commands, 6000) }, 1)
  const rows: Array<BenchRow> = [
    { name: `durable park+leave, ${options.lots} lots, group commit`, figure: grouped, unit: "ops/s", target: undefined, pass: undefined },
    { name: `durable park+leave, ${options.lots} lots, one transaction per command`, figure: single, unit: "ops/s", target: undefined, pass: undefined },
    { name: "bare better-sqlite3, same rows, 100 per transaction", figure: bare, unit: "rows/s", target: undefined, pass: undefined },
    { name: "group commit / bare batched", figure: grouped / bare, unit: "x", target: ">= 0.5", pass: grouped / bare >= 0.5 },
    { name: "group commit / one transaction per command", figure: grouped / single, unit: "x", target: ">= 3", pass: grouped / single >= 3 }
  ]
  if (largerCommands !== undefined) {
    const larger = { ...options, commands: largerCommands }
    const bareLarger = bareRate(larger, 100)
    const groupedLarger = await runtimeRate(larger, 512)
    const per = `${largerCommands.toLocaleString("en-US")} per round`
    rows.push(
      { name: `durable park+leave, ${options.lots} lots, group commit, ${per}`, figure: groupedLarger, unit: "ops/s", target: undefined, pass: undefined },
      { name: `bare better-sqlite3, same rows, 100 per transaction, ${per}`, figure: bareLarger, unit: "rows/s", target: undefined, pass: undefined },
      { name: `group commit / bare batched, ${per}`, figure: groupedLarger / bareLarger, unit: "x", target: ">= 0.5", pass: groupedLarger / bareLarger >= 0.5 }
    )
  }
  return rows
}
