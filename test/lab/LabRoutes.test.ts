import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { postJson, raw, testServer } from "../http/TestServer.ts"

const createLot = (name: string) =>
  Effect.map(postJson("/v1/lots", { name, slots: 3 }), (r) => {
    expect(r.status).toBe(201)
    const body = r.json
    if (typeof body !== "object" || body === null || !("id" in body) || typeof body.id !== "string") throw new Error(r.text)
    return body.id
  })

const tagOf = (json: unknown) => (typeof json === "object" && json !== null && "_tag" in json ? json._tag : undefined)

layer(testServer(), { excludeTestServices: true })("lab fault routes without PARKPLANE_LAB_FAULTS", (it) => {
  it.effect("are not mounted: 404, and storage keeps working", () =>
    Effect.gen(function* () {
      const lotId = yield* createLot("no-faults")
      expect((yield* postJson("/lab/faults/storage", { failing: true })).status).toBe(404)
      expect((yield* postJson(`/lab/faults/worker/${lotId}`, {})).status).toBe(404)
      expect((yield* raw(`/lab/faults/storage`)).status).toBe(404)
      expect((yield* postJson(`/v1/lots/${lotId}/park`, { registration: "NF-1", color: "Red" })).status).toBe(201)
    }))
})

layer(testServer({ PARKPLANE_LAB_FAULTS: "1" }), { excludeTestServices: true })("lab fault routes with PARKPLANE_LAB_FAULTS=1", (it) => {
  it.effect("storage: failing makes writes 503 StorageUnavailable until restored", () =>
    Effect.gen(function* () {
      const lotId = yield* createLot("storage-faults")
      expect((yield* postJson("/lab/faults/storage", { failing: true })).json).toEqual({ failing: true })
      const refused = yield* postJson(`/v1/lots/${lotId}/park`, { registration: "SF-1", color: "Red" })
      expect(refused.status).toBe(503)
      expect(tagOf(refused.json)).toBe("StorageUnavailable")
      expect((yield* postJson("/lab/faults/storage", { failing: false })).status).toBe(200)
      const parked = yield* postJson(`/v1/lots/${lotId}/park`, { registration: "SF-1", color: "Red" })
      expect(parked.status).toBe(201)
    }))

  it.effect("worker: the armed lot's next command dies (LotUnavailable), the restarted worker serves the next", () =>
    Effect.gen(function* () {
      const lotId = yield* createLot("worker-faults")
      expect((yield* postJson(`/v1/lots/${lotId}/park`, { registration: "WF-1", color: "Red" })).status).toBe(201)
      expect((yield* postJson(`/lab/faults/worker/${lotId}`, {})).json).toEqual({ armed: lotId })
      const died = yield* postJson(`/v1/lots/${lotId}/park`, { registration: "WF-2", color: "Red" })
      expect(died.status).toBe(503)
      expect(tagOf(died.json)).toBe("LotUnavailable")
      const after = yield* Effect.retry(
        postJson(`/v1/lots/${lotId}/park`, { registration: "WF-2", color: "Red" }).pipe(
          Effect.filterOrFail((r) => r.status !== 503, (r) => r)
        ),
        { times: 50 }
      )
      expect(after.status).toBe(201)
      const slots = yield* raw(`/v1/lots/${lotId}/slots`)
      expect(Array.isArray(slots.json) ? slots.json.map((s: { state: string }) => s.state) : []).toEqual(["Occupied", "Occupied", "Free"])
    }))

  it.effect("a malformed storage body is 400", () =>
    Effect.gen(function* () {
      const bad = yield* postJson("/lab/faults/storage", { failing: "yes" })
      expect(bad.status).toBe(400)
      expect(tagOf(bad.json)).toBe("InvalidInput")
    }))
})
