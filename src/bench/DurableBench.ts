import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { ConfigProvider, type Context, Effect, Layer, Logger, LogLevel, ManagedRuntime } from "effect"
import { SlotGroup } from "../domain/Events.ts"
import { defaultTenant, type LotId } from "../domain/Ids.ts"
import { LeaveTarget } from "../domain/Lot.ts"
import { Parking } from "../runtime/Parking.ts"
import { RuntimeLive } from "../runtime/ParkingLive.ts"
import { DatabaseLive, type Synchronous } from "../store/Database.ts"
import { openConnection } from "../store/sqliteCommit.mjs"
import type { BenchRow } from "./DomainBench.ts"
import { median } from "./Median.ts"
import { eventLoopThreadNanos } from "./ThreadTime.ts"

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
  /** Events a lot writes between a park and its leave, for the closed-ticket lookup (decision 0022). */
  readonly closedTicketEvents: number
}

export const defaultDurableBenchOptions: DurableBenchOptions = {
  lots: 100,
  slotsPerLot: 1000,
  callersPerLot: 2,
  commands: 40_000,
  rounds: 3,
  warmupRounds: 1,
  closedTicketEvents: 10_000
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
  /** Percent of the round the event loop's thread was on the CPU, where Linux tells it. */
  readonly loopOnCpu?: number | undefined
}

const medianOf = (rounds: ReadonlyArray<Measured>): Measured => {
  const onCpu = rounds.flatMap((r) => (r.loopOnCpu === undefined ? [] : [r.loopOnCpu]))
  return {
    rate: median(rounds.map((r) => r.rate)),
    cpuMicros: median(rounds.map((r) => r.cpuMicros)),
    loopOnCpu: onCpu.length === rounds.length && onCpu.length > 0 ? median(onCpu) : undefined
  }
}

/** Something measured a round at a time (a runtime, bare batched). */
interface Part {
  readonly round: (measured: boolean) => unknown
}

const envelope = { tenant: defaultTenant, correlationId: "bench" }

/** One caller's step: park a car, then send it away by its ticket (two commands). */
const parkThenLeave = (parking: Context.Tag.Service<Parking>, lotId: LotId, registration: string) =>
  parking.park(envelope, lotId, { registration, color: "Grey" }).pipe(
    Effect.flatMap((ticket) => parking.leave(envelope, lotId, LeaveTarget.ByTicket({ ticketId: ticket.id })))
  )

/** A runtime over its own database file, with its lots made, measured a round at a time. */
interface OpenRuntime extends Part {
  /** One round of park+leave loops; a measured one is kept in `rounds`. */
  readonly round: (measured: boolean) => Promise<void>
  readonly rounds: ReadonlyArray<Measured>
  /** Runs something else against the runtime's `Parking`, in its first lot. */
  readonly run: <A>(f: (parking: Context.Tag.Service<Parking>, lotId: LotId) => Effect.Effect<A, unknown>) => Promise<A>
  readonly close: () => Promise<void>
}

/**
 * The full stack (`RuntimeLive` over `DatabaseLive`) on a fresh file in `dir`, with a given batch
 * cap, with group commits on the commit thread or on the event loop's thread.
 */
const openRuntime = async (
  dir: string,
  name: string,
  options: DurableBenchOptions,
  maxBatch: number,
  commitThread = true,
  synchronous: Synchronous = "normal"
): Promise<OpenRuntime> => {
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
  const runtime = ManagedRuntime.make(
    RuntimeLive.pipe(
      Layer.provide(DatabaseLive({ filename: join(dir, `${name}.db`), synchronous })),
      Layer.provide(Layer.setConfigProvider(config)),
      // The runtime's start-up lines would only get in the table's way.
      Layer.provide(Logger.minimumLogLevel(LogLevel.Warning))
    )
  )
  const setup = Effect.gen(function* () {
    const parking = yield* Parking
    const lots = yield* Effect.forEach(Array.from({ length: options.lots }, (_, i) => i), (i) =>
      parking.createLot(envelope, { name: `bench-${i}`, layout: [SlotGroup.make({ type: "standard", count: options.slotsPerLot })] })
    )
    return { parking, lots }
  })
  const { lots, parking } = await runtime.runPromise(setup.pipe(Effect.orDie))
  const callers = options.lots * options.callersPerLot
  const pairsPerCaller = Math.max(1, Math.floor(options.commands / 2 / callers))
  const rounds: Array<Measured> = []
  let round = 0
  const oneRound = (measured: boolean) =>
    Effect.gen(function* () {
      // A pause before each round, for the last round's background snapshot writes to finish. No
      // forced collection: one just before a round doubled the runtime's CPU per command in it
      // (55-58 -> 103-104 us, A/B twice; docs/performance.md).
      yield* Effect.sleep("100 millis")
      const r = round++
      const loopBefore = eventLoopThreadNanos()
      const started = performance.now()
      const cpu = process.cpuUsage()
      yield* Effect.forEach(
        Array.from({ length: callers }, (_, c) => c),
        (c) => {
          const lot = lots[c % lots.length]
          return Effect.forEach(Array.from({ length: pairsPerCaller }, (_, i) => i), (i) => parkThenLeave(parking, lot.id, `B${r}-${c}-${i}`), {
            discard: true
          })
        },
        { concurrency: "unbounded", discard: true }
      )
      const commands = callers * pairsPerCaller * 2
      const used = process.cpuUsage(cpu)
      const millis = performance.now() - started
      const loopAfter = eventLoopThreadNanos()
      const loopOnCpu = loopBefore === undefined || loopAfter === undefined ? undefined : (100 * (loopAfter - loopBefore)) / 1e6 / millis
      if (measured) rounds.push({ rate: commands / (millis / 1000), cpuMicros: (used.user + used.system) / commands, loopOnCpu })
    })
  return {
    round: (measured) => runtime.runPromise(oneRound(measured).pipe(Effect.orDie)),
    rounds,
    run: (f) => runtime.runPromise(f(parking, lots[0].id).pipe(Effect.orDie)),
    close: () => runtime.dispose()
  }
}

/** The measured rounds of each, in the order given, a round of each in turn: unmeasured ones first. */
const inTurn = async (options: DurableBenchOptions, parts: ReadonlyArray<Part>) => {
  for (let round = 0; round < options.warmupRounds + options.rounds; round++) {
    const measured = round >= options.warmupRounds
    // Each part in turn, the order turned round every other round, so none always follows another.
    const order = round % 2 === 0 ? parts : [...parts].reverse()
    for (const part of order) await part.round(measured)
  }
}

/** Bare better-sqlite3 writing the same rows (prepared INSERT, `batch` rows per transaction) into `dir`, a round at a time. */
const openBare = (dir: string, options: DurableBenchOptions, batch: number, synchronous: Synchronous = "normal") => {
  // WAL and `synchronous` as the runtime's own connections get them.
  const db = openConnection(join(dir, "bare.db"), { busyTimeoutMillis: 100, synchronous })
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
 * A closed ticket's lookup (decision 0022): a park, `between` events of other cars in its lot, its
 * leave; then the median of 21 lookups, in milliseconds. The walk from its park to its leave grows
 * with `between`; with none, it is the lookup's fixed cost.
 */
const closedTicketLookup = (runtime: OpenRuntime, between: number): Promise<number> =>
  runtime.run((parking, lotId) =>
    Effect.gen(function* () {
      const ticket = yield* parking.park(envelope, lotId, { registration: `LOOKUP-${between}`, color: "Red" })
      // Two events a pair, 50 cars at a time.
      yield* Effect.forEach(Array.from({ length: Math.ceil(between / 2) }, (_, i) => i), (i) => parkThenLeave(parking, lotId, `OTHER-${between}-${i}`), {
        concurrency: 50,
        discard: true
      })
      yield* parking.leave(envelope, lotId, LeaveTarget.ByTicket({ ticketId: ticket.id }))
      const millis: Array<number> = []
      for (let i = 0; i < 21; i++) {
        const started = performance.now()
        yield* parking.ticket(defaultTenant, ticket.id)
        millis.push(performance.now() - started)
      }
      return median(millis)
    })
  )

/** Closed-ticket lookups with no events and with `closedTicketEvents` while parked, in a lot of its own runtime. */
const closedTicketLookups = (options: DurableBenchOptions) =>
  withTempDir(async (dir) => {
    const runtime = await openRuntime(dir, "lookups", { ...options, lots: 1 }, 512)
    try {
      return { none: await closedTicketLookup(runtime, 0), many: await closedTicketLookup(runtime, options.closedTicketEvents) }
    } finally {
      await runtime.close()
    }
  })

/** The median of the rounds' own ratios of `a` to `b`: each pair of rounds met the machine in the same state. */
const ratioOfRounds = (a: ReadonlyArray<Measured>, b: ReadonlyArray<Measured>) => median(a.map((r, i) => r.rate / b[i].rate))

/**
 * Group commit and one transaction per command (the same stack with a batch cap of 1), with `others`
 * (bare batched), a round of each in turn, each runtime over its own file in one process (decision
 * 0023). Measured one after the other, as until session 13, the machine's speed moved in between:
 * the ratio of the two runtimes was 2.40-3.41 in three processes of the same code. Earlier, bare
 * measured apart moved its ratio from 0.30 to 0.57 between session 5's full runs.
 */
const runtimesInTurn = async (dir: string, options: DurableBenchOptions, others: ReadonlyArray<Part>, synchronous: Synchronous = "normal") => {
  const grouped = await openRuntime(dir, "grouped", options, 512, true, synchronous)
  const single = await openRuntime(dir, "single", options, 1, true, synchronous)
  try {
    await inTurn(options, [...others, grouped, single])
    return { grouped: medianOf(grouped.rounds), groupedRounds: grouped.rounds, single: medianOf(single.rounds), ratio: ratioOfRounds(grouped.rounds, single.rounds) }
  } finally {
    await grouped.close()
    await single.close()
  }
}

/** `runtimesInTurn` with bare batched, and group commit's ratio to it, all at one `synchronous`. */
const runtimesBesideBare = (options: DurableBenchOptions, synchronous: Synchronous = "normal") =>
  withTempDir(async (dir) => {
    const bare = openBare(dir, options, 100, synchronous)
    try {
      const runtimes = await runtimesInTurn(dir, options, [bare], synchronous)
      return { ...runtimes, bare: medianOf(bare.rounds), bareRatio: ratioOfRounds(runtimes.groupedRounds, bare.rounds) }
    } finally {
      bare.close()
    }
  })

/** Group commit on the event loop's thread, and bare batched, a round of each in turn. */
const onLoopBesideBare = (options: DurableBenchOptions) =>
  withTempDir(async (dir) => {
    const bare = openBare(dir, options, 100)
    const onLoop = await openRuntime(dir, "on-loop", options, 512, false)
    try {
      await inTurn(options, [bare, onLoop])
      return { runtime: medianOf(onLoop.rounds), ratio: ratioOfRounds(onLoop.rounds, bare.rounds) }
    } finally {
      await onLoop.close()
      bare.close()
    }
  })

/**
 * Durable park+leave throughput in-process over many lots: group commit against one transaction per
 * command and against bare better-sqlite3 writing the same rows in batches of 100, measured side by
 * side in one run; group commit once more on the event loop's thread (PARKPLANE_COMMIT_THREAD=false),
 * and the CPU each used per command or row (all of the process's threads: the commit thread's work
 * counts). With `shorterCommands`, group commit and one transaction per command are measured once
 * more with that many commands per round (decision 0021).
 */
export const runDurableBench = async (options: DurableBenchOptions = defaultDurableBenchOptions, shorterCommands?: number): Promise<ReadonlyArray<BenchRow>> => {
  const { bare, bareRatio, grouped, ratio, single } = await runtimesBesideBare(options)
  const { ratio: onLoopRatio, runtime: onLoop } = await onLoopBesideBare(options)
  const lookup = await closedTicketLookups(options)
  const full = await runtimesBesideBare(options, "full")
  const figure = (name: string, value: number, unit: string, target?: string, pass?: boolean): BenchRow => ({ name, figure: value, unit, target, pass })
  const lots = `${options.lots} lots`
  const rows: Array<BenchRow> = [
    figure(`durable park+leave, ${lots}, group commit`, grouped.rate, "ops/s"),
    figure(`durable park+leave, ${lots}, group commit on the event loop's thread`, onLoop.rate, "ops/s"),
    figure(`durable park+leave, ${lots}, one transaction per command`, single.rate, "ops/s"),
    figure("bare better-sqlite3, same rows, 100 per transaction", bare.rate, "rows/s"),
    figure("group commit / bare batched (median of the rounds' ratios)", bareRatio, "x", ">= 0.5", bareRatio >= 0.5),
    figure("group commit on the event loop's thread / bare batched (median of the rounds' ratios)", onLoopRatio, "x"),
    figure("group commit / one transaction per command (median of the rounds' ratios)", ratio, "x", ">= 3", ratio >= 3),
    figure("CPU per command, group commit (both threads)", grouped.cpuMicros, "us"),
    figure("CPU per command, group commit on the event loop's thread", onLoop.cpuMicros, "us"),
    figure("CPU per row, bare batched", bare.cpuMicros, "us"),
    ...(grouped.loopOnCpu === undefined || single.loopOnCpu === undefined
      ? []
      : [
          figure("event loop's thread on the CPU, group commit (share of a round)", grouped.loopOnCpu, "%"),
          figure("event loop's thread on the CPU, one transaction per command (share of a round)", single.loopOnCpu, "%")
        ]),
    // PARKPLANE_DB_SYNCHRONOUS=full (decision 0024): every commit also fsyncs the WAL, bare's too.
    figure(`durable park+leave, ${lots}, group commit, synchronous=FULL`, full.grouped.rate, "ops/s"),
    figure(`durable park+leave, ${lots}, one transaction per command, synchronous=FULL`, full.single.rate, "ops/s"),
    figure("bare better-sqlite3, same rows, 100 per transaction, synchronous=FULL", full.bare.rate, "rows/s"),
    figure("group commit / bare batched, synchronous=FULL (median of the rounds' ratios)", full.bareRatio, "x"),
    figure("group commit / one transaction per command, synchronous=FULL (median of the rounds' ratios)", full.ratio, "x"),
    figure("closed-ticket lookup, no events in its lot while parked (median of 21)", lookup.none, "ms"),
    figure(`closed-ticket lookup, ${options.closedTicketEvents.toLocaleString("en-US")} events in its lot while parked (median of 21)`, lookup.many, "ms")
  ]
  if (shorterCommands !== undefined) {
    // Short rounds, as the headline used to be: each starts from idle and ends in a drain, edges that
    // cost group commit 0.4-11% in four processes and not one transaction per command (decision 0021).
    const per = `${shorterCommands.toLocaleString("en-US")} per round`
    const short = await withTempDir((dir) => runtimesInTurn(dir, { ...options, commands: shorterCommands }, []))
    rows.push(
      figure(`durable park+leave, ${lots}, group commit, ${per}`, short.grouped.rate, "ops/s"),
      figure(`durable park+leave, ${lots}, one transaction per command, ${per}`, short.single.rate, "ops/s"),
      figure(`group commit / one transaction per command, ${per} (median of the rounds' ratios)`, short.ratio, "x")
    )
  }
  return rows
}
