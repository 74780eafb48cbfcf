import { Effect, Either } from "effect"
import os from "node:os"
import { LotCreated, SlotGroup } from "../domain/Events.ts"
import { LotId } from "../domain/Ids.ts"
import { LeaveTarget, Lot, LotCommand } from "../domain/Lot.ts"
import { Tariff } from "../domain/Tariff.ts"
import { NaiveLot } from "./NaiveLot.ts"
import { PlainLot } from "./PlainLot.ts"
import { median } from "./Median.ts"

/** One line of a benchmark's result: a figure, its unit and, when the issue sets one, its target. */
export interface BenchRow {
  readonly name: string
  readonly figure: number
  readonly unit: string
  readonly target: string | undefined
  readonly pass: boolean | undefined
}

export interface DomainBenchOptions {
  /** Lot sizes for the park+leave loop. */
  readonly sizes?: ReadonlyArray<number>
  /** Those of `sizes` at which the naive port runs the same loop alongside (it is O(n) per operation). */
  readonly naiveSizes?: ReadonlyArray<number>
  /** Those of `sizes` at which a plain JavaScript lot with Maps runs it alongside, to calibrate a noisy machine. */
  readonly plainSizes?: ReadonlyArray<number>
  /** Measured rounds per figure; the figure is their median. */
  readonly rounds?: number
  /** Length of one round. */
  readonly roundMillis?: number
  /** Occupied slots of the lot the queries run against. */
  readonly queryOccupied?: number
  /** Occupied slots of the lot whose memory is measured; 0 skips the measurement. */
  readonly memoryOccupied?: number
  readonly seed?: number
}

const defaults = {
  sizes: [1_000, 100_000, 1_000_000],
  naiveSizes: [1_000, 100_000],
  plainSizes: [1_000_000],
  rounds: 5,
  roundMillis: 400,
  queryOccupied: 100_000,
  memoryOccupied: 1_000_000,
  seed: 20261122
} satisfies Required<DomainBenchOptions>

/** The issue's targets. */
const targetOpsAtMillion = 500_000
const targetOverNaive = 100
const targetRssPerSlot = 300
/** PERFORMANCE.md's plain JavaScript lot at 1M slots on a quiet machine. */
const referencePlainOps = 870_000

// -----------------------------------------------------------------------------------------------
// the workload, the same for both lots

/** mulberry32: a small seeded generator, so both lots see the same sequence. */
const random = (seed: number) => {
  let a = seed >>> 0
  return (): number => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const commonColors = ["White", "Black", "Silver", "Grey", "Blue", "Red", "Green"]
/** One car in a hundred is teal: about 1,000 hits at 100,000 occupied. */
const rareColor = "Teal"
const colorOf = (n: number): string => (n % 100 === 0 ? rareColor : commonColors[n % commonColors.length])
const registrationOf = (n: number): string => `KA-${n}`

const opening = Date.UTC(2026, 10, 22, 8, 0, 0)
const tariff = Tariff.make({ currency: "EUR", freeMinutes: 15, perHour: 250, dailyCap: 2_000 })

/** What the timing loop drives: park one new car, or send away a random parked one. */
interface Workload {
  /** Parks cars until `cars` are in. */
  fill(cars: number): void
  park(): void
  leaveRandom(): void
  readonly occupied: number
}

/** The real lot through its public API: commands in, `decide`, then `evolve` of each event. */
class LotWorkload implements Workload {
  readonly lot: Lot
  readonly #slots: Array<number> = []
  readonly #random: () => number
  #cars = 0
  #now = opening

  constructor(size: number, seed: number) {
    this.lot = Lot.create(
      LotCreated.make({
        lotId: LotId.make("L1"),
        name: "bench",
        layout: [SlotGroup.make({ type: "standard", count: size })],
        tariff,
        at: opening
      })
    )
    this.#random = random(seed)
  }

  get occupied(): number {
    return this.#slots.length
  }

  fill(cars: number): void {
    while (this.#slots.length < cars) this.park()
  }

  park(): void {
    const n = this.#cars++
    this.#now += 1_000
    const decision = this.lot.decide(LotCommand.Park({ registration: registrationOf(n), color: colorOf(n) }), this.#now)
    if (Either.isLeft(decision)) throw new Error(`bench: park refused: ${decision.left.message}`)
    for (const event of decision.right) {
      this.lot.evolve(event)
      if (event._tag === "VehicleParked") this.#slots.push(event.slot)
    }
  }

  leaveRandom(): void {
    const slot = takeRandom(this.#slots, this.#random)
    this.#now += 1_000
    const decision = this.lot.decide(LotCommand.Leave({ target: LeaveTarget.BySlot({ slot }) }), this.#now)
    if (Either.isLeft(decision)) throw new Error(`bench: leave refused: ${decision.left.message}`)
    for (const event of decision.right) this.lot.evolve(event)
  }
}

class NaiveWorkload implements Workload {
  readonly lot: NaiveLot
  readonly #slots: Array<number> = []
  readonly #random: () => number
  #cars = 0

  constructor(size: number, seed: number) {
    this.lot = new NaiveLot(size)
    this.#random = random(seed)
  }

  get occupied(): number {
    return this.#slots.length
  }

  /** Setup, not measured: parking n cars one by one walks the parked list n times, O(n^2). */
  fill(cars: number): void {
    const first = this.#cars
    const slots = this.lot.load(Array.from({ length: cars - this.#slots.length }, (_, i) => ({ registration: registrationOf(first + i), color: colorOf(first + i) })))
    this.#cars += slots.length
    for (const slot of slots) this.#slots.push(slot)
  }

  park(): void {
    const n = this.#cars++
    const answer = this.lot.park(registrationOf(n), colorOf(n))
    if ("refused" in answer) throw new Error(`bench: naive park refused: ${answer.refused}`)
    this.#slots.push(answer.ok)
  }

  leaveRandom(): void {
    const answer = this.lot.leave(takeRandom(this.#slots, this.#random))
    if ("refused" in answer) throw new Error(`bench: naive leave refused: ${answer.refused}`)
  }
}

/** The calibration: a plain JavaScript lot with Maps on the same workload. */
class PlainWorkload implements Workload {
  readonly lot: PlainLot
  readonly #slots: Array<number> = []
  readonly #random: () => number
  #cars = 0
  #now = opening

  constructor(size: number, seed: number) {
    this.lot = new PlainLot(size)
    this.#random = random(seed)
  }

  get occupied(): number {
    return this.#slots.length
  }

  fill(cars: number): void {
    while (this.#slots.length < cars) this.park()
  }

  park(): void {
    const n = this.#cars++
    this.#now += 1_000
    const slot = this.lot.park(registrationOf(n), colorOf(n), this.#now)
    if (slot === 0) throw new Error("bench: plain park refused")
    this.#slots.push(slot)
  }

  leaveRandom(): void {
    if (this.lot.leave(takeRandom(this.#slots, this.#random)) === undefined) throw new Error("bench: plain leave refused")
  }
}

/** Removes and returns a random element in O(1) (the last one takes its place). */
const takeRandom = (slots: Array<number>, next: () => number): number => {
  const at = Math.floor(next() * slots.length)
  const slot = slots[at]
  slots[at] = slots[slots.length - 1]
  slots.pop()
  return slot
}

// -----------------------------------------------------------------------------------------------
// timing

/**
 * Runs `step` (which does `opsPerStep` operations) for about `millis`, checking the clock every few
 * steps so slow workloads still stop on time. Returns operations per second.
 */
interface Rate {
  /** Operations per second of wall-clock time. */
  readonly wall: number
  /** Operations per second of this process's CPU time: steadier when the machine is shared. */
  readonly cpu: number
}

const rate = (step: () => void, opsPerStep: number, millis: number): Rate => {
  let steps = 0
  let batch = 1
  const cpuStart = process.cpuUsage()
  const start = performance.now()
  let elapsed = 0
  while (elapsed < millis) {
    const batchStart = performance.now()
    for (let i = 0; i < batch; i++) step()
    steps += batch
    const now = performance.now()
    // Batches of about a millisecond keep the clock reads out of the figure.
    if (now - batchStart < 1 && batch < 65_536) batch *= 2
    elapsed = now - start
  }
  const cpu = process.cpuUsage(cpuStart)
  const ops = steps * opsPerStep
  return { wall: (ops * 1_000) / elapsed, cpu: (ops * 1e6) / Math.max(1, cpu.user + cpu.system) }
}

/** The median of `rounds` measured rounds after one warm-up round. */
const medianRate = (step: () => void, opsPerStep: number, rounds: number, millis: number): Rate => {
  rate(step, opsPerStep, millis / 2)
  const measured = Array.from({ length: rounds }, () => rate(step, opsPerStep, millis))
  return { wall: median(measured.map((r) => r.wall)), cpu: median(measured.map((r) => r.cpu)) }
}

/** Park+leave operations per second at ~50% occupancy: each step parks one car and sends one away. */
/**
 * Park+leave rates of several lots on the same workload, measured in alternating rounds (a round of
 * each, then again): on a shared machine the load moves from second to second, and alternating lets
 * every lot meet the same weather, so their ratio holds even when the absolute figures wander.
 */
const parkLeaveSideBySide = (workloads: ReadonlyArray<Workload>, size: number, rounds: number, millis: number): Array<Rate> => {
  const steps = workloads.map((workload) => {
    workload.fill(Math.floor(size / 2))
    return () => {
      workload.park()
      workload.leaveRandom()
    }
  })
  for (const step of steps) rate(step, 2, millis / 2)
  const measured = steps.map((): Array<Rate> => [])
  for (let round = 0; round < rounds; round++) steps.forEach((step, i) => measured[i].push(rate(step, 2, millis)))
  return measured.map((rs) => ({ wall: median(rs.map((r) => r.wall)), cpu: median(rs.map((r) => r.cpu)) }))
}

// -----------------------------------------------------------------------------------------------
// memory

const collect = (): void => {
  if (typeof globalThis.gc === "function") {
    globalThis.gc()
    globalThis.gc()
  }
}

/**
 * Bytes of heap and of RSS per occupied slot, for a lot of `occupied` slots filled completely: from
 * before the lot exists to after it is full (so its per-slot arrays count too), garbage collected at
 * both ends when `--expose-gc` allows. Run first, before other phases grow the heap.
 */
const memoryPerSlot = (occupied: number, seed: number): { heap: number; rss: number; exact: boolean } => {
  collect()
  const before = process.memoryUsage()
  const workload = new LotWorkload(occupied, seed)
  workload.fill(occupied)
  collect()
  const after = process.memoryUsage()
  if (workload.lot.occupiedCount !== occupied) throw new Error("bench: the memory lot is not full")
  return {
    heap: (after.heapUsed - before.heapUsed) / occupied,
    rss: (after.rss - before.rss) / occupied,
    exact: typeof globalThis.gc === "function"
  }
}

// -----------------------------------------------------------------------------------------------
// the rows

const row = (name: string, figure: number, unit: string, target?: string, pass?: boolean): BenchRow => ({
  name,
  figure,
  unit,
  target,
  pass
})

const sizeLabel = (n: number): string =>
  n >= 1_000_000 && n % 1_000_000 === 0 ? `${n / 1_000_000}M` : n >= 1_000 && n % 1_000 === 0 ? `${n / 1_000}k` : String(n)

/**
 * The domain benchmark: park+leave throughput of the lot through `decide`/`evolve` at several sizes,
 * the naive port of the seed design on the same workload side by side, queries at `queryOccupied`,
 * and memory per occupied slot. Synchronous loops inside `Effect.sync`: the figures are CPU-bound.
 */
export const runDomainBench = (options: DomainBenchOptions = {}): Effect.Effect<ReadonlyArray<BenchRow>> =>
  Effect.gen(function* () {
    const o = { ...defaults, ...options }
    const rows: Array<BenchRow> = [
      row(`machine: load average over 1 minute at start (${os.cpus().length} CPUs)`, os.loadavg()[0], "load")
    ]

    if (o.memoryOccupied > 0) {
      yield* Effect.log(`bench: memory at ${sizeLabel(o.memoryOccupied)} occupied`)
      const memory = yield* Effect.sync(() => memoryPerSlot(o.memoryOccupied, o.seed))
      const note = memory.exact ? "" : " (no --expose-gc: rough)"
      rows.push(row(`memory: heap per occupied slot, ${sizeLabel(o.memoryOccupied)} occupied${note}`, memory.heap, "bytes"))
      rows.push(
        row(
          `memory: RSS per occupied slot, ${sizeLabel(o.memoryOccupied)} occupied${note}`,
          memory.rss,
          "bytes",
          `<= ${targetRssPerSlot}`,
          memory.rss <= targetRssPerSlot
        )
      )
    }

    for (const size of o.sizes) {
      const withPlain = o.plainSizes.includes(size)
      const withNaive = o.naiveSizes.includes(size)
      const others = [withPlain ? "a plain JavaScript lot" : "", withNaive ? "the naive port" : ""].filter((x) => x !== "")
      yield* Effect.log(`bench: park+leave at ${sizeLabel(size)} slots: the lot${others.map((x) => `, ${x}`).join("")}`)
      const workloads: Array<Workload> = [new LotWorkload(size, o.seed)]
      if (withPlain) workloads.push(new PlainWorkload(size, o.seed))
      if (withNaive) workloads.push(new NaiveWorkload(size, o.seed))
      const [ours, ...rest] = yield* Effect.sync(() => parkLeaveSideBySide(workloads, size, o.rounds, o.roundMillis))
      const plain = withPlain ? rest.shift() : undefined
      const naive = withNaive ? rest.shift() : undefined
      const label = `${sizeLabel(size)} slots`

      const gated = size === 1_000_000
      const target = gated ? `>= ${targetOpsAtMillion.toLocaleString("en-US")}` : undefined
      rows.push(row(`park+leave, lot, ${label}`, ours.wall, "ops/s", target, gated ? ours.wall >= targetOpsAtMillion : undefined))
      rows.push(row(`park+leave, lot, ${label}, per CPU-second`, ours.cpu, "ops/s", target, gated ? ours.cpu >= targetOpsAtMillion : undefined))
      if (plain !== undefined) {
        rows.push(row(`park+leave, plain JS lot with Maps, ${label}`, plain.wall, "ops/s"))
        rows.push(row(`park+leave, plain JS lot with Maps, ${label}, per CPU-second`, plain.cpu, "ops/s"))
        // The issue's target (500k) against its plain lot (870k) on a quiet machine, as a ratio that a
        // busy machine moves less than the absolute figures.
        const wanted = targetOpsAtMillion / referencePlainOps
        const ratio = ours.wall / plain.wall
        rows.push(row(`park+leave, lot / plain JS lot, ${label}`, ratio, "x", `>= ${wanted.toFixed(2)} (500k / 870k)`, ratio >= wanted))
      }
      if (naive !== undefined) {
        rows.push(row(`park+leave, naive port, ${label}`, naive.wall, "ops/s"))
        const naiveGated = size === 100_000
        const ratio = ours.wall / naive.wall
        rows.push(
          row(
            `park+leave, lot / naive, ${label}`,
            ratio,
            "x",
            naiveGated ? `>= ${targetOverNaive}` : undefined,
            naiveGated ? ratio >= targetOverNaive : undefined
          )
        )
      }
    }

    if (o.queryOccupied > 0) {
      yield* Effect.log(`bench: queries at ${sizeLabel(o.queryOccupied)} occupied`)
      rows.push(...(yield* Effect.sync(() => queryRows(o.queryOccupied, o.seed, o.rounds, o.roundMillis))))
    }
    return rows
  })

/** Queries by registration and by the rare colour on full lots of `occupied` slots, lot and naive. */
const queryRows = (occupied: number, seed: number, rounds: number, millis: number): Array<BenchRow> => {
  const label = `${sizeLabel(occupied)} occupied`
  const lot = new LotWorkload(occupied, seed)
  lot.fill(occupied)
  const naive = new NaiveWorkload(occupied, seed)
  naive.fill(occupied)
  const pick = random(seed + 1)
  const someRegistration = () => registrationOf(Math.floor(pick() * occupied))
  const expectedHits = lot.lot.vehicles(rareColor).length
  if (naive.lot.vehicles(rareColor).length !== expectedHits) throw new Error("bench: the lots disagree on the colour query")

  const lotByRegistration = medianRate(
    () => {
      if (Either.isLeft(lot.lot.locate(someRegistration()))) throw new Error("bench: a parked car was not found")
    },
    1,
    rounds,
    millis
  )
  const naiveByRegistration = medianRate(
    () => {
      if ("refused" in naive.lot.locate(someRegistration())) throw new Error("bench: a parked car was not found")
    },
    1,
    rounds,
    millis
  )
  const lotByColor = medianRate(() => void lot.lot.vehicles(rareColor), 1, rounds, millis)
  const naiveByColor = medianRate(() => void naive.lot.vehicles(rareColor), 1, rounds, millis)
  const hits = `${expectedHits.toLocaleString("en-US")} hits`
  return [
    row(`query by registration, lot, ${label}`, lotByRegistration.wall, "queries/s"),
    row(`query by registration, naive port, ${label}`, naiveByRegistration.wall, "queries/s"),
    row(`query by registration, lot / naive, ${label}`, lotByRegistration.wall / naiveByRegistration.wall, "x"),
    row(`query by colour (${hits}), lot, ${label}`, lotByColor.wall, "queries/s"),
    row(`query by colour (${hits}), naive port, ${label}`, naiveByColor.wall, "queries/s"),
    row(`query by colour, lot / naive, ${label}`, lotByColor.wall / naiveByColor.wall, "x")
  ]
}
