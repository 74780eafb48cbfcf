import { afterEach, beforeEach, describe, expect, it, vi } from "@effect/vitest"
import { ConfigProvider, Effect, Layer, Logger, Redacted } from "effect"
import { LoggingLive, REDACTED, redact } from "../../src/telemetry/Logging.ts"
import { makeInMemoryTracing } from "../../src/telemetry/Tracing.ts"

// LoggingLive writes through Effect's Console service, whose default is the global console.
let lines: Array<string> = []
beforeEach(() => {
  lines = []
  vi.spyOn(globalThis.console, "log").mockImplementation((...args: Array<unknown>) => {
    lines.push(args.map(String).join(" "))
  })
})
afterEach(() => {
  vi.restoreAllMocks()
})

const logging = (env: Record<string, string>) =>
  LoggingLive.pipe(Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))))

const parsed = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>)

describe("JSON logging", () => {
  it.effect("prints one JSON object per line with level, message, annotations, log spans and the trace span", () => {
    const tracing = makeInMemoryTracing()
    return Effect.gen(function* () {
      yield* Effect.logInfo("parked").pipe(
        Effect.withLogSpan("handler"),
        Effect.withSpan("Parking.park"),
        Effect.annotateLogs({ correlationId: "req-1", tenant: "acme", lotId: "L1" })
      )
      yield* Effect.logWarning("second", { detail: 1 })
      expect(lines).toHaveLength(2)
      for (const line of lines) expect(line).not.toContain("\n")
      const [first, second] = parsed()
      expect(first).toMatchObject({
        level: "INFO",
        message: "parked",
        correlationId: "req-1",
        tenant: "acme",
        lotId: "L1",
        span: "Parking.park"
      })
      expect(typeof first.timestamp).toBe("string")
      expect(first.traceId).toMatch(/^[0-9a-f]{32}$/)
      expect(first.spans).toHaveProperty("handler")
      expect(second).toMatchObject({ level: "WARN", message: ["second", { detail: 1 }] })
      expect(second).not.toHaveProperty("correlationId")
    }).pipe(Effect.provide(Layer.merge(logging({}), tracing.layer)))
  })

  it.effect("never prints secrets: secret keys, Redacted values, bearer tokens, configured API keys", () =>
    Effect.gen(function* () {
      yield* Effect.logInfo("auth", {
        apiKey: "plain-key",
        headers: { Authorization: "Bearer abc.def", "x-api-key": "k" },
        nested: [{ password: "hunter2" }, Redacted.make("deep")],
        note: "client sent Bearer tok3n-value and key s3cr3t-tenant-key"
      }).pipe(Effect.annotateLogs({ token: "t0k", user: Redacted.make("who"), lotId: "L9" }))
      yield* Effect.logError("failed", new Error("with Bearer zzz inside"))
      const all = lines.join("\n")
      for (const secret of ["plain-key", "abc.def", "hunter2", "deep", "tok3n-value", "s3cr3t-tenant-key", "t0k", "who", "zzz"]) {
        expect(all).not.toContain(secret)
      }
      const [first, second] = parsed()
      expect(first).toMatchObject({ token: REDACTED, user: REDACTED, lotId: "L9" })
      expect(first.message).toEqual([
        "auth",
        {
          apiKey: REDACTED,
          headers: { Authorization: REDACTED, "x-api-key": REDACTED },
          nested: [{ password: REDACTED }, REDACTED],
          note: `client sent Bearer ${REDACTED} and key ${REDACTED}`
        }
      ])
      expect(second.message).toEqual(["failed", { name: "Error", message: `with Bearer ${REDACTED} inside` }])
    }).pipe(Effect.provide(logging({ PARKPLANE_API_KEYS: "acme:s3cr3t-tenant-key,beta:another-key" }))))

  it.effect("LOG_LEVEL sets the minimum level (default Info)", () =>
    Effect.gen(function* () {
      const all = Effect.all([Effect.logDebug("d"), Effect.logInfo("i"), Effect.logWarning("w"), Effect.logError("e")])
      yield* all.pipe(Effect.provide(logging({})))
      expect(parsed().map((l) => l.message)).toEqual(["i", "w", "e"])
      lines = []
      yield* all.pipe(Effect.provide(logging({ LOG_LEVEL: "Warning" })))
      expect(parsed().map((l) => l.message)).toEqual(["w", "e"])
      lines = []
      yield* all.pipe(Effect.provide(logging({ LOG_LEVEL: "warn" })))
      expect(parsed().map((l) => l.message)).toEqual(["w", "e"])
      lines = []
      yield* all.pipe(Effect.provide(logging({ LOG_LEVEL: "Debug" })))
      expect(parsed().map((l) => l.message)).toEqual(["d", "i", "w", "e"])
      const bad = yield* Effect.exit(all.pipe(Effect.provide(logging({ LOG_LEVEL: "loud" }))))
      expect(bad._tag).toBe("Failure")
    }))

  it.effect("replaces the pretty logger NodeRuntime.runMain installs, so each line prints once, as JSON", () =>
    Effect.gen(function* () {
      yield* Effect.logInfo("once").pipe(
        Effect.provide(logging({})),
        Effect.provide(Logger.replace(Logger.defaultLogger, Logger.prettyLoggerDefault))
      )
      expect(lines).toHaveLength(1)
      expect(parsed()[0]).toMatchObject({ level: "INFO", message: "once" })
    }))

  it("redact leaves ordinary values alone and survives cycles", () => {
    const cyclic: Record<string, unknown> = { a: 1, list: [true, null, "text"] }
    cyclic.self = cyclic
    expect(redact(cyclic)).toEqual({ a: 1, list: [true, null, "text"], self: "[Circular]" })
  })
})
