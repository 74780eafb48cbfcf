import { expect, layer } from "@effect/vitest"
import { Effect, Layer, Schedule } from "effect"
import { StorageFaults } from "../../src/store/StorageFaults.ts"
import { makeInMemoryTracing } from "../../src/telemetry/Tracing.ts"
import { BaseUrl, postJson, raw, testServer } from "./TestServer.ts"

const createLot = (name: string, headers: Record<string, string> = {}) =>
  postJson("/v1/lots", { name, slots: 5 }, headers).pipe(Effect.map((r) => r.json as { id: string }))

layer(testServer({ PARKPLANE_API_KEYS: "tenantA:keyA-secret,tenantB:keyB-secret" }), { excludeTestServices: true })(
  "authentication and tenants",
  (it) => {
    const asA = { authorization: "Bearer keyA-secret" }
    const asB = { authorization: "Bearer keyB-secret" }

    it.effect("a /v1 request without a key or with a wrong one is 401 Unauthorized", () =>
      Effect.gen(function* () {
        const attempts: ReadonlyArray<Record<string, string>> = [
          {},
          { authorization: "Bearer nope" },
          { authorization: "Basic a2V5QS1zZWNyZXQ=" },
          { authorization: "Bearer keyA-secre" }
        ]
        for (const headers of attempts) {
          const response = yield* raw("/v1/lots", { headers })
          expect(response.status).toBe(401)
          expect(response.json).toMatchObject({ _tag: "Unauthorized", message: expect.stringContaining("Bearer") })
        }
        const write = yield* postJson("/v1/lots", { name: "sneaky", slots: 1 })
        expect(write.status).toBe(401)
      }))

    it.effect("health, readiness and metrics need no key", () =>
      Effect.gen(function* () {
        expect((yield* raw("/health")).status).toBe(200)
        expect((yield* raw("/ready")).status).toBe(200)
        expect((yield* raw("/metrics")).status).toBe(200)
      }))

    it.effect("another tenant's lot answers exactly like a missing one", () =>
      Effect.gen(function* () {
        const lot = yield* createLot("Shared name", asA)
        expect((yield* raw(`/v1/lots/${lot.id}`, { headers: asA })).status).toBe(200)
        const foreign = yield* raw(`/v1/lots/${lot.id}`, { headers: asB })
        expect(foreign.status).toBe(404)
        expect(foreign.json).toEqual({ _tag: "LotNotFound", lotId: lot.id, message: `There is no lot ${lot.id}` })
        const parkForeign = yield* postJson(`/v1/lots/${lot.id}/park`, { registration: "X-1", color: "Red" }, asB)
        expect(parkForeign.status).toBe(404)
        expect((parkForeign.json as { _tag: string })._tag).toBe("LotNotFound")
        // B sees none of A's lots and may use the same name.
        const listB = yield* raw("/v1/lots", { headers: asB })
        expect((listB.json as ReadonlyArray<{ id: string }>).map((l) => l.id)).not.toContain(lot.id)
        const sameName = yield* postJson("/v1/lots", { name: "Shared name", slots: 1 }, asB)
        expect(sameName.status).toBe(201)
      }))
  }
)

layer(testServer(), { excludeTestServices: true })("request ids, idempotency, back-pressure, event stream", (it) => {
  it.effect("X-Request-Id is echoed, or generated when absent or unusable", () =>
    Effect.gen(function* () {
      const given = yield* raw("/v1/lots", { headers: { "x-request-id": "trace-me-42" } })
      expect(given.headers.get("x-request-id")).toBe("trace-me-42")
      const onError = yield* raw("/v1/nope", { headers: { "x-request-id": "lost-42" } })
      expect(onError.headers.get("x-request-id")).toBe("lost-42")
      const generated = yield* raw("/v1/lots")
      expect(generated.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/)
      const unusable = yield* raw("/v1/lots", { headers: { "x-request-id": "x".repeat(500) } })
      expect(unusable.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/)
    }))

  it.effect("the same Idempotency-Key and body replays the first answer without a second effect", () =>
    Effect.gen(function* () {
      const lot = yield* createLot("Idempotent")
      const key = { "idempotency-key": "park-once-1" }
      const first = yield* postJson(`/v1/lots/${lot.id}/park`, { registration: "ID-1", color: "Blue" }, key)
      const again = yield* postJson(`/v1/lots/${lot.id}/park`, { registration: "ID-1", color: "Blue" }, key)
      expect(first.status).toBe(201)
      expect(again.status).toBe(first.status)
      expect(again.json).toEqual(first.json)
      const counts = (yield* raw(`/v1/lots/${lot.id}`)).json as { occupied: number }
      expect(counts.occupied).toBe(1)

      const reused = yield* postJson(`/v1/lots/${lot.id}/park`, { registration: "ID-2", color: "Blue" }, key)
      expect(reused.status).toBe(422)
      expect(reused.json).toMatchObject({ _tag: "IdempotencyKeyReused", key: "park-once-1" })
      expect(((yield* raw(`/v1/lots/${lot.id}`)).json as { occupied: number }).occupied).toBe(1)

      // A refusal is replayed too: the key stands for the request, not for its success.
      const refusedKey = { "idempotency-key": "park-twice" }
      const refused = yield* postJson(`/v1/lots/${lot.id}/park`, { registration: "ID-1", color: "Blue" }, refusedKey)
      expect(refused.status).toBe(409)
      const refusedAgain = yield* postJson(`/v1/lots/${lot.id}/park`, { registration: "ID-1", color: "Blue" }, refusedKey)
      expect(refusedAgain.status).toBe(409)
      expect(refusedAgain.json).toEqual(refused.json)
    }))

  it.effect("the same keyed request sent many times at once is done once, and every copy gets its answer", () =>
    Effect.gen(function* () {
      const lot = yield* createLot("IdempotentAtOnce")
      const key = { "idempotency-key": "park-at-once-1" }
      const answers = yield* Effect.forEach(
        Array.from({ length: 8 }, () => postJson(`/v1/lots/${lot.id}/park`, { registration: "AT-ONCE-1", color: "Blue" }, key)),
        (request) => request,
        { concurrency: "unbounded" }
      )
      for (const answer of answers) {
        expect(answer.status).toBe(201)
        expect(answer.json).toEqual(answers[0].json)
      }
      expect(((yield* raw(`/v1/lots/${lot.id}`)).json as { occupied: number }).occupied).toBe(1)
      // Another key for the same car is a new request: the car is already parked.
      const other = yield* postJson(`/v1/lots/${lot.id}/park`, { registration: "AT-ONCE-1", color: "Blue" }, { "idempotency-key": "park-at-once-2" })
      expect(other.status).toBe(409)
    }))

  it.effect("a write that cannot be made durable is 503 StorageUnavailable with Retry-After, and nothing changes", () =>
    Effect.gen(function* () {
      const lot = yield* createLot("Faulty")
      const faults = yield* StorageFaults
      yield* faults.fail(true)
      const response = yield* postJson(`/v1/lots/${lot.id}/park`, { registration: "F-1", color: "Red" }).pipe(
        Effect.ensuring(faults.fail(false))
      )
      expect(response.status).toBe(503)
      expect(response.json).toMatchObject({ _tag: "StorageUnavailable", retryAfterSeconds: expect.any(Number) })
      expect(Number(response.headers.get("retry-after"))).toBeGreaterThanOrEqual(1)
      expect(((yield* raw(`/v1/lots/${lot.id}`)).json as { occupied: number }).occupied).toBe(0)
    }))

  it.effect("the event stream sends id/event/data frames and resumes after Last-Event-ID", () =>
    Effect.gen(function* () {
      const lot = yield* createLot("Streamed")
      const baseUrl = yield* BaseUrl
      const url = `${baseUrl}/v1/lots/${lot.id}/events/stream`

      /** Reads frames until `count` events arrived, then closes the connection. */
      const readEvents = <R>(headers: Record<string, string>, count: number, whileOpen: Effect.Effect<unknown, never, R>) =>
        Effect.promise(async (signal) => {
          const response = await fetch(url, { headers, signal })
          return response
        }).pipe(
          Effect.flatMap((response) =>
            Effect.gen(function* () {
              expect(response.status).toBe(200)
              expect(response.headers.get("content-type")).toContain("text/event-stream")
              yield* whileOpen
              return yield* Effect.promise(async () => {
                const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader()
                const events: Array<{ id: string; event: string; data: { seq: number; event: { _tag: string } } }> = []
                let buffer = ""
                while (events.length < count) {
                  const { value, done } = await reader.read()
                  if (done) break
                  buffer += value
                  let end: number
                  while ((end = buffer.indexOf("\n\n")) !== -1) {
                    const frame = buffer.slice(0, end)
                    buffer = buffer.slice(end + 2)
                    const fields = Object.fromEntries(
                      frame.split("\n").filter((l) => !l.startsWith(":")).map((l) => [l.slice(0, l.indexOf(":")), l.slice(l.indexOf(":") + 1).trim()])
                    )
                    if (fields["data"] !== undefined && fields["id"] !== undefined) {
                      events.push({ id: fields["id"], event: fields["event"] ?? "", data: JSON.parse(fields["data"]) })
                    }
                  }
                }
                await reader.cancel()
                return events
              })
            })
          )
        )

      const park = (registration: string) =>
        postJson(`/v1/lots/${lot.id}/park`, { registration, color: "Green" }).pipe(
          Effect.tap((r) => expect(r.status).toBe(201))
        )

      const live = yield* readEvents({}, 3, Effect.zipRight(park("S-1"), park("S-2")))
      expect(live.map((e) => [e.id, e.event])).toEqual([
        ["1", "LotCreated"],
        ["2", "VehicleParked"],
        ["3", "VehicleParked"]
      ])
      expect(live[1]?.data).toMatchObject({ lotId: lot.id, seq: 2, event: { _tag: "VehicleParked", registration: "S-1" } })

      yield* park("S-3")
      const resumed = yield* readEvents({ "last-event-id": "3" }, 1, Effect.void)
      expect(resumed.map((e) => [e.id, e.data.event._tag])).toEqual([["4", "VehicleParked"]])

      const missing = yield* raw("/v1/lots/L999/events/stream")
      expect(missing.status).toBe(404)
    }))
})

const tracing = makeInMemoryTracing()

layer(testServer().pipe(Layer.provide(tracing.layer)), { excludeTestServices: true })("tracing", (it) => {
  it.effect("a W3C traceparent becomes the parent of the request's server span", () =>
    Effect.gen(function* () {
      const traceId = "0af7651916cd43dd8448eb211c80319c"
      const response = yield* raw("/v1/lots", { headers: { traceparent: `00-${traceId}-b7ad6b7169203331-01` } })
      expect(response.status).toBe(200)
      // The span ends just after the response is written, so it may lag the client by a moment.
      const server = yield* Effect.sync(() =>
        tracing.exporter
          .getFinishedSpans()
          .find((span) => span.spanContext().traceId === traceId && span.name === "http.server GET")
      ).pipe(
        Effect.filterOrFail((span) => span !== undefined),
        Effect.retry(Schedule.spaced("20 millis").pipe(Schedule.upTo("2 seconds")))
      )
      expect(server?.attributes["http.request_id"]).toBe(response.headers.get("x-request-id"))
    }))
})
