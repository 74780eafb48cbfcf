import { Data, Effect, Schedule, type Scope } from "effect"
import { spawn, type ChildProcess } from "node:child_process"
import { closeSync, openSync, readFileSync } from "node:fs"
import { createServer } from "node:net"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

export class ServerFailed extends Data.TaggedError("ServerFailed")<{ readonly message: string }> {}

const repoRoot = fileURLToPath(new URL("../../", import.meta.url))
const serverMain = fileURLToPath(new URL("../main.ts", import.meta.url))
const typescriptLoader = fileURLToPath(new URL("../bin/typescript.mjs", import.meta.url))

/** A free TCP port on 127.0.0.1, kept for every start so that clients need not learn a new one. */
export const freePort: Effect.Effect<number, ServerFailed> = Effect.async((resume) => {
  const probe = createServer()
  probe.once("error", (e) => resume(Effect.fail(new ServerFailed({ message: `no free port: ${e.message}` }))))
  probe.listen(0, "127.0.0.1", () => {
    const address = probe.address()
    const port = typeof address === "object" && address !== null ? address.port : 0
    probe.close(() => resume(Effect.succeed(port)))
  })
})

export interface ServerProcess {
  readonly baseUrl: string
  /** Starts the server and waits until GET /ready answers 200; succeeds with the ms it took. */
  readonly start: Effect.Effect<number, ServerFailed>
  /** SIGKILL: no shutdown of any kind; waits until the process is gone. */
  readonly kill: Effect.Effect<void>
  /** The server's own output, for a failure report. */
  readonly logTail: () => string
}

const exited = (child: ChildProcess): Effect.Effect<void> =>
  Effect.async<void>((resume) => {
    if (child.exitCode !== null || child.signalCode !== null) return resume(Effect.void)
    child.once("exit", () => resume(Effect.void))
  })

/**
 * parkplane's own entry point (`src/main.ts`) as a child process on 127.0.0.1 with the given
 * database file and the lab's fault routes on. The scope kills whatever is still running.
 */
export const makeServerProcess = (options: {
  readonly dbFile: string
  readonly logFile: string
  readonly readyTimeoutMs: number
}): Effect.Effect<ServerProcess, ServerFailed, Scope.Scope> =>
  Effect.gen(function* () {
    const port = yield* freePort
    const baseUrl = `http://127.0.0.1:${port}`
    let child: ChildProcess | undefined

    const kill = Effect.suspend(() => {
      const running = child
      child = undefined
      if (running === undefined) return Effect.void
      running.kill("SIGKILL")
      return exited(running)
    })
    yield* Effect.addFinalizer(() => kill)

    const ready = Effect.tryPromise({
      try: (signal) => fetch(`${baseUrl}/ready`, { signal: AbortSignal.any([signal, AbortSignal.timeout(2_000)]) }),
      catch: () => new ServerFailed({ message: "not listening yet" })
    }).pipe(
      Effect.flatMap((r) => (r.status === 200 ? Effect.void : Effect.fail(new ServerFailed({ message: `/ready answered ${r.status}` })))),
      Effect.zipLeft(
        Effect.suspend(() =>
          child === undefined || child.exitCode !== null || child.signalCode !== null
            ? Effect.fail(new ServerFailed({ message: "exited" }))
            : Effect.void
        )
      )
    )

    const logTail = () => {
      try {
        return readFileSync(options.logFile, "utf8").split("\n").slice(-20).join("\n")
      } catch {
        return ""
      }
    }

    const start = Effect.gen(function* () {
      yield* kill
      const started = performance.now()
      const log = openSync(options.logFile, "a")
      const spawned = spawn(process.execPath, ["--import", typescriptLoader, serverMain], {
        cwd: repoRoot,
        env: {
          ...process.env,
          HOST: "127.0.0.1",
          PORT: String(port),
          PARKPLANE_DB: options.dbFile,
          PARKPLANE_LAB_FAULTS: "1",
          LOG_LEVEL: "warn"
        },
        stdio: ["ignore", log, log]
      })
      closeSync(log)
      child = spawned
      yield* ready.pipe(
        Effect.retry({
          schedule: Schedule.spaced("100 millis"),
          while: () => spawned.exitCode === null && spawned.signalCode === null
        }),
        Effect.timeoutFail({
          duration: options.readyTimeoutMs,
          onTimeout: () => new ServerFailed({ message: `not ready after ${options.readyTimeoutMs} ms` })
        }),
        Effect.mapError((e) => new ServerFailed({ message: `server did not start (${e.message}):\n${logTail()}` }))
      )
      return performance.now() - started
    })

    return { baseUrl, start, kill, logTail }
  })

export const labFiles = (dir: string) => ({ dbFile: join(dir, "parkplane.db"), logFile: join(dir, "server.log") })
