import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import { SlotIndex } from "../../src/domain/SlotIndex.ts"

/* The lot finds an open ticket's slot through this table; it must agree with a Map in every step. */

const Op = fc.oneof(
  fc.record({ op: fc.constant("set" as const), key: fc.integer({ min: 1, max: 200 }), slot: fc.integer({ min: 1, max: 50 }) }),
  fc.record({ op: fc.constant("delete" as const), key: fc.integer({ min: 1, max: 200 }) }),
  // keys past 2^32 share low bits with small ones: they must still be told apart
  fc.record({ op: fc.constant("set" as const), key: fc.integer({ min: 1, max: 40 }).map((k) => k + 2 ** 32), slot: fc.integer({ min: 1, max: 50 }) })
)

describe("SlotIndex", () => {
  it.prop(
    "get, set, delete and size agree with a Map",
    { ops: fc.array(Op, { maxLength: 400 }) },
    ({ ops }) => {
      const capacity = 64
      const index = new SlotIndex(capacity)
      const model = new Map<number, number>()
      for (const step of ops) {
        if (step.op === "set") {
          if (!model.has(step.key) && model.size >= capacity) continue
          index.set(step.key, step.slot)
          model.set(step.key, step.slot)
        } else {
          expect(index.delete(step.key)).toBe(model.delete(step.key))
        }
        expect(index.size).toBe(model.size)
      }
      for (let key = 1; key <= 200; key++) expect(index.get(key)).toBe(model.get(key))
      for (let key = 1; key <= 40; key++) expect(index.get(key + 2 ** 32)).toBe(model.get(key + 2 ** 32))
      expect(new Map(index.entries())).toEqual(model)
    },
    { fastCheck: { numRuns: 300 } }
  )

  it("holds a full lot's worth under churn and refuses one more", () => {
    const index = new SlotIndex(1_000)
    for (let seq = 1; seq <= 1_000; seq++) index.set(seq, seq)
    let deleted = 0
    for (let seq = 1_001; seq <= 50_000; seq++) {
      if (index.delete(seq - 1_000)) deleted++
      index.set(seq, seq % 1_000)
    }
    expect(deleted).toBe(49_000)
    expect(index.size).toBe(1_000)
    expect(index.get(49_999)).toBe(999)
    expect(index.get(49_000)).toBe(undefined)
    expect(() => index.set(1, 1)).toThrow()
  })
})
