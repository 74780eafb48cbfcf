import { Headers, HttpMiddleware, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Effect } from "effect"
import { randomUUID } from "node:crypto"

export const requestIdHeader = "x-request-id"

/** Only a value that is safe to log and to echo in a header is taken from the caller. */
const acceptable = /^[\x21-\x7e]{1,200}$/

/** The caller's `X-Request-Id`, or a new one when it is missing or unusable. */
export const requestIdOf = (request: HttpServerRequest.HttpServerRequest): string => {
  const given = request.headers[requestIdHeader]
  return given !== undefined && acceptable.test(given) ? given : randomUUID()
}

/**
 * Gives every request an id: echoed in the response, annotated on its logs and span, and written
 * back into the request so handlers use the same one as the correlation id of their commands.
 */
export const withRequestId = HttpMiddleware.make((app) =>
  Effect.gen(function* () {
    const request = yield* HttpServerRequest.HttpServerRequest
    const id = requestIdOf(request)
    yield* Effect.annotateCurrentSpan("http.request_id", id)
    const response = yield* app.pipe(
      Effect.provideService(
        HttpServerRequest.HttpServerRequest,
        request.modify({ headers: Headers.set(request.headers, requestIdHeader, id) })
      ),
      Effect.annotateLogs("requestId", id)
    )
    return HttpServerResponse.setHeader(response, requestIdHeader, id)
  })
)
