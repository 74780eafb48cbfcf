import { NodeRuntime } from "@effect/platform-node"
import { Cause, ConfigError, Console, Effect, Layer } from "effect"
import { Readiness } from "./http/Readiness.ts"
import { HttpServerLive, ReadyWhenRecovered } from "./http/server.ts"
import { ParkingLive } from "./runtime/ParkingLive.ts"
import { DatabaseFromConfig } from "./store/Database.ts"
import { LoggingLive } from "./telemetry/Logging.ts"
import { TracingLive } from "./telemetry/Tracing.ts"

/*
 * The server process: database, durable runtime, HTTP face. Layers are released in reverse on
 * SIGTERM/SIGINT: the server stops accepting and finishes in-flight requests, then the runtime
 * flushes its writer and snapshots, then the database closes.
 */

const RuntimeLayer = Layer.merge(ParkingLive.pipe(Layer.provide(DatabaseFromConfig)), Readiness.Default)

export const MainLive = Layer.mergeAll(HttpServerLive, ReadyWhenRecovered).pipe(
  Layer.provide(RuntimeLayer),
  Layer.provide(TracingLive),
  Layer.provide(LoggingLive)
)

const program = Layer.launch(MainLive).pipe(
  Effect.tapErrorCause((cause) => {
    const failure = Cause.failureOption(cause)
    if (failure._tag === "Some" && ConfigError.isConfigError(failure.value)) {
      return Console.error(`parkplane: invalid configuration: ${String(failure.value)}`)
    }
    return Effect.logError("parkplane stopped on a failure", cause)
  })
)

NodeRuntime.runMain(program, { disableErrorReporting: true })
