import { describe, expect, it } from "@effect/vitest"
import { Schema } from "effect"
import { toIso } from "../../src/domain/Time.ts"

/*
 * `toIso` remembers the text of recent seconds; whatever order instants come in, it must write
 * exactly what `Date.prototype.toISOString` writes.
 */

// Whole milliseconds of years 0000-9999 (what Timestamp allows), clustered so that seconds repeat.
const base = Schema.Int.pipe(Schema.between(-62_167_219_200_000, 253_402_300_799_000))
const offsets = Schema.Array(Schema.Int.pipe(Schema.between(-2_500, 2_500)))

describe("toIso", () => {
  it.prop("equals toISOString for instants in any order", [base, offsets], ([start, steps]) => {
    for (const ms of [start, ...steps.map((d) => Math.min(253_402_300_799_999, Math.max(-62_167_219_200_000, start + d)))]) {
      expect(toIso(ms)).toBe(new Date(ms).toISOString())
    }
  })

  it("writes leading zeros of the milliseconds and alternates between two seconds", () => {
    const second = Date.UTC(2026, 10, 22, 8, 0, 0)
    for (const ms of [second, second + 5, second + 1_042, second + 99, second + 1_000, second - 1, second + 1_999]) {
      expect(toIso(ms)).toBe(new Date(ms).toISOString())
    }
  })
})
