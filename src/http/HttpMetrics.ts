import { HttpApp, HttpMiddleware, HttpServerRequest } from "@effect/platform"
import { Clock, Effect, Metric } from "effect"
import { httpRequestDuration, httpRequestsTotal, withTags } from "../telemetry/Metrics.ts"
import { routeTemplateOf } from "./ErrorTranslation.ts"

/**
 * Counts every response by method, route template and status class, and times it. Recorded in a
 * pre-response handler because only there is the final status (errors included) known.
 */
export const recordHttpMetrics = HttpMiddleware.make((app) =>
  Effect.gen(function* () {
    const request = yield* HttpServerRequest.HttpServerRequest
    const started = yield* Clock.currentTimeMillis
    yield* HttpApp.appendPreResponseHandler((_, response) =>
      Effect.gen(function* () {
        const route = routeTemplateOf(request.method, request.url)
        const seconds = ((yield* Clock.currentTimeMillis) - started) / 1000
        const status = `${Math.floor(response.status / 100)}xx`
        yield* Metric.increment(withTags(httpRequestsTotal, { method: request.method, route, status }))
        yield* Metric.update(withTags(httpRequestDuration, { method: request.method, route }), seconds)
        return response
      })
    )
    return yield* app
  })
)
