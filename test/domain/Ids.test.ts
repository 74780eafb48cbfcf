import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import { LotId, parseEntityId, ticketSeqIn } from "../../src/domain/Ids.ts"

/** What `ticketSeqIn` must answer: the regular-expression parse, for this lot's tickets only. */
const bySpec = (lotId: string, text: string) => {
  const id = parseEntityId(text)
  return id === undefined || id.lotId !== lotId || text.includes("-R") ? undefined : id.seq
}

const lotIds = fc.constantFrom("L1", "L3", "L12", "L100", "L9999999999999999")
// Texts near the form: digits, signs, letters and the separators ids are made of.
const nearIds = fc.oneof(
  fc.string({ unit: fc.constantFrom("L", "R", "-", "0", "1", "2", "3", "9", " ", "x", "+", "."), maxLength: 24 }),
  fc.tuple(lotIds, fc.constantFrom("-", "-R", "--", "_", ""), fc.string({ unit: fc.constantFrom("0", "1", "5", "9", "a", "-"), maxLength: 18 })).map(
    ([lot, sep, rest]) => `${lot}${sep}${rest}`
  ),
  fc.tuple(lotIds, fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER })).map(([lot, n]) => `${lot}-${n}`),
  fc.string()
)

describe("Ids", () => {
  it.prop("ticketSeqIn answers as the regular-expression parse does, for the lot's own tickets", [lotIds, nearIds], ([lotId, text]) => {
    expect(ticketSeqIn(LotId.make(lotId), text)).toBe(bySpec(lotId, text))
  }, { fastCheck: { numRuns: 3000 } })

  it("ticketSeqIn reads the lot's tickets and nothing else", () => {
    const lot = LotId.make("L3")
    expect(ticketSeqIn(lot, "L3-17")).toBe(17)
    expect(ticketSeqIn(lot, "L3-9007199254740991")).toBe(Number.MAX_SAFE_INTEGER)
    for (const other of ["L3-R17", "L3-017", "L3-0", "L3-", "L31-7", "L13-7", "L3-1 ", "L3-1a", "l3-17", "L3-99999999999999999", "L3--1"]) {
      expect(ticketSeqIn(lot, other)).toBeUndefined()
    }
  })
})
