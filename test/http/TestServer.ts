import { FetchHttpClient, HttpApiClient, HttpServer } from "@effect/platform"
import { ConfigProvider, Context, Effect, Layer } from "effect"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Api } from "../../src/http/Api.ts"
import { Readiness } from "../../src/http/Readiness.ts"
import { HttpLive, listen, ReadyWhenRecovered } from "../../src/http/server.ts"
import { ParkingLive } from "../../src/runtime/ParkingLive.ts"
import { DatabaseLive } from "../../src/store/Database.ts"

/** Where the test server listens. */
export class BaseUrl extends Context.Tag("test/BaseUrl")<BaseUrl, string>() {}

const baseUrlLive = Layer.effect(
  BaseUrl,
  Effect.map(HttpServer.HttpServer, (server) =>
    server.address._tag === "TcpAddress" ? `http://127.0.0.1:${server.address.port}` : "http://127.0.0.1"
  )
)

export const tempDbFile = () => join(mkdtempSync(join(tmpdir(), "parkplane-http-")), "parkplane.db")

/**
 * The real server (real Parking over a temp SQLite file) on 127.0.0.1 at a free port, with the
 * given environment as its configuration.
 */
export const testServer = (env: Record<string, string> = {}) =>
  Layer.mergeAll(baseUrlLive, ReadyWhenRecovered).pipe(
    Layer.provideMerge(HttpLive),
    Layer.provideMerge(listen({ port: 0, host: "127.0.0.1" })),
    Layer.provideMerge(Layer.merge(ParkingLive, Readiness.Default)),
    Layer.provide(DatabaseLive({ filename: tempDbFile() })),
    Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))),
    Layer.provideMerge(FetchHttpClient.layer)
  )

/** The typed client of the test server. */
export const client = Effect.flatMap(BaseUrl, (baseUrl) => HttpApiClient.make(Api, { baseUrl }))

export interface RawResponse {
  readonly status: number
  readonly headers: Headers
  readonly text: string
  readonly json: unknown
}

/** A request exactly as given, for what the typed client would never send. */
export const raw = (path: string, init: RequestInit = {}) =>
  Effect.flatMap(BaseUrl, (baseUrl) =>
    Effect.promise(async (): Promise<RawResponse> => {
      const response = await fetch(baseUrl + path, init)
      const text = await response.text()
      let json: unknown = undefined
      try {
        json = JSON.parse(text)
      } catch {
        json = undefined
      }
      return { status: response.status, headers: response.headers, text, json }
    })
  )

export const postJson = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  raw(path, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) })
