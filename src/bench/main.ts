/*
 * `npm run bench`: every benchmark in one run, side by side, one table with the targets,
 * a "why" line under it for each missed target, and the rows as JSON (BENCH_JSON, default
 * docs/bench/latest.json). `--quick` runs each part briefly (smaller sizes, ~3 s HTTP loops).
 * Run with `--expose-gc` so memory is measured after full collections. Servers, the load generator
 * and cold starts run in child processes; see HttpBench.ts and RecoveryBench.ts.
 */
import { FileSystem, Path } from "@effect/platform"
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Config, Console, Effect } from "effect"
import os from "node:os"
import { runClassicBench } from "../cli/classic/ClassicBench.ts"
import { type BenchRow, type DomainBenchOptions, runDomainBench } from "./DomainBench.ts"
import { type DurableBenchOptions, defaultDurableBenchOptions } from "./DurableBench.ts"
import type { DurableProcessInput } from "./durableProcess.ts"
import { defaultHttpBenchOptions, describeProfile, type HttpBenchResult, quickHttpBenchOptions, runHttpBench } from "./HttpBench.ts"
import { defaultRecoveryBenchOptions, quickRecoveryBenchOptions, type RecoveryBenchResult, runRecoveryBench } from "./RecoveryBench.ts"
import { runTsForJson, sourcePath } from "./Processes.ts"
import { formatTable } from "./Table.ts"

const quick = process.argv.includes("--quick")

const quickDomain: DomainBenchOptions = {
  sizes: [1_000, 100_000],
  naiveSizes: [1_000],
  plainSizes: [100_000],
  rounds: 3,
  roundMillis: 200,
  queryOccupied: 20_000,
  memoryOccupied: 100_000
}
const quickDurable: DurableBenchOptions = { lots: 10, slotsPerLot: 1000, callersPerLot: 2, commands: 2000, rounds: 1, warmupRounds: 1, closedTicketEvents: 1000 }
// 40,000 commands per round (~0.4 s of group commit): with 10,000, as until session 11, the rounds'
// edges (a start from idle, a drain) cost group commit 0.4-11% in four processes of four and not
// one transaction per command (decision 0021). 10,000 once more for group commit and
// one transaction per command, to compare with earlier sessions' figures.
const fullDurable: DurableBenchOptions = { ...defaultDurableBenchOptions, commands: 40_000, rounds: 5 }

/** One part of the run, timed and logged so a long run shows where it is. */
const part = <A>(name: string, run: Effect.Effect<A>) =>
  Effect.gen(function* () {
    yield* Console.error(`bench: ${name}...`)
    const started = performance.now()
    const result = yield* run
    yield* Console.error(`bench: ${name} done in ${((performance.now() - started) / 1000).toFixed(1)} s`)
    return result
  })

const failed = (rows: ReadonlyArray<BenchRow>, prefix: string) => rows.filter((r) => r.pass === false && r.name.startsWith(prefix))

/** A line or two under the table for each missed target, from what the run itself saw. */
const whyLines = (rows: ReadonlyArray<BenchRow>, http: HttpBenchResult, recovery: RecoveryBenchResult): ReadonlyArray<string> => {
  const lines: Array<string> = []
  const find = (prefix: string) => rows.find((r) => r.name.startsWith(prefix))
  if (failed(rows, "HTTP").length > 0) {
    // Per failing connection count: the two servers' CPU per request at that count.
    for (const miss of failed(rows, "HTTP")) {
      const label = miss.name.slice(0, miss.name.indexOf(":"))
      const ours = find(`${label}: parkplane server CPU per request`)
      const theirs = find(`${label}: bare server CPU per request`)
      lines.push(
        `why (${label}): parkplane served ${miss.figure.toFixed(2)} of the requests per second of bare node:http + better-sqlite3 doing the same durable write` +
          (ours === undefined || theirs === undefined
            ? "."
            : `; its server process spent ${Math.round(ours.figure).toLocaleString("en-US")} us of CPU per request against ${Math.round(theirs.figure).toLocaleString("en-US")} us (${(ours.figure / theirs.figure).toFixed(1)}x).`) +
          " With few connections each commit holds a few writes and runs inline on the event loop (waking the commit" +
          " thread cost more: decision 0015); in session 8's profiles the loop spent 25-40% of its samples in SQLite's" +
          " BEGIN, inserts and COMMIT and 23-33% in writev (bare's writev: 28%, session 7), the rest spread thinly" +
          " (docs/performance.md, session 8); the lane's Schema decoding, ~6 us a request, went in session 11 (decision 0018)."
      )
    }
    if (http.profile !== undefined) lines.push("  parkplane under load, CPU profile (idle excluded):", ...describeProfile(http.profile))
  }
  if (failed(rows, "recovery").length > 0) {
    lines.push(
      `why (recovery): decoding every lot's snapshot and replaying its tail, then starting its worker, is CPU-bound in one thread (database built in ${(recovery.buildMillis / 1000).toFixed(1)} s).`
    )
    if (recovery.profile !== undefined) lines.push("  cold start, CPU profile:", ...describeProfile(recovery.profile))
  }
  for (const row of failed(rows, "memory")) {
    const heap = find(row.name.replace("RSS", "heap"))
    lines.push(
      `why (memory): ${row.name} is ${Math.round(row.figure)} bytes` +
        (heap === undefined ? "" : `, of which the JavaScript heap is ${Math.round(heap.figure)}`) +
        "; the rest is heap the collector keeps reserved and the SQLite page cache."
    )
  }
  const plain = rows.find((r) => r.name.startsWith("park+leave, plain JS lot with Maps, 1M slots") && !r.name.endsWith("CPU-second"))
  if (failed(rows, "park+leave, lot, 1M").length > 0 && plain !== undefined) {
    lines.push(
      `why (domain): a plain JavaScript lot with Maps did ${Math.round(plain.figure).toLocaleString("en-US")} ops/s in the same run (870,000 on a quiet machine),` +
        " so the machine, not the lot, is short of the absolute target; the lot / plain ratio row is the fair comparison."
    )
  }
  if (failed(rows, "group commit").length + failed(rows, "classic").length > 0) {
    const fullRatio = find("group commit / one transaction per command, synchronous=FULL")
    lines.push(
      "why (durable): group commit and one transaction per command are the same stack (a batch cap of 512 against 1," +
        " committing inline, decision 0015), measured a round of each in turn (decision 0023). With synchronous=NORMAL in" +
        " WAL mode a commit does no fsync, and a batch of 100 rows over 50 lots still rewrites the newest leaf of each lot's" +
        " key (decision 0016). The rows \"event loop's thread on the CPU\" show group commit's loop waiting part of each" +
        " round where one transaction per command's does not (session 15: 78.7-81.4% against 94.0-95.6%). Session 15's traces:" +
        " the loop idles in few stretches of 0.7-2.9 ms with both batches on the commit thread, behind its WAL catch-ups" +
        " (1.5-4.8 ms, then about one a 100 ms checkpoint tick; ~3.5x rarer under steady writes since decision 0025) and its waits for a CPU" +
        " (0.5-2.2 ms). Session 19's six full runs, on an AMD machine, gave 3.56-4.41 and once 2.54 (its event loop on the CPU 45% of" +
        " a round); session 17's, on an Intel one, 2.67 before" +
        " decision 0025 and 3.06 and 2.93 after; session 15's three" +
        " 2.59-2.66, session 14's five 2.6-2.9, session 13's five 2.75-3.66 (docs/performance.md)." +
        (fullRatio === undefined
          ? ""
          : ` With every commit fsynced (PARKPLANE_DB_SYNCHRONOUS=full, decision 0024) the same ratio was ${fullRatio.figure.toFixed(1)}x in this run.`)
    )
  }
  for (const row of failed(rows, "durable").concat(failed(rows, "queries"))) {
    lines.push(`why: "${row.name}" missed ${row.target ?? ""} on a machine at load average ${os.loadavg()[0].toFixed(1)} over ${os.cpus().length} CPUs.`)
  }
  return lines
}

const program = Effect.gen(function* () {
  const fs = yield* FileSystem.FileSystem
  const path = yield* Path.Path
  const started = new Date()
  const loadAtStart = os.loadavg()
  const durableInput: DurableProcessInput = quick ? { options: quickDurable } : { options: fullDurable, shorterCommands: 10_000 }
  const durable = yield* part(
    "durable",
    Effect.promise(() => runTsForJson<ReadonlyArray<BenchRow>>(sourcePath("bench/durableProcess.ts"), { args: [JSON.stringify(durableInput)] }))
  )
  const http = yield* part("HTTP", Effect.promise(() => runHttpBench(quick ? quickHttpBenchOptions : defaultHttpBenchOptions)))
  const classic = yield* part("classic", runClassicBench(quick ? { commands: 20_000, slots: 5_000 } : {}))
  const recovery = yield* part("recovery and memory", Effect.promise(() => runRecoveryBench(quick ? quickRecoveryBenchOptions : defaultRecoveryBenchOptions)))
  // Last: its 1M-slot lots leave this process's heap to be swept and shrunk by the collector's
  // threads, which took CPU from the parts measured in child processes after it (group commit:
  // 49,121 ops/s at 33.7 us a command run after it, 96,835 at 17.3 alone; session 7).
  const domain = yield* part("domain", runDomainBench(quick ? quickDomain : {}))
  const loadAtEnd = os.loadavg()
  const rows: ReadonlyArray<BenchRow> = [
    ...domain,
    ...durable,
    ...http.rows,
    classic,
    ...recovery.rows,
    { name: "machine: load average over 1 minute at end", figure: loadAtEnd[0], unit: "load", target: undefined, pass: undefined }
  ]
  const why = whyLines(rows, http, recovery)
  yield* Console.log(formatTable(rows))
  if (why.length > 0) yield* Console.log(["", ...why].join("\n"))
  const jsonPath = yield* Config.string("BENCH_JSON").pipe(Config.withDefault("docs/bench/latest.json"))
  const report = {
    at: started.toISOString(),
    mode: quick ? "quick" : "full",
    node: process.version,
    cpus: os.cpus().length,
    loadAverage: { atStart: loadAtStart, atEnd: loadAtEnd },
    exposeGc: typeof globalThis.gc === "function",
    rows,
    why,
    httpProfile: http.profile,
    recoveryProfile: recovery.profile
  }
  yield* fs.makeDirectory(path.dirname(path.resolve(jsonPath)), { recursive: true })
  yield* fs.writeFileString(jsonPath, `${JSON.stringify(report, null, 2)}\n`)
  yield* Console.log(`\nwrote ${jsonPath}`)
})

NodeRuntime.runMain(program.pipe(Effect.orDie, Effect.provide(NodeContext.layer)))
