import { describe, expect, it } from "@effect/vitest"
import { Either, FastCheck as fc, Schema } from "effect"
import { slotTypes } from "../../src/domain/SlotType.ts"
import { CommandHeaders, LeaveBody, LotPath, ParkBody } from "../../src/http/Api.ts"
import { commandHeadersFrom, leaveBodyFrom, lotPathFrom, parkBodyFrom } from "../../src/http/LaneInputs.ts"

/*
 * The fast lane's rules against the Schemas they stand in for: on every input, either both refuse
 * it, or both accept it with the same value. Inputs are built near the rules' edges: letters of
 * both cases and beyond ASCII (ß upper-cases to SS), spaces a trim removes or keeps, lengths
 * around the limits, ids with leading zeros or an R, numbers at the slot bounds, extra and
 * missing keys, and bodies that are not objects at all.
 */

const characters = [..."AZaz09 -_\t\n\u00a0\u2028ßıéKA", '"', "\u0000", "\u{1F697}"]
const nearText = fc.oneof(
  fc.string({ unit: fc.constantFrom(...characters), maxLength: 34 }),
  fc.string({ maxLength: 34 }),
  fc.constantFrom("", " ", "KA-01-HH-1234", " ka-01 ", "White", " Dark Blue ", "x".repeat(20), "x".repeat(21), "y".repeat(30), "y".repeat(31))
)
const ids = fc.oneof(
  fc.constantFrom("L1", "L0", "L01", "l1", "L1-1", "L3-17", "L3-017", "L3-R17", "L0-1", "L1-0", `L${"9".repeat(16)}`, `L${"9".repeat(17)}`, `L1-${"9".repeat(17)}`),
  fc.tuple(fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 99 })).map(([lot, seq]) => `L${lot}-${seq}`),
  fc.integer({ min: 0, max: 999 }).map((lot) => `L${lot}`)
)
const value: fc.Arbitrary<unknown> = fc.oneof(
  nearText,
  ids,
  fc.constantFrom(...slotTypes, "Standard", "truck", " ev"),
  fc.integer({ min: -2, max: 10_000_002 }),
  fc.constantFrom(0, 1, 10_000_000, 10_000_001, 1.5, -0, Number.MAX_SAFE_INTEGER + 1),
  fc.double(),
  fc.constantFrom(null, true, false),
  fc.array(nearText, { maxLength: 2 }),
  fc.dictionary(nearText, nearText, { maxKeys: 2 })
)
/** Mostly the key's own kind of value, near its limits, else anything. */
const usually = (own: fc.Arbitrary<unknown>) => fc.oneof({ weight: 3, arbitrary: own }, { weight: 1, arbitrary: value })
const body: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record(
      {
        registration: usually(
          fc.oneof(
            fc.string({ unit: fc.constantFrom(..."AZaz09 -", "ß", "é", "\t"), maxLength: 23 }),
            // At the length limit: ß upper-cases to two letters, spaces at the ends are trimmed.
            fc.constantFrom("A".repeat(20), "a".repeat(21), ` ${"A".repeat(20)}\t`, "ß".repeat(10), "ß".repeat(11), "-")
          )
        ),
        color: usually(
          fc.oneof(
            fc.string({ unit: fc.constantFrom(..."AZaz ", "-", "ß", "\u00a0"), maxLength: 33 }),
            fc.constantFrom("b".repeat(30), "B".repeat(31), ` ${"b".repeat(30)} `, "\u00a0Red\u00a0")
          )
        ),
        slotType: usually(fc.constantFrom(...slotTypes, "Standard")),
        slot: usually(fc.oneof(fc.integer({ min: -1, max: 10_000_001 }), fc.constantFrom(1.5, 10_000_000.5, -0, 0.999, 2 ** 53))),
        ticketId: usually(ids),
        extra: value
      },
      { requiredKeys: [] }
    )
  },
  { weight: 1, arbitrary: value }
)

/** Both refuse, or both accept with the same value. */
const agrees = <A>(quick: A | undefined, bySchema: Either.Either<A, unknown>) => {
  if (quick === undefined) expect(Either.isLeft(bySchema)).toBe(true)
  else expect(bySchema).toEqual(Either.right(quick))
}

describe("the fast lane's input rules", () => {
  const decodePark = Schema.decodeUnknownEither(ParkBody)
  const decodeLeave = Schema.decodeUnknownEither(LeaveBody)
  const decodePath = Schema.decodeUnknownEither(LotPath)
  const decodeHeaders = Schema.decodeUnknownEither(CommandHeaders)

  it.prop("decode a park body as ParkBody does", { input: body }, ({ input }) => agrees(parkBodyFrom(input), decodePark(input)), {
    fastCheck: { numRuns: 3000 }
  })

  it.prop("decode a leave body as LeaveBody does", { input: body }, ({ input }) => agrees(leaveBodyFrom(input), decodeLeave(input)), {
    fastCheck: { numRuns: 3000 }
  })

  it.prop("decode the lot segment as LotPath does", { segment: fc.oneof(ids, nearText) }, ({ segment }) =>
    agrees(lotPathFrom(segment), decodePath({ lotId: segment }))
  )

  it.prop(
    "decode the headers as CommandHeaders does",
    { key: fc.option(fc.oneof(nearText, fc.string({ unit: fc.integer({ min: 0x20, max: 0x7f }).map((c) => String.fromCharCode(c)), maxLength: 202 }))) },
    ({ key }) => {
      const headers = key === null ? { host: "127.0.0.1" } : { host: "127.0.0.1", "idempotency-key": key }
      agrees(commandHeadersFrom(headers), decodeHeaders(headers))
    }
  )

  it("take what clients usually send, so the lane seldom needs the Schemas", () => {
    expect(parkBodyFrom({ registration: " ka-01-hh-1234 ", color: "White" })).toEqual({ registration: "KA-01-HH-1234", color: "White" })
    expect(parkBodyFrom({ registration: "KA-1", color: "Red", slotType: "ev" })).toEqual({ registration: "KA-1", color: "Red", slotType: "ev" })
    expect(leaveBodyFrom({ ticketId: "L3-17" })).toEqual({ ticketId: "L3-17" })
    expect(leaveBodyFrom({ slot: 4 })).toEqual({ slot: 4 })
    expect(leaveBodyFrom({ registration: "ka-1" })).toEqual({ registration: "KA-1" })
    expect(lotPathFrom("L12")).toEqual({ lotId: "L12" })
    expect(commandHeadersFrom({ "idempotency-key": "retry-7" })).toEqual({ "idempotency-key": "retry-7" })
    expect(commandHeadersFrom({})).toEqual({})
  })
})
