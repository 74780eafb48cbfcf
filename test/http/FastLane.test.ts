import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Layer } from "effect"
import { connect } from "node:net"
import { Draining } from "../../src/http/Draining.ts"
import { BaseUrl, testServer } from "./TestServer.ts"

/*
 * The fast lane (src/http/FastLane.ts) answers POST park and leave without the platform's router;
 * the platform still serves them when the lane is off. The same requests, in the same order, are
 * sent to a server of each kind, each on a fresh database: every answer must be the same (status,
 * body, the headers a client reads), and the lane must really have answered on its server and
 * only there.
 */

interface Sent {
  readonly path: string
  /** A string is sent as is; anything else as JSON. */
  readonly body?: unknown
  readonly headers?: Record<string, string>
}

interface Answer {
  readonly status: number
  readonly body: string
  readonly contentType: string | null
  readonly retryAfter: string | null
  readonly requestId: string | null
}

const send = (baseUrl: string, request: Sent) =>
  Effect.promise(async (): Promise<Answer> => {
    const response = await fetch(baseUrl + request.path, {
      method: "POST",
      headers: { "content-type": "application/json", ...request.headers },
      body: typeof request.body === "string" ? request.body : JSON.stringify(request.body)
    })
    return {
      status: response.status,
      // Times differ between the two servers; nothing else may.
      body: (await response.text()).replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g, "<time>"),
      contentType: response.headers.get("content-type"),
      retryAfter: response.headers.get("retry-after"),
      requestId: response.headers.get("x-request-id")
    }
  })

const fastLaneCount = (baseUrl: string) =>
  Effect.promise(async () => {
    const text = await (await fetch(`${baseUrl}/metrics`)).text()
    const line = text.split("\n").find((l) => l.startsWith("parkplane_http_fast_lane_requests_total"))
    return Number(line?.split(" ").at(-1) ?? Number.NaN)
  })

/** A server of each kind, with the same settings but the lane. */
const bothServers = (env: Record<string, string>) =>
  Effect.gen(function* () {
    const lane = yield* Layer.build(testServer(env))
    const platform = yield* Layer.build(testServer({ ...env, PARKPLANE_FAST_LANE: "false" }))
    return { lane: Context.get(lane, BaseUrl), platform: Context.get(platform, BaseUrl) }
  })

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/** Sends each request to both servers and checks they answer alike; returns the lane's answers. */
const compare = (servers: { readonly lane: string; readonly platform: string }, requests: ReadonlyArray<Sent>) =>
  Effect.forEach(requests, (request) =>
    Effect.gen(function* () {
      // Effect's metrics are global to the process: what each send adds says who answered it.
      const before = yield* fastLaneCount(servers.lane)
      const fromLane = yield* send(servers.lane, request)
      const between = yield* fastLaneCount(servers.lane)
      const fromPlatform = yield* send(servers.platform, request)
      const after = yield* fastLaneCount(servers.lane)
      expect({ path: request.path, lane: between - before, platform: after - between }).toEqual({
        path: request.path,
        lane: /\/(park|leave)/.test(request.path) ? 1 : 0,
        platform: 0
      })
      const given = request.headers?.["x-request-id"]
      expect({ request, ...fromLane, requestId: undefined }).toEqual({ request, ...fromPlatform, requestId: undefined })
      if (given !== undefined && /^[\x21-\x7e]{1,200}$/.test(given)) {
        expect(fromLane.requestId).toBe(given)
      } else {
        expect(fromLane.requestId).toMatch(uuid)
        expect(fromPlatform.requestId).toMatch(uuid)
      }
      return fromLane
    })
  )

const deep = (levels: number) => `${"[".repeat(levels)}${"]".repeat(levels)}`

describe("the fast lane", () => {
  it.scoped("answers park and leave exactly as the platform does, good requests and bad", () =>
    Effect.gen(function* () {
      const servers = yield* bothServers({})
      const requests: ReadonlyArray<Sent> = [
        { path: "/v1/lots", body: { name: "Lane", slots: [{ type: "standard", count: 2 }, { type: "ev", count: 1 }] } },
        { path: "/v1/lots/L1/park", body: { registration: "ka-01-hh-1", color: "White" }, headers: { "x-request-id": "given-1" } },
        { path: "/v1/lots/L1/park", body: { registration: "KA-01-HH-1", color: "white" } },
        { path: "/v1/lots/L1/park", body: { registration: "EV-1", color: "Blue", slotType: "ev" } },
        { path: "/v1/lots/L1/park", body: { registration: "EV-2", color: "Blue", slotType: "ev" } },
        { path: "/v1/lots/L1/park", body: { registration: "KA 01 !!", color: "White" } },
        { path: "/v1/lots/L1/park", body: { registration: "", color: "White" } },
        { path: "/v1/lots/L1/park", body: { registration: "X".repeat(21), color: "White" } },
        { path: "/v1/lots/L1/park", body: { registration: "KA-2" } },
        { path: "/v1/lots/L1/park", body: { registration: "KA-2", color: "Red\u0007" } },
        { path: "/v1/lots/L1/park", body: { registration: "KA-2", color: "Red", slotType: "hovercraft" } },
        { path: "/v1/lots/L1/park", body: { registration: 42, color: "Red" } },
        { path: "/v1/lots/L1/park", body: [] },
        { path: "/v1/lots/L1/park", body: "null" },
        { path: "/v1/lots/L1/park", body: "" },
        { path: "/v1/lots/L1/park", body: "{\"registration\": \"KA-2\"," },
        { path: "/v1/lots/L1/park", body: deep(40) },
        { path: "/v1/lots/L1/park", body: { registration: "KA-2", color: "Red", pad: "x".repeat(70_000) } },
        { path: "/v1/lots/L99/park", body: { registration: "KA-2", color: "Red" } },
        { path: "/v1/lots/abc/park", body: { registration: "KA-2", color: "Red" } },
        { path: "/v1/lots/L1/park", body: { registration: "KA-2", color: "Red", extra: true }, headers: { "x-request-id": "bad id with spaces" } },
        { path: "/v1/lots/L1/park/", body: { registration: "KA-3", color: "Red" } },
        { path: "/v1/lots/L1/park", body: { registration: "KA-4", color: "Red" } },
        { path: "/v1/lots/L1/park?ignored=1", body: { registration: "KA-5", color: "Red" } },
        { path: "/v1/lots/L1/leave", body: { slot: 1, registration: "KA-01-HH-1" } },
        { path: "/v1/lots/L1/leave", body: {} },
        { path: "/v1/lots/L1/leave", body: { slot: 0 } },
        { path: "/v1/lots/L1/leave", body: { slot: 1.5 } },
        { path: "/v1/lots/L1/leave", body: { slot: 99 } },
        { path: "/v1/lots/L1/leave", body: { ticketId: "nonsense" } },
        { path: "/v1/lots/L1/leave", body: { ticketId: "L1-77" } },
        { path: "/v1/lots/L1/leave", body: { registration: "NOBODY" } },
        { path: "/v1/lots/L1/leave", body: { slot: 1 } },
        { path: "/v1/lots/L1/leave", body: { slot: 1 } },
        { path: "/v1/lots/L1/leave", body: { ticketId: "L1-4" } },
        { path: "/v1/lots/L1/leave/", body: { registration: "KA-3" } },
        { path: "/v1/lots/L1/park", body: { registration: "KEY-1", color: "Red" }, headers: { "idempotency-key": "k-1" } },
        { path: "/v1/lots/L1/park", body: { registration: "KEY-1", color: "Red" }, headers: { "idempotency-key": "k-1" } },
        { path: "/v1/lots/L1/park", body: { registration: "KEY-2", color: "Red" }, headers: { "idempotency-key": "k-1" } },
        { path: "/v1/lots/L1/park", body: { registration: "KEY-3", color: "Red" }, headers: { "idempotency-key": "\u00e9" } },
        { path: "/v1/lots/L1/park", body: { registration: "FULL-1", color: "Red" } },
        { path: "/v1/lots/L1/park", body: { registration: "FULL-2", color: "Red" } },
        { path: "/v1/lots/L1/leave", body: { registration: "KEY-1" }, headers: { "idempotency-key": "k-2" } },
        { path: "/v1/lots/L1/leave", body: { registration: "KEY-1" }, headers: { "idempotency-key": "k-2" } }
      ]
      const answers = yield* compare(servers, requests)
      // The script meets what it was written to meet, so the comparison is not between two 500s.
      const statuses = new Set(answers.map((a) => a.status))
      for (const status of [200, 201, 400, 404, 409, 413, 422]) expect(statuses).toContain(status)
      expect(answers.some((a) => a.body.includes("LotFull"))).toBe(true)
      expect(answers[1].status).toBe(201)
    }))

  it.scoped("authenticates as the platform does, and a tenant cannot reach another's lot", () =>
    Effect.gen(function* () {
      const servers = yield* bothServers({ PARKPLANE_API_KEYS: "north:key-north,south:key-south" })
      const north = { authorization: "Bearer key-north" }
      const south = { authorization: "Bearer key-south" }
      yield* compare(servers, [
        { path: "/v1/lots", body: { name: "North", slots: 2 }, headers: north },
        { path: "/v1/lots/L1/park", body: { registration: "N-1", color: "Red" } },
        { path: "/v1/lots/L1/park", body: { registration: "N-1", color: "Red" }, headers: { authorization: "Bearer wrong" } },
        { path: "/v1/lots/L1/park", body: { registration: "N-1", color: "Red" }, headers: { authorization: "Basic key-north" } },
        { path: "/v1/lots/L1/park", body: deep(40) },
        { path: "/v1/lots/L1/park", body: "not json" },
        { path: "/v1/lots/L1/park", body: { registration: "S-1", color: "Red" }, headers: south },
        { path: "/v1/lots/L1/leave", body: { slot: 1 }, headers: south },
        { path: "/v1/lots/L1/park", body: { registration: "N-1", color: "Red" }, headers: north },
        { path: "/v1/lots/L1/leave", body: { slot: 1 }, headers: north }
      ]).pipe(
        Effect.map((answers) => expect(answers.map((a) => a.status)).toEqual([201, 401, 401, 401, 400, 401, 404, 404, 201, 200]))
      )
    }))

  it.scoped("stops counting a request in flight when its client goes away mid-body", () =>
    Effect.gen(function* () {
      const server = yield* Layer.build(testServer({}))
      const baseUrl = Context.get(server, BaseUrl)
      const draining = Context.get(server, Draining)
      yield* send(baseUrl, { path: "/v1/lots", body: { name: "Abandoned", slots: 2 } })
      const socket = connect(Number(new URL(baseUrl).port), "127.0.0.1")
      // Real sockets, real time: the server must see the request, then the client leave.
      const until = (wanted: number) =>
        Effect.promise(async () => {
          for (let i = 0; i < 200; i++) {
            if (Effect.runSync(draining.inFlight) === wanted) return true
            await new Promise((resolve) => setTimeout(resolve, 10))
          }
          return false
        })
      socket.write('POST /v1/lots/L1/park HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"registration":')
      expect(yield* until(1)).toBe(true)
      socket.destroy()
      expect(yield* until(0)).toBe(true)
    }))
})
