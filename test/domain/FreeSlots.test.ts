import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import { FreeSlots } from "../../src/domain/FreeSlots.ts"

/*
 * The bitset against a plain Set. Sizes reach past 32^3 slots so that four levels of words are
 * exercised, and slots cluster at word and level borders where carries and clears propagate.
 */
const sizes = [1, 31, 32, 33, 1_024, 1_025, 32_767, 32_768, 70_000]

const borderSlots = (size: number): ReadonlyArray<number> =>
  [1, 2, 31, 32, 33, 63, 64, 65, 1_023, 1_024, 1_025, 32_767, 32_768, 32_769, size - 1, size].filter((s) => s >= 1 && s <= size)

describe("FreeSlots", () => {
  it.prop(
    "add, delete, has, lowest and freeCount agree with a Set",
    {
      case: fc.constantFrom(...sizes).chain((size) =>
        fc.record({
          size: fc.constant(size),
          ops: fc.array(
            fc.tuple(fc.boolean(), fc.oneof(fc.constantFrom(...borderSlots(size)), fc.integer({ min: 1, max: size }))),
            { maxLength: 200 }
          )
        })
      )
    },
    ({ case: { ops, size } }) => {
      const free = new FreeSlots(size)
      const model = new Set<number>()
      expect(free.lowest()).toBe(0)
      for (const [add, slot] of ops) {
        if (add) {
          free.add(slot)
          model.add(slot)
        } else {
          free.delete(slot)
          model.delete(slot)
        }
        expect(free.freeCount).toBe(model.size)
        expect(free.lowest()).toBe(model.size === 0 ? 0 : Math.min(...model))
        expect(free.has(slot)).toBe(model.has(slot))
      }
    },
    { fastCheck: { numRuns: 200 } }
  )

  it("finds each next slot when a full set of 70000 empties from the front", () => {
    const free = new FreeSlots(70_000)
    for (let s = 1; s <= 70_000; s++) free.add(s)
    const wrong: Array<[number, number]> = []
    for (let s = 1; s <= 70_000; s++) {
      if (free.lowest() !== s) wrong.push([s, free.lowest()])
      free.delete(s)
    }
    expect(wrong).toEqual([])
    expect(free.lowest()).toBe(0)
    expect(free.freeCount).toBe(0)
  })
})
