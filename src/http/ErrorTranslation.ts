import {
  Headers,
  HttpApi,
  HttpApiBuilder,
  HttpApiError,
  HttpIncomingMessage,
  HttpServerError,
  HttpServerRequest,
  HttpServerResponse
} from "@effect/platform"
import { Cause, Effect, Option, Schema } from "effect"
import { InvalidInput, LotUnavailable, Overloaded, StorageUnavailable } from "../domain/Errors.ts"
import { Api } from "./Api.ts"
import { InternalError, MethodNotAllowed, PayloadTooLarge, RouteNotFound } from "./HttpErrors.ts"
import { correlationIdOf } from "./RequestId.ts"

/*
 * One place turns whatever went wrong before or around a handler into parkplane's error bodies
 * (docs/decisions/0003-http-errors.md): the framework's decode errors become InvalidInput, a body
 * that is not JSON or too big becomes InvalidInput or PayloadTooLarge, an unknown route
 * RouteNotFound or MethodNotAllowed, back-pressure errors get Retry-After, and a defect becomes an
 * InternalError without a stack trace.
 */

export const maxBodyBytes = 64 * 1024

const routes: Array<{ readonly method: string; readonly pattern: RegExp; readonly template: string }> = []
HttpApi.reflect(Api, {
  onGroup: () => {},
  onEndpoint: ({ endpoint }) => {
    const source = endpoint.path
      .split("/")
      .map((segment) => (segment.startsWith(":") ? "[^/]+" : segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
      .join("/")
    routes.push({ method: endpoint.method, pattern: new RegExp(`^${source}/?$`), template: endpoint.path })
  }
})

const pathOf = (request: HttpServerRequest.HttpServerRequest) => {
  const query = request.url.indexOf("?")
  return query === -1 ? request.url : request.url.slice(0, query)
}

/** The endpoint's path template for a request (bounded metric labels), or "unmatched". */
export const routeTemplateOf = (method: string, url: string): string => {
  const query = url.indexOf("?")
  const path = query === -1 ? url : url.slice(0, query)
  return routes.find((route) => route.method === method && route.pattern.test(path))?.template ?? "unmatched"
}

const routeMiss = (request: HttpServerRequest.HttpServerRequest) => {
  const path = pathOf(request)
  const allow = routes.filter((route) => route.pattern.test(path)).map((route) => route.method)
  return allow.length === 0 ? RouteNotFound.of(request.method, path) : MethodNotAllowed.of(request.method, path, allow)
}

const fieldOf = (path: ReadonlyArray<PropertyKey>) =>
  path.reduce<string>(
    (acc, key) => (typeof key === "number" ? `${acc}[${key}]` : acc === "" ? String(key) : `${acc}.${String(key)}`),
    ""
  )

/** The framework's decode error, as a message that names the fields. */
export const invalidInputOf = (error: HttpApiError.HttpApiDecodeError): InvalidInput => {
  // An optional field reports its value against `undefined` too; that half says nothing useful.
  const issues = error.issues.filter((issue) => !issue.message.startsWith("Expected undefined"))
  const described = issues.slice(0, 3).map((issue) => {
    if (issue.path.length === 0) {
      return issue.message.startsWith("Expected") ? "the request body must be a JSON object" : issue.message
    }
    return `${fieldOf(issue.path)}: ${issue.message}`
  })
  const first = issues[0]
  const field = first === undefined || first.path.length === 0 ? "body" : fieldOf(first.path)
  return InvalidInput.of(described.length === 0 ? error.message : described.join("; "), field)
}

const RetryLater = Schema.Union(Overloaded, StorageUnavailable, LotUnavailable)
export const isRetryLater = Schema.is(RetryLater)

/** Status, Retry-After and body of a back-pressure error (here and in the fast lane). */
export const retryLaterParts = (error: typeof RetryLater.Type) => ({
  status: error._tag === "Overloaded" ? 429 : 503,
  retryAfter: String(Math.max(1, Math.ceil(error.retryAfterSeconds))),
  body: Schema.encodeSync(RetryLater)(error)
})

/** 429/503 with Retry-After, which a status-only error encoding cannot carry. */
const retryLater = (error: typeof RetryLater.Type) => {
  const parts = retryLaterParts(error)
  return HttpServerResponse.json(parts.body, { status: parts.status, headers: { "retry-after": parts.retryAfter } }).pipe(Effect.orDie)
}

export const bodyNotJson = () => InvalidInput.of("the request body is not valid JSON", "body")
export const bodyTooDeep = () => InvalidInput.of(`the request body is nested deeper than ${maxJsonDepth} levels`, "body")

const isBodyTooLarge = (error: HttpServerError.RequestError) =>
  error.cause instanceof Error && error.cause.message.includes("maxBytes")

type Translated = InvalidInput | RouteNotFound | MethodNotAllowed | PayloadTooLarge | InternalError

const translate = <E extends Translated>(
  request: HttpServerRequest.HttpServerRequest,
  cause: Cause.Cause<E>
): Effect.Effect<HttpServerResponse.HttpServerResponse, Translated> => {
  const seen: Cause.Cause<unknown> = cause
  if (Cause.isInterruptedOnly(seen)) return Effect.failCause(cause)
  const failure = Cause.failureOption(seen)
  if (Option.isSome(failure)) {
    const error = failure.value
    if (error instanceof HttpApiError.HttpApiDecodeError) return Effect.fail(invalidInputOf(error))
    if (HttpServerError.isServerError(error) && error._tag === "RouteNotFound") return Effect.fail(routeMiss(request))
    if (isRetryLater(error)) return retryLater(error)
    return Effect.failCause(cause)
  }
  const defect = Cause.dieOption(seen)
  if (Option.isSome(defect) && HttpServerError.isServerError(defect.value) && defect.value._tag === "RequestError") {
    return Effect.fail(
      isBodyTooLarge(defect.value)
        ? PayloadTooLarge.of(maxBodyBytes)
        : bodyNotJson()
    )
  }
  return Effect.logError("Request failed unexpectedly", seen).pipe(
    Effect.zipRight(correlationIdOf(request)),
    Effect.flatMap((requestId) => Effect.fail(InternalError.of(requestId)))
  )
}

/** JSON nested deeper than any parkplane body; deeper input would only cost stack (and overflow it). */
export const maxJsonDepth = 32

/** The deepest nesting of arrays and objects in a JSON text, strings skipped. */
export const jsonDepth = (text: string): number => {
  let depth = 0
  let deepest = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 92) i++ // backslash: skip the escaped character
      else if (c === 34) inString = false
    } else if (c === 34) inString = true
    else if (c === 91 || c === 123) deepest = Math.max(deepest, ++depth)
    else if (c === 93 || c === 125) depth--
  }
  return deepest
}

const bodyMethods = new Set(["POST", "PUT", "PATCH", "DELETE"])

export const ErrorTranslationLive = HttpApiBuilder.middleware(Api, (app) =>
  Effect.gen(function* () {
    const original = yield* HttpServerRequest.HttpServerRequest
    const declared = original.headers["content-length"]
    if (declared !== undefined && Number(declared) > maxBodyBytes) {
      return yield* Effect.fail(PayloadTooLarge.of(maxBodyBytes))
    }
    // JSON in and out: a body is read as JSON whatever it claims to be (curl -d says form data).
    const request = original.modify({ headers: Headers.set(original.headers, "content-type", "application/json") })
    if (bodyMethods.has(request.method)) {
      // The text is cached on the request, so the endpoint's own decoding reads the same text.
      const text = yield* Effect.orDie(request.text)
      if (jsonDepth(text) > maxJsonDepth) {
        return yield* Effect.fail(bodyTooDeep())
      }
    }
    return yield* Effect.provideService(app, HttpServerRequest.HttpServerRequest, request)
  }).pipe(
    HttpIncomingMessage.withMaxBodySize(Option.some(maxBodyBytes)),
    Effect.catchAllCause((cause) => Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) => translate(request, cause)))
  )
)
