import { describe, expect, it } from "@effect/vitest"
import { Arbitrary, Either, Schema } from "effect"
import { SlotNumber } from "../../src/domain/SlotType.ts"
import { Ticket } from "../../src/domain/Views.ts"
import { requestHash, ticketCodec } from "../../src/runtime/Idempotency.ts"
import { awkwardText } from "../freeText.ts"

describe("stored answers of keyed commands", () => {
  it.prop(
    "a ticket is stored exactly as the Schema stores it, whatever its text",
    { fields: Arbitrary.make(Schema.Struct({ ...Ticket.fields, registration: awkwardText, color: awkwardText })) },
    ({ fields }) => {
      const answer = Either.right(Ticket.make({ ...fields }, true))
      expect(ticketCodec.encode(answer)).toBe(ticketCodec.encodeBySchema(answer))
    },
    { fastCheck: { numRuns: 300 } }
  )

  // Slot numbers as a lot hands them out: JSON has no Infinity, so none could be stored by either way.
  it.prop("a stored ticket reads back as the same ticket", { fields: Arbitrary.make(Schema.Struct({ ...Ticket.fields, slot: SlotNumber })) }, ({ fields }) => {
    const stored = ticketCodec.encode(Either.right(Ticket.make({ ...fields }, true)))
    const back = Either.getOrThrow(ticketCodec.decode(stored))
    expect(Either.isRight(back)).toBe(true)
    expect(ticketCodec.encodeBySchema(back)).toBe(stored)
  })

  it("a request's fingerprint is the same for the same request, and differs for another", () => {
    const body = { registration: "KA-1", color: "Red" }
    expect(requestHash("park", "L1", body)).toBe(requestHash("park", "L1", { ...body }))
    expect(requestHash("park", "L1", body)).not.toBe(requestHash("park", "L2", body))
    expect(requestHash("park", "L1", body)).not.toBe(requestHash("leave", "L1", body))
    expect(requestHash("park", "L1", body)).not.toBe(requestHash("park", "L1", { ...body, color: "Blue" }))
    // sha-256 in base64url, as the records stored before it were written.
    expect(requestHash("park", "L1", body)).toMatch(/^[A-Za-z0-9_-]{43}$/)
  })
})
