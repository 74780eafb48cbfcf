import { HttpApp } from "@effect/platform"
import { Clock, Effect } from "effect"
import { recordHttpRequest } from "../telemetry/Metrics.ts"
import { routeTemplateOf } from "./ErrorTranslation.ts"

/**
 * Counts every response by method, route template and status class, and times it. Recorded in a
 * pre-response handler because only there is the final status (errors included) known, and it is
 * recorded before the response goes out, so a client reading `/metrics` next sees its request.
 */
export const recordHttpMetrics = <E, R>(app: HttpApp.Default<E, R>): HttpApp.Default<E, R> =>
  Effect.flatMap(Clock.currentTimeMillis, (started) =>
    Effect.zipRight(
      HttpApp.appendPreResponseHandler((request, response) =>
        Effect.flatMap(Clock.currentTimeMillis, (now) =>
          Effect.as(
            recordHttpRequest(request.method, routeTemplateOf(request.method, request.url), response.status, (now - started) / 1000),
            response
          )
        )
      ),
      app
    )
  )
