import { HttpApi, HttpApiError, HttpApiSchema } from "@effect/platform"
import { Cause, Effect, Either, Exit, FiberRef, FiberRefs, Layer, List, LogLevel, LogSpan, Option, ParseResult, Runtime, Schema } from "effect"
import type { IncomingMessage, ServerResponse } from "node:http"
import { AppConfig } from "../config.ts"
import { type Envelope, Parking, type TicketCommand } from "../runtime/Parking.ts"
import { builtInTracer } from "../telemetry/Instrument.ts"
import { recordFastLaneRequestNow, recordHttpRequestNow } from "../telemetry/Metrics.ts"
import { Api, CommandHeaders, LeaveBody, LotPath, ParkBody } from "./Api.ts"
import { bearerTokenOf, KeyRing, unauthorized } from "./Authentication.ts"
import { Draining, NodeServer } from "./Draining.ts"
import { bodyNotJson, bodyTooDeep, invalidInputOf, isRetryLater, jsonDepth, maxBodyBytes, maxJsonDepth, retryLaterParts } from "./ErrorTranslation.ts"
import { leaveTargetOf } from "./Handlers.ts"
import { commandHeadersFrom, leaveBodyFrom, lotPathFrom, parkBodyFrom } from "./LaneInputs.ts"
import { InternalError, PayloadTooLarge } from "./HttpErrors.ts"
import { requestIdAnnotation, requestIdFrom, requestIdHeader } from "./RequestId.ts"
import { ticketJson } from "../domain/TicketJson.ts"

/*
 * The fast lane (docs/decisions/0013): `POST /v1/lots/{lotId}/park` and `/leave` answered straight
 * from Node's request event. The platform's way cost ~1 ms of CPU per request here (a fiber per
 * request, the router, middleware, a copy of the fiber's refs and context per provide), where a
 * bare Node server with SQLite does the whole request in ~0.1 ms. The lane does what the HttpApi
 * path does for these two endpoints, in the same order, with the same Schemas, errors, statuses
 * and headers (test/http/FastLane.test.ts holds the two to each other), and calls Parking with the
 * same arguments. It declines whatever it does not recognise exactly (the platform serves that),
 * and is not installed when spans are exported, so that traced requests get the platform's spans.
 */

interface LaneRoute {
  readonly template: string
  readonly successStatus: number
  /** Decodes the body into the command Parking runs, as the platform's handler would call it. */
  readonly command: (body: unknown) => Either.Either<TicketCommand, ParseResult.ParseError>
}

/** What the rules accepted, or else the Schema's decode (which words the error). */
const orDecode = <A>(quick: A | undefined, decode: () => Either.Either<A, ParseResult.ParseError>): Either.Either<A, ParseResult.ParseError> =>
  quick !== undefined ? Either.right(quick) : decode()

/** The Api's endpoints by method and path template, with their declared success status. */
const declared = new Map<string, number>()
HttpApi.reflect(Api, {
  onGroup: () => {},
  onEndpoint: ({ endpoint, successes }) => {
    const status = successes.keys().next()
    if (status.done !== true) declared.set(`${endpoint.method} ${endpoint.path}`, status.value)
  }
})

/** A route whose body decodes to `A`, by the rules (`quick`, LaneInputs.ts) or else by its Schema, and becomes a command. */
const route = <A, I>(
  template: string,
  body: Schema.Schema<A, I>,
  quick: (body: unknown) => A | undefined,
  toCommand: (body: A) => TicketCommand
): LaneRoute => {
  const successStatus = declared.get(`POST ${template}`)
  if (successStatus === undefined) throw new Error(`the Api has no endpoint POST ${template}`)
  const decode = Schema.decodeUnknownEither(body)
  return { template, successStatus, command: (input) => Either.map(orDecode(quick(input), () => decode(input)), toCommand) }
}

const routes: Record<string, LaneRoute> = {
  park: route("/v1/lots/:lotId/park", ParkBody, parkBodyFrom, (input) => ({ _tag: "Park", input })),
  leave: route("/v1/lots/:lotId/leave", LeaveBody, leaveBodyFrom, (payload) => ({ _tag: "Leave", target: leaveTargetOf(payload) }))
}

/**
 * The requests the lane takes: exactly these paths, a plain lot id segment (nothing to percent-
 * decode), an optional trailing slash and query (ignored, as the platform's router does).
 */
const lanePath = /^\/v1\/lots\/([A-Za-z0-9_.-]{1,200})\/(park|leave)\/?(?:\?.*)?$/

const decodePath = Schema.decodeUnknownEither(LotPath)
const decodeHeaders = Schema.decodeUnknownEither(CommandHeaders)

/** The platform's decode error for a ParseError, turned into parkplane's InvalidInput. */
const invalidInputFrom = (error: ParseResult.ParseError) =>
  invalidInputOf(
    new HttpApiError.HttpApiDecodeError({
      issues: ParseResult.ArrayFormatter.formatErrorSync(error),
      message: ParseResult.TreeFormatter.formatErrorSync(error)
    })
  )

interface ErrorEncoding {
  readonly is: (u: unknown) => boolean
  readonly encode: (u: unknown) => unknown
  readonly status: number
}

/** Every error the Api declares, as the platform encodes it: by its own schema, with its status. */
const errorEncodings: ReadonlyArray<ErrorEncoding> = (() => {
  const members = new Set<Schema.Schema.Any>()
  const add = (schema: { readonly ast: Schema.Schema.Any["ast"] }) => HttpApiSchema.deunionize(members, Schema.make(schema.ast))
  add(Api.errorSchema)
  for (const group of Object.values(Api.groups)) {
    add(group.errorSchema)
    for (const endpoint of Object.values(group.endpoints)) add(endpoint.errorSchema)
  }
  return [...members].map((member) => {
    const schema = Schema.make<unknown, unknown, never>(member.ast)
    return { is: Schema.is(schema), encode: Schema.encodeUnknownSync(schema), status: HttpApiSchema.getStatusErrorAST(member.ast) }
  })
})()

interface Answer {
  readonly status: number
  readonly body: string
  readonly retryAfter?: string
}

const answerOf = (status: number, value: unknown, retryAfter?: string): Answer =>
  retryAfter === undefined ? { status, body: JSON.stringify(value) } : { status, body: JSON.stringify(value), retryAfter }

/** A declared error's answer, or undefined for anything else (a defect). */
const errorAnswer = (error: unknown): Answer | undefined => {
  if (isRetryLater(error)) {
    const parts = retryLaterParts(error)
    return answerOf(parts.status, parts.body, parts.retryAfter)
  }
  const encoding = errorEncodings.find((e) => e.is(error))
  return encoding === undefined ? undefined : answerOf(encoding.status, encoding.encode(error))
}

/** Installs the lane in front of the platform's request handler for the life of the scope. */
export const FastLaneLive = Layer.scopedDiscard(
  Effect.gen(function* () {
    // With spans exported, every request goes the platform's way (its span, traceparent).
    if ((yield* Effect.tracer) !== builtInTracer || !(yield* AppConfig).fastLane) return
    const server = yield* NodeServer
    const draining = yield* Draining
    const parking = yield* Parking
    const keyRing = yield* KeyRing
    const runtime = yield* Effect.runtime<never>()
    const runFork = Runtime.runFork(runtime)
    // As logRequests does for the platform: a line per response only if its level is printed.
    const logsRequests = LogLevel.lessThanEqual(
      FiberRefs.getOrDefault(runtime.fiberRefs, FiberRef.currentMinimumLogLevel),
      FiberRefs.getOrDefault(runtime.fiberRefs, FiberRef.currentLogLevel)
    )
    let logged = 0

    const serve = (request: IncomingMessage, response: ServerResponse, lotSegment: string, lane: LaneRoute) => {
      const startedMillis = Date.now()
      const started = performance.now()
      const url = request.url ?? ""
      const requestId = requestIdFrom(headerOf(request, requestIdHeader))
      draining.enter()
      let answered = false

      const respond = (answer: Answer) => {
        if (answered) return
        answered = true
        const headers: Record<string, string | number> = {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(answer.body),
          [requestIdHeader]: requestId
        }
        if (answer.retryAfter !== undefined) headers["retry-after"] = answer.retryAfter
        if (!response.destroyed) response.writeHead(answer.status, headers).end(answer.body)
        recordHttpRequestNow("POST", lane.template, answer.status, (performance.now() - started) / 1000)
        recordFastLaneRequestNow()
        draining.leave()
        if (logsRequests) logResponse(answer.status)
      }

      const logResponse = (status: number) =>
        runFork(
          Effect.log("Sent HTTP response").pipe(
            Effect.annotateLogs({ "http.method": "POST", "http.url": url, "http.status": status }),
            Effect.annotateLogs(requestIdAnnotation, requestId),
            Effect.locallyWith(FiberRef.currentLogSpan, List.prepend(LogSpan.make(`http.span.${++logged}`, startedMillis)))
          )
        )

      const internalError = (cause: Cause.Cause<unknown>) => {
        runFork(Effect.logError("Request failed unexpectedly", cause).pipe(Effect.annotateLogs(requestIdAnnotation, requestId)))
        respond(answerOf(500, Schema.encodeSync(InternalError)(InternalError.of(requestId))))
      }

      const failWith = (error: unknown) => {
        const answer = errorAnswer(error)
        if (answer === undefined) internalError(Cause.die(error))
        else respond(answer)
      }

      const declaredLength = request.headers["content-length"]
      if (declaredLength !== undefined && Number(declaredLength) > maxBodyBytes) {
        failWith(PayloadTooLarge.of(maxBodyBytes))
        request.resume()
        return
      }

      const chunks: Array<Buffer> = []
      let size = 0
      request.on("data", (chunk: Buffer) => {
        if (answered) return
        size += chunk.length
        if (size > maxBodyBytes) failWith(PayloadTooLarge.of(maxBodyBytes))
        else chunks.push(chunk)
      })
      let ended = false
      // The client went away mid-body: nobody to answer, but the request is no longer in flight.
      const abandoned = () => {
        if (ended || answered) return
        answered = true
        draining.leave()
      }
      request.on("error", abandoned)
      request.on("close", abandoned)
      request.on("end", () => {
        ended = true
        if (answered) return
        try {
          const text = chunks.length === 1 ? chunks[0].toString("utf8") : Buffer.concat(chunks).toString("utf8")
          // The platform's order: body depth (global middleware), key, path, body, headers.
          if (jsonDepth(text) > maxJsonDepth) return failWith(bodyTooDeep())
          const tenant = keyRing.tenantOf(bearerTokenOf(request.headers.authorization))
          if (Option.isNone(tenant)) return failWith(unauthorized)
          // Each input by the rules first (LaneInputs.ts); what they do not accept, by its Schema.
          const path = orDecode(lotPathFrom(lotSegment), () => decodePath({ lotId: lotSegment }))
          if (Either.isLeft(path)) return failWith(invalidInputFrom(path.left))
          let body: unknown
          try {
            body = text === "" ? null : JSON.parse(text)
          } catch {
            return failWith(bodyNotJson())
          }
          const command = lane.command(body)
          if (Either.isLeft(command)) return failWith(invalidInputFrom(command.left))
          const headers = orDecode(commandHeadersFrom(request.headers), () => decodeHeaders(request.headers))
          if (Either.isLeft(headers)) return failWith(invalidInputFrom(headers.left))
          const envelope: Envelope = { tenant: tenant.value, correlationId: requestId, idempotencyKey: headers.right["idempotency-key"] }
          parking.submit(envelope, path.right.lotId, command.right, (exit) => {
            try {
              if (Exit.isSuccess(exit)) return respond({ status: lane.successStatus, body: ticketJson(exit.value) })
              const failure = Cause.failureOption(exit.cause)
              if (Option.isSome(failure)) return failWith(failure.value)
              internalError(exit.cause)
            } catch (defect) {
              internalError(Cause.die(defect))
            }
          })
        } catch (defect) {
          internalError(Cause.die(defect))
        }
      })
    }

    const platformHandlers = server.listeners("request")
    const dispatch = (request: IncomingMessage, response: ServerResponse) => {
      const match = request.method === "POST" ? lanePath.exec(request.url ?? "") : null
      if (match !== null) return serve(request, response, match[1], routes[match[2]])
      for (const handler of platformHandlers) handler.call(server, request, response)
    }
    yield* Effect.acquireRelease(
      Effect.sync(() => {
        server.removeAllListeners("request")
        server.on("request", dispatch)
      }),
      // Put back before the platform removes its own handler on the way down.
      () =>
        Effect.sync(() => {
          server.off("request", dispatch)
          for (const handler of platformHandlers) server.on("request", handler as (request: IncomingMessage, response: ServerResponse) => void)
        })
    )
  })
)

const headerOf = (request: IncomingMessage, name: string): string | undefined => {
  const value = request.headers[name]
  return Array.isArray(value) ? value.join(", ") : value
}
