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
import { median } from "./Median.ts"

export interface DurableBenchOptions {
  readonly lots: number
  readonly slotsPerLot: number
  /** Park+leave loops per lot, all running at once. */
  readonly callersPerLot: number
  /** Commands per measured round, over all lots. */
  readonly commands: number
  /** Measured rounds. */
  readonly rounds: number
  /**
   * Unmeasured rounds first, for the JIT: the runtime's first round cost ~43-60 us of CPU a command
   * against ~17-30 in the rounds after it (bare: the same either way), so a median of three rounds
   * with a cold one in it measured start-up as much as throughput (2026-12-02, docs/performance.md).
   */
  readonly warmupRounds: number
}

export const defaultDurableBenchOptions: DurableBenchOptions = {
  lots: 100,
  slotsPerLot: 1000,
  callersPerLot: 2,
  commands: 40_000,
  rounds: 3,
  warmupRounds: 1
}

/** Removed once the run has settled: removing it when the promise is returned left the database to be made again in a new folder, never removed. */
const withTempDir = async <A>(f: (dir: string) => Promise<A>): Promise<A> => {
  const dir = mkdtempSync(join(tmpdir(), "parkplane-bench-"))
  try {
    return await f(dir)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** A rate and the process's CPU time (all its threads) per command or row, both medians over the rounds. */
interface Measured {
  readonly rate: number
  readonly cpuMicros: number
}

const medianOf = (rounds: ReadonlyArray<Measured>): Measured => ({ rate: median(rounds.map((r) => r.rate)), cpuMicros: median(rounds.map((r) => r.cpuMicros)) })

/**
 * Park+leave commands per second through `Parking` on a fresh database file, with a given batch cap,
 * with group commits on the commit thread or on the event loop's thread.
 */
const runtimeRate = (options: DurableBenchOptions, maxBatch: number, commitThread = true, beforeRound: (measured: boolean) => void = () => {}): Promise<ReadonlyArray<Measured>> =>
  withTempDir((dir) => {
    const config = ConfigProvider.fromMap(
      new Map([
        ["PARKPLANE_COMMIT_MAX_BATCH", String(maxBatch)],
        // One transaction per command means one command per worker run as well.
        ["PARKPLANE_WORKER_MAX_RUN", String(Math.min(maxBatch, 256))],
        ["PARKPLANE_MAILBOX_SIZE", "100000"],
        ["PARKPLANE_MAX_SLOTS", String(options.slotsPerLot)],
        ["PARKPLANE_COMMIT_THREAD", String(commitThread)]
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
      const rounds: Array<Measured> = []
      for (let round = 0; round < options.warmupRounds + options.rounds; round++) {
        const measured = round >= options.warmupRounds
        // A pause before each round, ours and bare's, for the last round's background snapshot
        // writes to finish. No forced collection: one just before a round doubled the runtime's CPU per command in
        // it (55-58 -> 103-104 us, A/B twice; docs/performance.md).
        yield* Effect.sleep("100 millis")
        beforeRound(measured)
        const started = performance.now()
        const cpu = process.cpuUsage()
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
        const commands = callers * pairsPerCaller * 2
        const used = process.cpuUsage(cpu)
        if (measured) rounds.push({ rate: commands / ((performance.now() - started) / 1000), cpuMicros: (used.user + used.system) / commands })
      }
      return rounds
    })
    // The runtime's start-up lines would only get in the table's way.
    return Effect.runPromise(Effect.scoped(Effect.provide(program, layer)).pipe(Effect.orDie, Logger.withMinimumLogLevel(LogLevel.Warning)))
  })

/** Bare better-sqlite3 writing the same rows (prepared INSERT, `batch` rows per transaction) into `dir`, a round at a time. */
const openBare = (dir: string, options: DurableBenchOptions, batch: number) => {
  const db = new Database(join(dir, "bare.db"))
  db.pragma("journal_mode = WAL")
  db.pragma("synchronous = NORMAL")
  // parkplane's events table, with no ticket index since decision 0022.
  db.exec(`CREATE TABLE events (lot_id TEXT NOT NULL, seq INTEGER NOT NULL, type TEXT NOT NULL, payload TEXT NOT NULL,
           at INTEGER NOT NULL, ticket_id TEXT NULL, PRIMARY KEY (lot_id, seq))`)
  const insert = db.prepare("INSERT INTO events (lot_id, seq, type, payload, at, ticket_id) VALUES (?, ?, ?, ?, ?, ?)")
  const writeBatch = db.transaction((rows: ReadonlyArray<readonly [string, number, string, string, number, string]>) => {
    for (const row of rows) insert.run(...row)
  })
  const payload = JSON.stringify({ ticketId: "L1-1", slot: 1, slotType: "standard", registration: "KA-01-HH-1234", color: "Grey", at: "2026-11-22T00:00:00.000Z", _tag: "VehicleParked" })
  const seqs = new Array<number>(options.lots).fill(0)
  const rounds: Array<Measured> = []
  return {
    rounds,
    /** One round; a measured one is kept in `rounds`. */
    round: (measured: boolean): void => {
      const started = performance.now()
      const cpu = process.cpuUsage()
      for (let done = 0; done < options.commands; done += batch) {
        const rows: Array<readonly [string, number, string, string, number, string]> = []
        for (let i = 0; i < batch; i++) {
          const lot = (done + i) % options.lots
          const seq = ++seqs[lot]
          rows.push([`L${lot + 1}`, seq, "VehicleParked", payload, Date.now(), `L${lot + 1}-${seq}`])
        }
        writeBatch(rows)
      }
      const used = process.cpuUsage(cpu)
      if (measured) rounds.push({ rate: options.commands / ((performance.now() - started) / 1000), cpuMicros: (used.user + used.system) / options.commands })
    },
    close: (): void => {
      db.close()
    }
  }
}

/**
 * Group commit (on the commit thread or the event loop's) and bare batched, a round of each in turn
 * (bare just before each of the runtime's rounds), so that both meet the machine in the same state:
 * measured one after the other, the ratio moved from 0.30 to 0.57 between session 5's full runs.
 * The ratio is the median of the rounds' own ratios.
 */
const besideBare = (options: DurableBenchOptions, commitThread: boolean) =>
  withTempDir(async (dir) => {
    const bare = openBare(dir, options, 100)
    try {
      const runtime = await runtimeRate(options, 512, commitThread, bare.round)
      const ratios = runtime.map((r, i) => r.rate / bare.rounds[i].rate)
      return { runtime: medianOf(runtime), bare: medianOf(bare.rounds), ratio: median(ratios) }
    } finally {
      bare.close()
    }
  })

/**
 * Durable park+leave throughput in-process over many lots: group commit against one transaction per
 * command (the same stack with a batch cap of 1) and against bare better-sqlite3 writing the same rows
 * in batches of 100, measured side by side in one run; group commit once more on the event loop's
 * thread (PARKPLANE_COMMIT_THREAD=false), and the CPU each used per command or row (all of the
 * process's threads: the commit thread's work counts). With `shorterCommands`, group commit and one
 * transaction per command are measured once more with that many commands per round (decision 0021).
 */
export const runDurableBench = async (options: DurableBenchOptions = defaultDurableBenchOptions, shorterCommands?: number): Promise<ReadonlyArray<BenchRow>> => {
  const { runtime: grouped, bare, ratio } = await besideBare(options, true)
  const { runtime: onLoop, ratio: onLoopRatio } = await besideBare(options, false)
  // As many commands a round as group commit's, so both meet a database of the same size.
  const single = medianOf(await runtimeRate(options, 1))
  const figure = (name: string, value: number, unit: string, target?: string, pass?: boolean): BenchRow => ({ name, figure: value, unit, target, pass })
  const lots = `${options.lots} lots`
  const rows: Array<BenchRow> = [
    figure(`durable park+leave, ${lots}, group commit`, grouped.rate, "ops/s"),
    figure(`durable park+leave, ${lots}, group commit on the event loop's thread`, onLoop.rate, "ops/s"),
    figure(`durable park+leave, ${lots}, one transaction per command`, single.rate, "ops/s"),
    figure("bare better-sqlite3, same rows, 100 per transaction", bare.rate, "rows/s"),
    figure("group commit / bare batched (median of the rounds' ratios)", ratio, "x", ">= 0.5", ratio >= 0.5),
    figure("group commit on the event loop's thread / bare batched (median of the rounds' ratios)", onLoopRatio, "x"),
    figure("group commit / one transaction per command", grouped.rate / single.rate, "x", ">= 3", grouped.rate / single.rate >= 3),
    figure("CPU per command, group commit (both threads)", grouped.cpuMicros, "us"),
    figure("CPU per command, group commit on the event loop's thread", onLoop.cpuMicros, "us"),
    figure("CPU per row, bare batched", bare.cpuMicros, "us")
  ]
  if (shorterCommands !== undefined) {
    // Short rounds, as the headline used to be: each starts from idle and ends in a drain, edges that
    // cost group commit 0.4-11% in four processes and not one transaction per command (decision 0021).
    const shorter = { ...options, commands: shorterCommands }
    const groupedShort = medianOf(await runtimeRate(shorter, 512))
    const singleShort = medianOf(await runtimeRate(shorter, 1))
    const per = `${shorterCommands.toLocaleString("en-US")} per round`
    rows.push(
      figure(`durable park+leave, ${lots}, group commit, ${per}`, groupedShort.rate, "ops/s"),
      figure(`durable park+leave, ${lots}, one transaction per command, ${per}`, singleShort.rate, "ops/s"),
      figure(`group commit / one transaction per command, ${per}`, groupedShort.rate / singleShort.rate, "x")
    )
  }
  return rows
}
