import { HttpApp, HttpMiddleware, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Effect, FiberRef, Option } from "effect"
import { globalValue } from "effect/GlobalValue"
import { randomUUID } from "node:crypto"

export const requestIdHeader = "x-request-id"

/** Only a value that is safe to log and to echo in a header is taken from the caller. */
const acceptable = /^[\x21-\x7e]{1,200}$/

/** The caller's `X-Request-Id`, or a new one when it is missing or unusable. */
export const requestIdOf = (request: HttpServerRequest.HttpServerRequest): string => {
  const given = request.headers[requestIdHeader]
  return given !== undefined && acceptable.test(given) ? given : randomUUID()
}

/** The id `withRequestId` gave the request this fiber serves. */
export const currentRequestId = globalValue("parkplane/http/currentRequestId", () =>
  FiberRef.unsafeMake(Option.none<string>())
)

/** The current request's id (the correlation id of its commands); outside `withRequestId` one is made up. */
export const correlationIdOf = (request: HttpServerRequest.HttpServerRequest): Effect.Effect<string> =>
  Effect.map(
    FiberRef.get(currentRequestId),
    Option.getOrElse(() => requestIdOf(request))
  )

/**
 * Gives every request an id: echoed in the response (a pre-response handler, so it is on every
 * response, errors included), annotated on its logs and span, and kept in `currentRequestId`
 * for the handlers.
 */
export const withRequestId = HttpMiddleware.make((app) =>
  Effect.gen(function* () {
    const request = yield* HttpServerRequest.HttpServerRequest
    const id = requestIdOf(request)
    yield* Effect.annotateCurrentSpan("http.request_id", id)
    yield* HttpApp.appendPreResponseHandler((_, response) =>
      Effect.succeed(HttpServerResponse.setHeader(response, requestIdHeader, id))
    )
    return yield* app.pipe(Effect.locally(currentRequestId, Option.some(id)), Effect.annotateLogs("requestId", id))
  })
)
