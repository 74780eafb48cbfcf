import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Layer, Option } from "effect"
import { createServer, type IncomingMessage } from "node:http"
import type { AddressInfo } from "node:net"
import { LotFull } from "../../src/domain/Errors.ts"
import { instrumentCommand, withCommitSpan } from "../../src/telemetry/Instrument.ts"
import { makeInMemoryTracing, TracingLive, tracesUrl } from "../../src/telemetry/Tracing.ts"

const withEnv = (env: Record<string, string>) =>
  TracingLive.pipe(Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))))

const context = { tenant: "t1", lotId: "L42", correlationId: "req-7" }

describe("Tracing", () => {
  it("derives the traces URL the way the OTel environment variables say", () => {
    const url = (endpoint?: string, tracesEndpoint?: string) =>
      tracesUrl({ endpoint: Option.fromNullable(endpoint), tracesEndpoint: Option.fromNullable(tracesEndpoint), serviceName: "p" })
    expect(url()).toEqual(Option.none())
    expect(url("  ")).toEqual(Option.none())
    expect(url("http://collector:4318/")).toEqual(Option.some("http://collector:4318/v1/traces"))
    expect(url("http://collector:4318", "http://other:4318/custom")).toEqual(Option.some("http://other:4318/custom"))
  })

  it.effect("a command span carries operation, outcome, lot, tenant and correlation id; the commit span links to it", () => {
    const { exporter, layer } = makeInMemoryTracing()
    return Effect.gen(function* () {
      yield* instrumentCommand("park", context)((span) => withCommitSpan(3, [span])(Effect.void)).pipe(Effect.withSpan("http.request"))
      yield* Effect.exit(instrumentCommand("leave", context)(() => Effect.fail(LotFull.of("ev"))))
      const spans = exporter.getFinishedSpans()
      const park = spans.find((s) => s.name === "Parking.park")
      const commit = spans.find((s) => s.name === "store.commit")
      const leave = spans.find((s) => s.name === "Parking.leave")
      expect(park?.attributes).toMatchObject({
        "parkplane.operation": "park",
        "parkplane.outcome": "ok",
        "parkplane.lot_id": "L42",
        "parkplane.tenant": "t1",
        "parkplane.correlation_id": "req-7"
      })
      expect(commit?.attributes).toMatchObject({ "parkplane.batch_size": 3 })
      expect(commit?.links.map((l) => l.context.spanId)).toContain(park?.spanContext().spanId)
      // The command span is a child of the caller's span, though not the fiber's current span.
      expect(park?.parentSpanContext?.spanId).toBe(spans.find((s) => s.name === "http.request")?.spanContext().spanId)
      expect(leave?.attributes).toMatchObject({ "parkplane.outcome": "rejected" })
      expect(park?.resource.attributes["service.name"]).toBe("parkplane-test")
    }).pipe(Effect.provide(layer))
  })

  it.effect("without an endpoint there is no OTel tracer: Effect's own tracer stays", () =>
    Effect.gen(function* () {
      const native = yield* Effect.tracer
      const off = yield* Effect.tracer.pipe(Effect.provide(withEnv({})))
      expect(off).toBe(native)
      const on = yield* Effect.tracer.pipe(Effect.provide(withEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:9" })))
      expect(on).not.toBe(native)
    }))

  // Real time and a real socket: the point is that a collector that never answers cannot hold up shutdown.
  it.live("exports to <endpoint>/v1/traces and shuts down within the short timeout when the collector hangs", () =>
    Effect.gen(function* () {
      const requests: Array<string> = []
      const server = createServer((request: IncomingMessage) => {
        requests.push(`${request.method} ${request.url}`) // and never answer
      })
      yield* Effect.acquireRelease(
        Effect.async<void>((resume) => {
          server.listen(0, "127.0.0.1", () => resume(Effect.void))
        }),
        () =>
          Effect.async<void>((resume) => {
            server.closeAllConnections()
            server.close(() => resume(Effect.void))
          })
      )
      const { port } = server.address() as AddressInfo
      const started = Date.now()
      yield* Effect.scoped(
        Effect.gen(function* () {
          yield* Layer.build(withEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}` }))
          yield* Effect.void.pipe(Effect.withSpan("hanging-export"))
        })
      )
      const elapsed = Date.now() - started
      yield* Effect.logDebug(`shutdown with a hanging collector took ${elapsed} ms`)
      expect(requests).toContain("POST /v1/traces")
      expect(elapsed).toBeLessThan(4_000)
    }).pipe(Effect.scoped)
  )
})
