import { describe, expect, it } from "@effect/vitest"
import { Effect, FastCheck as fc } from "effect"
import * as path from "node:path"
import { DatabaseLive } from "../../src/store/Database.ts"
import { LotStore } from "../../src/store/LotStore.ts"
import type { EventRecord, RecoveredLot, SnapshotRecord, Write } from "../../src/store/Records.ts"
import { Writer } from "../../src/store/Writer.ts"
import { event, lot, memoryStore, storeOver, tempFolder } from "./Fixtures.ts"

type Step =
  | { readonly kind: "append"; readonly lot: number; readonly count: number }
  | { readonly kind: "snapshot"; readonly lot: number }
  | { readonly kind: "delete"; readonly lot: number }

const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant("append" as const), lot: fc.nat(3), count: fc.integer({ min: 1, max: 5 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("snapshot" as const), lot: fc.nat(3) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("delete" as const), lot: fc.nat(3) }) }
)

/** The obvious model: per live lot, all its events and its last snapshot. */
interface ModelLot {
  readonly id: string
  readonly events: Array<EventRecord>
  snapshot: SnapshotRecord | undefined
}

const expected = (lots: ReadonlyArray<ModelLot>): ReadonlyArray<RecoveredLot> =>
  lots.map((m) => ({
    lot: lot(m.id),
    snapshot: m.snapshot,
    events: m.events.filter((e) => e.seq > (m.snapshot?.seq ?? 0))
  }))

describe("LotStore", () => {
  it.effect("hands out L1, L2, ... and never repeats one after a reopen", () =>
    Effect.gen(function* () {
      const filename = path.join(tempFolder(), "ids.db")
      const ids = (n: number) =>
        Effect.flatMap(LotStore, (store) => Effect.replicateEffect(store.nextLotId(), n)).pipe(
          Effect.provide(storeOver(DatabaseLive({ filename })))
        )
      const first = yield* ids(3)
      const second = yield* ids(2)
      expect([...first, ...second]).toEqual(["L1", "L2", "L3", "L4", "L5"])
    }))

  it.effect("hands out distinct ids to concurrent callers", () =>
    Effect.gen(function* () {
      const store = yield* LotStore
      const ids = yield* Effect.all(Array.from({ length: 50 }, () => store.nextLotId()), { concurrency: "unbounded" })
      expect(new Set(ids).size).toBe(50)
    }).pipe(Effect.provide(memoryStore())))

  it.effect.prop(
    "recovers each live lot as its newest snapshot plus the events after it",
    { steps: fc.array(stepArbitrary, { maxLength: 40 }) },
    ({ steps }) =>
      Effect.gen(function* () {
        const writer = yield* Writer
        const store = yield* LotStore
        const live = new Map<number, ModelLot>()
        let created = 0
        for (const step of steps) {
          let model = live.get(step.lot)
          if (model === undefined) {
            // The first touch of a slot creates a lot there (a deleted lot's slot gets a new lot).
            model = { id: `L${++created}`, events: [], snapshot: undefined }
            live.set(step.lot, model)
            yield* writer.commit({ createLot: lot(model.id) })
          }
          let write: Write
          switch (step.kind) {
            case "append": {
              const from = model.events.length + 1
              const events = Array.from({ length: step.count }, (_, i) => event(model.id, from + i))
              model.events.push(...events)
              write = { events }
              break
            }
            case "snapshot": {
              const snapshot = { lotId: model.id, seq: model.events.length, state: JSON.stringify({ at: model.events.length }) }
              model.snapshot = snapshot
              write = { snapshot }
              break
            }
            case "delete":
              live.delete(step.lot)
              write = { deleteLot: model.id }
          }
          yield* writer.commit(write)
        }
        const models = [...live.values()].sort((a, b) => Number(a.id.slice(1)) - Number(b.id.slice(1)))
        const recovered = [...(yield* store.recoverAll())].sort((a, b) => Number(a.lot.id.slice(1)) - Number(b.lot.id.slice(1)))
        expect(recovered).toEqual(expected(models))
        for (const one of expected(models)) expect(yield* store.recoverOne(one.lot.id)).toEqual(one)
        for (let i = 1; i <= created; i++) {
          if (!models.some((m) => m.id === `L${i}`)) expect(yield* store.recoverOne(`L${i}`)).toBeUndefined()
        }
      }).pipe(Effect.provide(memoryStore())),
    { fastCheck: { numRuns: 30 } }
  )

  it.effect("keeps only the newest snapshot, and lets a deleted lot's name be used again", () =>
    Effect.gen(function* () {
      const writer = yield* Writer
      const store = yield* LotStore
      yield* writer.commit({ createLot: lot("L1", "north"), events: [event("L1", 1), event("L1", 2)] })
      yield* writer.commit({ snapshot: { lotId: "L1", seq: 1, state: "a" } })
      yield* writer.commit({ snapshot: { lotId: "L1", seq: 2, state: "b" } })
      expect((yield* store.recoverOne("L1"))?.snapshot).toEqual({ lotId: "L1", seq: 2, state: "b" })
      const taken = yield* Effect.flip(writer.commit({ createLot: lot("L2", "north") }))
      expect(taken.message).toContain("UNIQUE")
      yield* writer.commit({ deleteLot: "L1" })
      yield* writer.commit({ createLot: lot("L3", "north") })
      expect((yield* store.recoverAll()).map((r) => r.lot.id)).toEqual(["L3"])
    }).pipe(Effect.provide(memoryStore())))

  it.effect("recovers a tail in seq order even when it was written out of order", () =>
    Effect.gen(function* () {
      const writer = yield* Writer
      const store = yield* LotStore
      yield* writer.commit({ createLot: lot("L1"), events: [event("L1", 3), event("L1", 1)] })
      yield* writer.commit({ events: [event("L1", 2)] })
      expect((yield* store.recoverOne("L1"))?.events.map((e) => e.seq)).toEqual([1, 2, 3])
      expect(yield* store.recoverOne("L9")).toBeUndefined()
    }).pipe(Effect.provide(memoryStore())))

  // ":memory:" reads through the client; a file through the store's own reader connection.
  const idempotencyRecords = () =>
    Effect.gen(function* () {
      const writer = yield* Writer
      const store = yield* LotStore
      const record = { tenant: "acme", key: "k1", requestHash: "h1", response: "{\"ok\":1}", expiresAt: 2_000 }
      yield* writer.commit({ idempotency: [record] })
      yield* writer.commit({ idempotency: [{ ...record, tenant: "other", expiresAt: 5_000 }] })
      expect(yield* store.findIdempotency("acme", "k1", 1_999)).toEqual(record)
      expect(yield* store.findIdempotency("acme", "k2", 1_999)).toBeUndefined()
      expect(yield* store.findIdempotency("acme", "k1", 2_000)).toBeUndefined()
      // An expired record can be replaced under the same key.
      yield* writer.commit({ idempotency: [{ ...record, requestHash: "h2", expiresAt: 9_000 }] })
      expect((yield* store.findIdempotency("acme", "k1", 3_000))?.requestHash).toBe("h2")
      yield* store.purgeIdempotency(6_000)
      expect(yield* store.findIdempotency("other", "k1", 0)).toBeUndefined()
      expect(yield* store.findIdempotency("acme", "k1", 0)).toBeDefined()
    })

  it.effect("finds unexpired idempotency records and purges expired ones (in memory)", () => idempotencyRecords().pipe(Effect.provide(memoryStore())))

  it.effect("finds unexpired idempotency records and purges expired ones (in a file)", () =>
    idempotencyRecords().pipe(Effect.provide(storeOver(DatabaseLive({ filename: path.join(tempFolder(), "keys.db") })))))
})
