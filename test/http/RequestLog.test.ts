import { HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Logger, LogLevel } from "effect"
import { logRequests } from "../../src/http/RequestLog.ts"

const served = logRequests(Effect.succeed(HttpServerResponse.text("ok", { status: 200 })))

/** The messages logged while serving one GET /health with the given minimum level. */
const linesAt = (minimum: LogLevel.LogLevel) =>
  Effect.gen(function* () {
    const lines: Array<unknown> = []
    const recorder = Logger.make(({ message }) => {
      lines.push(message)
    })
    yield* served.pipe(
      Effect.provideService(HttpServerRequest.HttpServerRequest, HttpServerRequest.fromWeb(new Request("http://localhost/health"))),
      Effect.provide(Logger.replace(Logger.defaultLogger, recorder)),
      Logger.withMinimumLogLevel(minimum)
    )
    return lines
  })

describe("logRequests", () => {
  it.effect("logs one line per response when its level is printed", () =>
    Effect.gen(function* () {
      expect(yield* linesAt(LogLevel.Info)).toEqual([["Sent HTTP response"]])
      expect(yield* linesAt(LogLevel.Debug)).toEqual([["Sent HTTP response"]])
    }))

  it.effect("logs nothing when the minimum level drops the line", () =>
    Effect.gen(function* () {
      expect(yield* linesAt(LogLevel.Warning)).toEqual([])
      expect(yield* linesAt(LogLevel.None)).toEqual([])
    }))
})
