import { HttpApiBuilder, HttpApiSwagger, HttpMiddleware, HttpServer } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { Effect, flow, Layer } from "effect"
import { createServer } from "node:http"
import { AppConfig } from "../config.ts"
import { Parking } from "../runtime/Parking.ts"
import { builtInTracer } from "../telemetry/Instrument.ts"
import { PrometheusLive } from "../telemetry/Prometheus.ts"
import { Api } from "./Api.ts"
import { AuthenticationLive, KeyRingLive } from "./Authentication.ts"
import { DashboardLive } from "./Dashboard.ts"
import { Draining, GracefulStop, NodeServer, trackInFlight } from "./Draining.ts"
import { ErrorTranslationLive } from "./ErrorTranslation.ts"
import { FastLaneLive } from "./FastLane.ts"
import { HandlersLive } from "./Handlers.ts"
import { recordHttpMetrics } from "./HttpMetrics.ts"
import { LabRoutesLive } from "./LabRoutes.ts"
import { Readiness } from "./Readiness.ts"
import { logRequests } from "./RequestLog.ts"
import { withRequestId } from "./RequestId.ts"

/** The API with its handlers and authentication; needs Parking, Readiness, Draining, PrometheusMetrics. */
export const ApiLive = HttpApiBuilder.api(Api).pipe(Layer.provide(HandlersLive), Layer.provide(AuthenticationLive))

/**
 * Everything of the HTTP face on a given `HttpServer`: API, error translation, OpenAPI document,
 * Swagger UI, dashboard, request ids and request logs. The platform adds the tracer middleware
 * itself (it reads W3C `traceparent`); HttpLive keeps it only when spans are exported.
 */
const ServeLive = HttpApiBuilder.serve(flow(logRequests, recordHttpMetrics, withRequestId, trackInFlight)).pipe(
  Layer.provide(HttpApiSwagger.layer({ path: "/docs" })),
  Layer.provide(HttpApiBuilder.middlewareOpenApi({ path: "/openapi.json" })),
  Layer.provide(DashboardLive),
  Layer.provide(LabRoutesLive),
  Layer.provide(ErrorTranslationLive),
  Layer.provide(ApiLive),
  Layer.provide(PrometheusLive)
)


/*
 * The platform's span per request records little but the URL and headers, and with no exporter it
 * goes nowhere, yet it cost 5-10% of a request's CPU. So it is made only when a real tracer (one
 * that exports: OTLP, or the tests' in-memory one) is in place. Logs still carry the request id.
 */
const ServeTracedWhenExported = Layer.unwrapEffect(
  Effect.map(Effect.tracer, (tracer) =>
    tracer === builtInTracer ? HttpMiddleware.withTracerDisabledWhen(ServeLive, () => true) : ServeLive
  )
)

/**
 * The served app with its graceful stop and the fast lane for park and leave (built after the app,
 * whose request handler it stands in front of); needs the `HttpServer` and the `NodeServer` under it.
 */
export const HttpLive = Layer.merge(GracefulStop, FastLaneLive).pipe(
  Layer.provide(ServeTracedWhenExported),
  Layer.provide(KeyRingLive),
  Layer.provideMerge(Draining.Default)
)

/** A Node HTTP server listening on `port` (0 for any free one) and `host`. */
export const listen = (options: { readonly port: number; readonly host: string }) =>
  Layer.unwrapEffect(
    Effect.sync(() => {
      const server = createServer()
      return Layer.merge(NodeHttpServer.layer(() => server, options), Layer.succeed(NodeServer, server))
    })
  )

/** Ready once the runtime is built (it recovers every lot while building); not ready while stopping. */
export const ReadyWhenRecovered = Layer.scopedDiscard(
  Effect.gen(function* () {
    const readiness = yield* Readiness
    yield* Parking
    yield* Effect.acquireRelease(readiness.markReady, () => readiness.markNotReady("shutting down"))
  })
)

/** HttpLive listening on HOST:PORT. */
export const HttpServerLive = HttpLive.pipe(
  HttpServer.withLogAddress,
  Layer.provide(
    Layer.unwrapEffect(
      Effect.map(AppConfig, (config) => listen({ port: config.port, host: config.host }))
    )
  )
)
