import { HttpApiClient, HttpClient, HttpClientRequest } from "@effect/platform"
import { Console, Effect, Option, Redacted, Schema } from "effect"
import { LotNotFound } from "../../domain/Errors.ts"
import { LotId } from "../../domain/Ids.ts"
import { Api } from "../../http/Api.ts"
import type { RemoteSettings } from "./RemoteOptions.ts"

/*
 * The remote admin commands talk to a running server through the client derived from the same
 * `Api` definition the server is built from, so the two cannot disagree about the contract.
 */

/** The HTTP client with the key attached, when there is one. */
export const authorizedHttpClient = (settings: RemoteSettings) =>
  Effect.map(HttpClient.HttpClient, (client) =>
    Option.match(settings.apiKey, {
      onNone: () => client,
      onSome: (key) => HttpClient.mapRequest(client, HttpClientRequest.bearerToken(Redacted.value(key)))
    })
  )

export const makeApiClient = (settings: RemoteSettings) =>
  HttpApiClient.make(Api, {
    baseUrl: settings.url,
    transformClient: Option.match(settings.apiKey, {
      onNone: () => undefined,
      onSome: (key) => HttpClient.mapRequest(HttpClientRequest.bearerToken(Redacted.value(key)))
    })
  })

export type ApiClient = Effect.Effect.Success<ReturnType<typeof makeApiClient>>

/** A lot named on the command line by its id (`L3`) or by its name. */
const isLotId = Schema.is(LotId)

export const resolveLot = (client: ApiClient, lot: string) =>
  isLotId(lot)
    ? Effect.succeed(lot)
    : Effect.flatMap(client.lots.listLots(), (lots) => {
        const found = lots.find((summary) => summary.name === lot)
        return found === undefined ? Effect.fail(LotNotFound.of(lot)) : Effect.succeed(found.id)
      })

const hasMessage = (error: unknown): error is { readonly message: string } =>
  typeof error === "object" && error !== null && "message" in error && typeof error.message === "string"

/** One line a person can act on, for any failure of a remote command. */
export const describeFailure = (settings: RemoteSettings, error: unknown): string => {
  if (typeof error === "object" && error !== null && "_tag" in error) {
    if (error._tag === "RequestError") {
      const cause = "cause" in error && hasMessage(error.cause) ? `: ${error.cause.message}` : ""
      return `cannot reach the server at ${settings.url}${cause}`
    }
    if (error._tag === "ResponseError" && hasMessage(error)) return `unexpected answer from ${settings.url}: ${error.message}`
    if (error._tag === "ParseError") return `unexpected answer from ${settings.url}: ${hasMessage(error) ? error.message : ""}`
  }
  return hasMessage(error) ? error.message : String(error)
}

/**
 * Runs a remote command: prints its answer, or one `Error:` line on standard error and exit status 1.
 */
export const runRemote = <A, E, R>(
  settings: RemoteSettings,
  effect: (client: ApiClient) => Effect.Effect<A, E, R>,
  render: (answer: A) => { readonly human: string; readonly json: unknown }
) =>
  Effect.gen(function* () {
    const client = yield* makeApiClient(settings)
    const answer = yield* effect(client)
    const shown = render(answer)
    yield* Console.log(settings.json ? JSON.stringify(shown.json, null, 2) : shown.human)
  }).pipe(
    Effect.catchAll((error) =>
      Effect.zipRight(
        Console.error(`Error: ${describeFailure(settings, error)}`),
        Effect.sync(() => {
          process.exitCode = 1
        })
      )
    )
  )
