import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import { RegistrationIndex } from "../../src/domain/RegistrationIndex.ts"

/* The lot finds a parked registration's slot through this table; it must agree with a Map. */

const plates = Array.from({ length: 120 }, (_, i) => (i % 3 === 0 ? `KA-${i}` : i % 3 === 1 ? `${i}` : `AB ${i} CD`))

const Op = fc.oneof(
  fc.record({ op: fc.constant("set" as const), key: fc.constantFrom(...plates), slot: fc.integer({ min: 1, max: 50 }) }),
  fc.record({ op: fc.constant("delete" as const), key: fc.constantFrom(...plates) })
)

describe("RegistrationIndex", () => {
  it.prop(
    "get, set, delete and size agree with a Map",
    { ops: fc.array(Op, { maxLength: 400 }) },
    ({ ops }) => {
      const capacity = 48
      const index = new RegistrationIndex(capacity)
      const model = new Map<string, number>()
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
      for (const key of plates) expect(index.get(key)).toBe(model.get(key))
      expect([...index.slots()].sort()).toEqual([...model.values()].sort())
    },
    { fastCheck: { numRuns: 300 } }
  )

  it("holds a full lot's worth under churn and refuses one more", () => {
    const index = new RegistrationIndex(1_000)
    for (let n = 0; n < 1_000; n++) index.set(`KA-${n}`, n + 1)
    let deleted = 0
    for (let n = 1_000; n < 50_000; n++) {
      if (index.delete(`KA-${n - 1_000}`)) deleted++
      index.set(`KA-${n}`, (n % 1_000) + 1)
    }
    expect(deleted).toBe(49_000)
    expect(index.size).toBe(1_000)
    expect(index.get("KA-49999")).toBe(1_000)
    expect(index.get("KA-48999")).toBe(undefined)
    expect(() => index.set("one more", 1)).toThrow()
  })
})
