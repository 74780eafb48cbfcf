import { HttpApp, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Context, Effect, FiberRef, HashMap, Option } from "effect"
import { randomUUID } from "node:crypto"

export const requestIdHeader = "x-request-id"

/** The log annotation that carries the request id (and through it, the correlation id of commands). */
export const requestIdAnnotation = "requestId"

/** Only a value that is safe to log and to echo in a header is taken from the caller. */
const acceptable = /^[\x21-\x7e]{1,200}$/

/** The `X-Request-Id` header's value if it is usable, or a new id. */
export const requestIdFrom = (given: string | undefined): string =>
  given !== undefined && acceptable.test(given) ? given : randomUUID()

/** The caller's `X-Request-Id`, or a new one when it is missing or unusable. */
export const requestIdOf = (request: HttpServerRequest.HttpServerRequest): string => requestIdFrom(request.headers[requestIdHeader])

/**
 * The current request's id (the correlation id of its commands); outside `withRequestId` one is
 * made up. Read from the log annotation `withRequestId` sets: a second fiber-local value just for
 * the handlers would cost every request another copy of the fiber's refs.
 */
export const correlationIdOf = (request: HttpServerRequest.HttpServerRequest): Effect.Effect<string> =>
  Effect.map(FiberRef.get(FiberRef.currentLogAnnotations), (annotations) => {
    const id = HashMap.get(annotations, requestIdAnnotation)
    return Option.isSome(id) && typeof id.value === "string" ? id.value : requestIdOf(request)
  })

/**
 * Gives every request an id: echoed in the response (a pre-response handler, so it is on every
 * response, errors included), annotated on its logs and span; `correlationIdOf` reads it back.
 */
export const withRequestId = <E, R>(app: HttpApp.Default<E, R>): HttpApp.Default<E, R> =>
  Effect.withFiberRuntime((fiber) => {
    const id = requestIdOf(Context.unsafeGet(fiber.currentContext, HttpServerRequest.HttpServerRequest))
    // Not Effect.annotateCurrentSpan: without a span (tracing off) it builds and drops an Error with
    // a stack trace, which cost more than the rest of this middleware.
    const span = fiber.currentSpan
    if (span?._tag === "Span") span.attribute("http.request_id", id)
    return Effect.zipRight(
      HttpApp.appendPreResponseHandler((_, response) => Effect.succeed(HttpServerResponse.setHeader(response, requestIdHeader, id))),
      Effect.annotateLogs(app, requestIdAnnotation, id)
    )
  })
