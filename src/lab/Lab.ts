import { Console, Duration, Effect, Schedule } from "effect"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { makeChecker, type Findings } from "./Checks.ts"
import { makeClient, type Client } from "./Client.ts"
import { Ledger } from "./Ledger.ts"
import { startLoad, type LabLot, type Load } from "./Load.ts"
import { mulberry32 } from "./Prng.ts"
import { Recorder, type Percentiles } from "./Recorder.ts"
import { labFiles, makeServerProcess, ServerFailed, type ServerProcess } from "./ServerProcess.ts"

/** How big and how long a lab run is. */
export interface LabOptions {
  readonly seed: number
  /** Seconds of steady load before and after each fault. */
  readonly phaseSeconds: number
  readonly lots: number
  readonly slotsPerLot: number
  /** Steady requests per second; the burst is ten times this. */
  readonly rate: number
  readonly burstSeconds: number
  readonly storageOutageSeconds: number
  /** Hold of the reservations that expire while the server is down. */
  readonly holdSeconds: number
  /** How long a scenario may take to recover before it is reported as not recovered. */
  readonly recoveryTimeoutSeconds: number
  readonly short: boolean
}

export const fullOptions = (seed: number, phaseSeconds = 8): LabOptions => ({
  seed,
  phaseSeconds,
  lots: 20,
  slotsPerLot: 40,
  rate: 100,
  burstSeconds: 3,
  storageOutageSeconds: 3,
  holdSeconds: 4,
  recoveryTimeoutSeconds: 90,
  short: false
})

/** The CI version: small, a few seconds per scenario, the same five faults and the same checks. */
export const shortOptions = (seed: number): LabOptions => ({
  seed,
  phaseSeconds: 1,
  lots: 10,
  slotsPerLot: 30,
  rate: 40,
  burstSeconds: 1,
  storageOutageSeconds: 1,
  holdSeconds: 2,
  recoveryTimeoutSeconds: 90,
  short: true
})

export interface ScenarioResult {
  readonly name: string
  readonly fault: string
  /** Ms from the fault's end (or its injection, for a defect or a kill) to the first acknowledged write sent after it. */
  readonly recoveryMs: number | undefined
  readonly before: Percentiles
  readonly during: Percentiles
  readonly after: Percentiles
  readonly responses: ReadonlyMap<string, number>
  readonly findings: Findings
  readonly notes: ReadonlyArray<string>
}

export interface LabResult {
  readonly options: LabOptions
  readonly scenarios: ReadonlyArray<ScenarioResult>
  readonly startupMs: ReadonlyArray<number>
  readonly requests: number
  readonly warmUpRequests: number
  readonly skipped: number
  readonly totalMs: number
  readonly startedAt: string
}

/** True when nothing was violated, lost or reused in any scenario. */
export const passed = (result: LabResult): boolean =>
  result.scenarios.every((s) => s.findings.violations.length === 0 && s.findings.lost.length === 0 && s.findings.reused.length === 0)

interface Injected {
  /** Lab-clock ms recovery is measured from. */
  readonly from: number
  /** Recovery means a write acknowledged on this lot, when the fault hit one lot. */
  readonly lotId?: string
  readonly notes: ReadonlyArray<string>
}

interface Scenario {
  readonly name: string
  readonly fault: string
  readonly inject: Effect.Effect<Injected, ServerFailed>
}

/** A start on a crowded machine can take minutes (module loading is CPU-bound). */
const readyTimeoutMs = 300_000

const seconds = (s: number) => Duration.millis(Math.round(s * 1000))

const createLots = (client: Client, options: LabOptions) =>
  Effect.forEach(
    Array.from({ length: options.lots }, (_, i) => i),
    (i) =>
      client.post("/v1/lots", { name: `lab-${options.seed}-${i + 1}`, slots: options.slotsPerLot }).pipe(
        Effect.flatMap((answer) => {
          const body = answer.body
          return answer.status === 201 && typeof body === "object" && body !== null && "id" in body && typeof body.id === "string"
            ? Effect.succeed<LabLot>({ id: body.id, capacity: options.slotsPerLot })
            : Effect.fail(new ServerFailed({ message: `creating lot ${i + 1} answered ${answer.status} ${answer.tag}` }))
        })
      ),
    { concurrency: 4 }
  )

const scenarios = (deps: {
  readonly options: LabOptions
  readonly server: ServerProcess
  readonly client: Client
  readonly load: Load
  readonly ledger: Ledger
  readonly recorder: Recorder
  readonly lots: ReadonlyArray<LabLot>
  readonly startups: Array<number>
}): ReadonlyArray<Scenario> => {
  const { options, server, client, load, ledger, recorder, lots, startups } = deps
  const restart = server.start.pipe(
    Effect.tap((ms) => startups.push(ms)),
    Effect.map((ms) => `restarted, ready ${(ms / 1000).toFixed(1)} s after the spawn`)
  )
  // A switch must be thrown even when the server is slow: retried while no answer arrives.
  const control = (path: string, body: unknown) =>
    client.post(path, body).pipe(
      Effect.flatMap((answer) => (answer.status === 0 ? Effect.fail(answer) : Effect.succeed(answer))),
      Effect.retry({ schedule: Schedule.spaced("100 millis"), times: 20 }),
      Effect.merge
    )
  const lotAt = (i: number): LabLot => lots[i % lots.length] ?? { id: "L1", capacity: options.slotsPerLot }
  return [
    {
      name: "1. worker defect",
      fault: "one lot's worker dies of a defect on its next command (test-only fault hook)",
      inject: Effect.gen(function* () {
        const lot = lotAt(3)
        const answer = yield* control(`/lab/faults/worker/${lot.id}`, {})
        if (answer.status !== 200) return yield* new ServerFailed({ message: `arming the worker fault answered ${answer.status} ${answer.tag}` })
        return { from: recorder.now(), lotId: lot.id, notes: [`armed lot ${lot.id}`] }
      })
    },
    {
      name: "2. storage outage",
      fault: `every commit fails for ${options.storageOutageSeconds} s`,
      inject: Effect.gen(function* () {
        const on = yield* control("/lab/faults/storage", { failing: true })
        if (on.status !== 200) return yield* new ServerFailed({ message: `failing storage answered ${on.status} ${on.tag}` })
        yield* Effect.sleep(seconds(options.storageOutageSeconds))
        const off = yield* control("/lab/faults/storage", { failing: false })
        if (off.status !== 200) return yield* new ServerFailed({ message: `restoring storage answered ${off.status} ${off.tag}` })
        return { from: recorder.now(), notes: [] }
      })
    },
    {
      name: "3. SIGKILL under load",
      fault: "SIGKILL of the server during the load, then a restart",
      inject: Effect.gen(function* () {
        yield* server.kill
        const from = recorder.now()
        return { from, notes: [yield* restart] }
      })
    },
    {
      name: "4. burst x10",
      fault: `${options.rate * 10} requests/s for ${options.burstSeconds} s (ten times the steady rate)`,
      inject: Effect.gen(function* () {
        yield* load.setRate(options.rate * 10)
        yield* Effect.sleep(seconds(options.burstSeconds))
        yield* load.setRate(options.rate)
        return { from: recorder.now(), notes: [] }
      })
    },
    {
      name: "5. expiry while down",
      fault: `reservations held ${options.holdSeconds} s whose expiry falls while the server is down`,
      inject: Effect.gen(function* () {
        const made = yield* Effect.forEach(
          lots,
          (lot, i) =>
            client.post(`/v1/lots/${lot.id}/reservations`, { registration: `X${i}`, holdSeconds: options.holdSeconds }).pipe(
              Effect.map((answer) => {
                const body = answer.body
                if (answer.status !== 201 || typeof body !== "object" || body === null) return undefined
                if (!("id" in body && "slot" in body && "expiresAt" in body)) return undefined
                const { id, slot, expiresAt } = body
                if (typeof id !== "string" || typeof slot !== "number" || typeof expiresAt !== "string") return undefined
                const reservation = { id, lotId: lot.id, slot, expiresAt: Date.parse(expiresAt) }
                ledger.reserved(reservation, Date.now())
                return reservation
              })
            ),
          { concurrency: "unbounded" }
        )
        yield* server.kill
        const from = recorder.now()
        const killedAt = Date.now()
        const down = made.filter((r): r is NonNullable<typeof r> => r !== undefined && r.expiresAt > killedAt)
        const lastExpiry = Math.max(killedAt, ...down.map((r) => r.expiresAt))
        yield* Effect.sleep(Duration.millis(lastExpiry - Date.now() + 500))
        const notes = [`${down.length} of ${lots.length} reservations acknowledged and still held at the kill`]
        notes.push(yield* restart)
        const stillHeld = Effect.forEach(
          down,
          (r) =>
            client.get(`/v1/lots/${r.lotId}/slots`).pipe(
              Effect.map((answer) =>
                Array.isArray(answer.body) &&
                answer.body.some((s: unknown) => typeof s === "object" && s !== null && "reservationId" in s && s.reservationId === r.id)
              )
            ),
          { concurrency: 4 }
        ).pipe(Effect.map((held) => held.filter(Boolean).length))
        const atStart = yield* stillHeld
        notes.push(`${down.length - atStart} of ${down.length} free at the first look after ready`)
        if (atStart > 0) {
          yield* Effect.sleep("2 seconds")
          const later = yield* stillHeld
          notes.push(`${later} still held 2 s later`)
        }
        return { from, notes }
      })
    }
  ]
}

/**
 * The fault lab: parkplane as a child process over a temporary database, a steady seeded load from
 * this process, five faults in turn, and after each one every acknowledged write, id and
 * invariant checked against the server's own API.
 */
export const runLab = (options: LabOptions): Effect.Effect<LabResult, ServerFailed> =>
  Effect.scoped(
    Effect.gen(function* () {
      const startedAt = new Date().toISOString()
      const dir = mkdtempSync(join(tmpdir(), "parkplane-lab-"))
      yield* Effect.addFinalizer(() => Effect.sync(() => rmSync(dir, { recursive: true, force: true })))
      const server = yield* makeServerProcess({ ...labFiles(dir), readyTimeoutMs: readyTimeoutMs })
      const recorder = new Recorder()
      const ledger = new Ledger()
      const prng = mulberry32(options.seed)
      const startups = [yield* server.start]
      const client = makeClient(server.baseUrl, 30_000)
      const lots = yield* createLots(client, options)
      const checker = makeChecker(client, ledger, lots.map((l) => l.id))
      const load = yield* startLoad({ client, ledger, recorder, prng, lots, rate: 0, maxInFlight: 2_000 })

      yield* Effect.addFinalizer(() => Effect.sync(() => client.close()))

      // Warm-up, not reported: a fresh process answers its first requests slowly (JIT, caches).
      yield* load.resume(options.rate)
      yield* Effect.sleep(seconds(options.phaseSeconds))
      yield* load.quiesce
      const warmUp = recorder.samples.length

      const results: Array<ScenarioResult> = []
      for (const scenario of scenarios({ options, server, client, load, ledger, recorder, lots, startups })) {
        yield* load.resume(options.rate)
        const start = recorder.now()
        yield* Effect.sleep(seconds(options.phaseSeconds))
        const injectedAt = recorder.now()
        const injected = yield* scenario.inject.pipe(
          Effect.mapError(
            (e) =>
              new ServerFailed({
                message: e.message.startsWith("server did not start")
                  ? `${scenario.name}: ${e.message}`
                  : `${scenario.name}: ${e.message}\nserver log:\n${server.logTail()}`
              })
          )
        )
        const recovered = yield* Effect.suspend(() => {
          const at = recorder.firstAcknowledgedWrite(injected.from, injected.lotId)
          return at === undefined ? Effect.fail("not yet") : Effect.succeed(at)
        }).pipe(
          Effect.retry(Schedule.spaced("50 millis")),
          Effect.orElseSucceed(() => undefined),
          Effect.timeoutTo({
            duration: seconds(options.recoveryTimeoutSeconds),
            onTimeout: () => undefined,
            onSuccess: (at) => at
          })
        )
        const duringEnd = recovered ?? recorder.now()
        yield* Effect.sleep(seconds(options.phaseSeconds))
        const end = recorder.now()
        yield* load.quiesce
        const findings = yield* checker.check
        yield* Console.error(
          `${scenario.name}: recovered ${recovered === undefined ? "never" : `${Math.round(recovered - injected.from)} ms`}, ` +
            `${findings.violations.length} violations, ${findings.lost.length} lost, ${findings.reused.length} reused ` +
            `(${(recorder.now() / 1000).toFixed(1)} s into the run)`
        )
        results.push({
          name: scenario.name,
          fault: scenario.fault,
          recoveryMs: recovered === undefined ? undefined : Math.max(0, recovered - injected.from),
          before: recorder.latencies(start, injectedAt),
          during: recorder.latencies(injectedAt, duringEnd),
          after: recorder.latencies(duringEnd, end),
          responses: recorder.responses(start, end),
          findings,
          notes: injected.notes
        })
      }
      return {
        options,
        scenarios: results,
        startupMs: startups,
        requests: recorder.samples.length - warmUp,
        warmUpRequests: warmUp,
        skipped: load.skipped(),
        totalMs: recorder.now(),
        startedAt
      }
    })
  )
