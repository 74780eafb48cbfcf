import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { BenchRow } from "./DomainBench.ts"
import type { LoadgenOptions, LoadgenResult } from "./loadgen.ts"
import { type Child, freePort, runTsForJson, sourcePath, startTs, stopChild, waitUntilReady } from "./Processes.ts"
import { formatShares, type ProfileSummary, summariseProfileDir } from "./Profile.ts"
import { median } from "./Median.ts"

/*
 * HTTP park-then-leave loops over keep-alive connections, parkplane (the real server, `src/main.ts`)
 * against a bare node:http + better-sqlite3 server doing the same durable work per request. Each
 * server and the load generator run in their own processes; the two servers take turns, so they
 * never compete for the CPU with each other, only with the load generator. On a shared machine one
 * 10-second stretch each gave ratios from 0.56 to 0.89 at 10 connections over session 5's runs, so
 * each connection count is measured in several short pairs, the order alternating (ours first, then
 * bare first), and the figures are medians: the ratio is the median of the pairs' own ratios.
 */

export interface HttpBenchOptions {
  readonly connections: ReadonlyArray<number>
  /** Measured seconds per server per pair. */
  readonly seconds: number
  /** Pairs (one stretch of each server, back to back) per connection count. */
  readonly pairs: number
  /** Unmeasured seconds per server before the first measurement, for the JIT. */
  readonly warmupSeconds: number
  readonly lots: number
  readonly slotsPerLot: number
  /** Seconds of a separate parkplane run under `--cpu-prof` at the highest connection count; 0 skips it. */
  readonly profileSeconds: number
  /**
   * Stretches of parkplane alone at the first connection count with an `Idempotency-Key` on every
   * request (bare has no idempotency to compare with); 0 skips them.
   */
  readonly keyedStretches: number
}

export const defaultHttpBenchOptions: HttpBenchOptions = {
  connections: [10, 50],
  seconds: 5,
  pairs: 3,
  warmupSeconds: 3,
  lots: 10,
  slotsPerLot: 1000,
  profileSeconds: 8,
  keyedStretches: 3
}

export const quickHttpBenchOptions: HttpBenchOptions = {
  ...defaultHttpBenchOptions,
  seconds: 3,
  pairs: 1,
  warmupSeconds: 1,
  profileSeconds: 0,
  keyedStretches: 1
}

interface Server {
  readonly child: Child
  readonly url: string
  readonly lots: ReadonlyArray<string>
}

export interface HttpBenchResult {
  readonly rows: ReadonlyArray<BenchRow>
  /** Where parkplane's CPU goes under load, when a profile was taken. */
  readonly profile: ProfileSummary | undefined
}

const startServer = async (kind: "parkplane" | "bare", dir: string, options: HttpBenchOptions, nodeArgs: ReadonlyArray<string> = []): Promise<Server> => {
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const child =
    kind === "parkplane"
      ? startTs(sourcePath("main.ts"), {
          nodeArgs,
          env: {
            PORT: String(port),
            HOST: "127.0.0.1",
            PARKPLANE_DB: join(dir, `parkplane-${port}.db`),
            LOG_LEVEL: "Warning",
            PARKPLANE_MAX_SLOTS: String(Math.max(options.slotsPerLot, 1000))
          }
        })
      : startTs(sourcePath("bench/BareServer.ts"), {
          env: { PORT: String(port), HOST: "127.0.0.1", BARE_DB: join(dir, `bare-${port}.db`) }
        })
  try {
    await waitUntilReady(`${url}/ready`, child)
    const lots: Array<string> = []
    for (let i = 0; i < options.lots; i++) {
      const response = await fetch(`${url}/v1/lots`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name: `bench-${i}`, slots: options.slotsPerLot })
      })
      const body: unknown = await response.json()
      const id = typeof body === "object" && body !== null && "id" in body ? body.id : undefined
      if (response.status !== 201 || typeof id !== "string") throw new Error(`${kind}: creating a lot answered ${response.status}`)
      lots.push(id)
    }
    return { child, url, lots }
  } catch (e) {
    await stopChild(child)
    throw e
  }
}

/** User plus system CPU milliseconds a process has used so far, from /proc (Linux); undefined elsewhere. */
const cpuMillisOf = (pid: number | undefined): number | undefined => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
    // utime and stime are fields 14 and 15 of stat, in clock ticks (100 per second on Linux).
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100
  } catch {
    return undefined
  }
}

interface Measured extends LoadgenResult {
  /** The server's CPU time per answered request, in microseconds, when it could be read. */
  readonly cpuMicrosPerRequest: number | undefined
}

let runs = 0
const load = async (server: Server, connections: number, seconds: number, keyed = false): Promise<Measured> => {
  const options: LoadgenOptions = { url: server.url, lots: server.lots, connections, seconds, prefix: `R${runs++}`, keyed }
  const cpuBefore = cpuMillisOf(server.child.process.pid)
  const result = await runTsForJson<LoadgenResult>(sourcePath("bench/loadgen.ts"), { args: [JSON.stringify(options)] })
  const cpuAfter = cpuMillisOf(server.child.process.pid)
  const cpuMicrosPerRequest =
    cpuBefore === undefined || cpuAfter === undefined || result.total === 0 ? undefined : ((cpuAfter - cpuBefore) * 1000) / result.total
  return { ...result, cpuMicrosPerRequest }
}

/** Each figure's median over the stretches; errors are summed, so none goes unreported. */
const medianOf = (runs: ReadonlyArray<Measured>): Measured => {
  const cpu = runs.flatMap((r) => (r.cpuMicrosPerRequest === undefined ? [] : [r.cpuMicrosPerRequest]))
  return {
    requestsPerSecond: median(runs.map((r) => r.requestsPerSecond)),
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    total: runs.reduce((n, r) => n + r.total, 0),
    non2xx: runs.reduce((n, r) => n + r.non2xx, 0),
    errors: runs.reduce((n, r) => n + r.errors, 0),
    cpuMicrosPerRequest: cpu.length === runs.length ? median(cpu) : undefined
  }
}

const row = (name: string, figure: number, unit: string, target?: string, pass?: boolean): BenchRow => ({ name, figure, unit, target, pass })

const errorsNote = (r: LoadgenResult) => (r.non2xx + r.errors > 0 ? ` (${r.non2xx} non-2xx, ${r.errors} errors)` : "")

/** The side-by-side HTTP figures, and a CPU profile of parkplane under load when asked for. */
export const runHttpBench = async (options: HttpBenchOptions = defaultHttpBenchOptions): Promise<HttpBenchResult> => {
  const dir = mkdtempSync(join(tmpdir(), "parkplane-http-bench-"))
  const rows: Array<BenchRow> = []
  let profile: ProfileSummary | undefined
  try {
    const parkplane = await startServer("parkplane", dir, options)
    try {
      const bare = await startServer("bare", dir, options)
      try {
        if (options.warmupSeconds > 0) {
          await load(parkplane, options.connections[0], options.warmupSeconds)
          await load(bare, options.connections[0], options.warmupSeconds)
        }
        for (const connections of options.connections) {
          const pairs: Array<{ readonly ours: Measured; readonly theirs: Measured }> = []
          for (let pair = 0; pair < options.pairs; pair++) {
            if (pair % 2 === 0) {
              const ours = await load(parkplane, connections, options.seconds)
              pairs.push({ ours, theirs: await load(bare, connections, options.seconds) })
            } else {
              const theirs = await load(bare, connections, options.seconds)
              pairs.push({ ours: await load(parkplane, connections, options.seconds), theirs })
            }
          }
          const ours = medianOf(pairs.map((p) => p.ours))
          const theirs = medianOf(pairs.map((p) => p.theirs))
          const ratio = median(pairs.map((p) => p.ours.requestsPerSecond / p.theirs.requestsPerSecond))
          const label = `HTTP park/leave, ${connections} connections`
          rows.push(
            row(`${label}: parkplane${errorsNote(ours)}`, ours.requestsPerSecond, "req/s"),
            row(`${label}: bare node:http + better-sqlite3${errorsNote(theirs)}`, theirs.requestsPerSecond, "req/s"),
            row(`${label}: parkplane / bare (median of ${options.pairs} pairs)`, ratio, "x", ">= 1", ratio >= 1),
            row(`${label}: parkplane p50 latency`, ours.p50, "ms"),
            row(`${label}: parkplane p99 latency`, ours.p99, "ms"),
            row(`${label}: bare p50 latency`, theirs.p50, "ms"),
            row(`${label}: bare p99 latency`, theirs.p99, "ms")
          )
          if (ours.cpuMicrosPerRequest !== undefined && theirs.cpuMicrosPerRequest !== undefined) {
            rows.push(
              row(`${label}: parkplane server CPU per request`, ours.cpuMicrosPerRequest, "us"),
              row(`${label}: bare server CPU per request`, theirs.cpuMicrosPerRequest, "us")
            )
          }
        }
      } finally {
        await stopChild(bare.child)
      }
      if (options.keyedStretches > 0) {
        const connections = options.connections[0]
        const stretches: Array<Measured> = []
        for (let i = 0; i < options.keyedStretches; i++) stretches.push(await load(parkplane, connections, options.seconds, true))
        const keyed = medianOf(stretches)
        const label = `HTTP park/leave with an Idempotency-Key on each request, ${connections} connections`
        rows.push(
          row(`${label}: parkplane${errorsNote(keyed)}`, keyed.requestsPerSecond, "req/s"),
          row(`${label}: parkplane p99 latency`, keyed.p99, "ms")
        )
        if (keyed.cpuMicrosPerRequest !== undefined) rows.push(row(`${label}: parkplane server CPU per request`, keyed.cpuMicrosPerRequest, "us"))
      }
    } finally {
      await stopChild(parkplane.child)
    }
    if (options.profileSeconds > 0) {
      const profileDir = join(dir, "profile")
      const profiled = await startServer("parkplane", dir, options, ["--cpu-prof", `--cpu-prof-dir=${profileDir}`])
      try {
        await load(profiled, options.connections.at(-1) ?? 50, options.profileSeconds)
      } finally {
        await stopChild(profiled.child)
      }
      // Only the load's stretch: start-up (module loading, recovery) would otherwise dominate a short run.
      profile = summariseProfileDir(profileDir, 8, options.profileSeconds * 1_000_000)
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  return { rows, profile }
}

export const describeProfile = (summary: ProfileSummary): ReadonlyArray<string> => [
  `  busy (not idle) in ${summary.busyPercent.toFixed(0)}% of the profiled stretch`,
  `  self time by package: ${formatShares(summary.packages)}`,
  `  top self-time frames: ${formatShares(summary.frames.slice(0, 6))}`
]
