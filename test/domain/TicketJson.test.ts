import { describe, expect, it } from "@effect/vitest"
import { Arbitrary, Schema } from "effect"
import { Ticket } from "../../src/domain/Views.ts"
import { ticketJson, ticketJsonBySchema } from "../../src/domain/TicketJson.ts"
import { awkwardText } from "../freeText.ts"

describe("ticket JSON", () => {
  it.prop(
    "is written exactly as the Ticket Schema encodes it, open or closed",
    { fields: Arbitrary.make(Schema.Struct({ ...Ticket.fields, registration: awkwardText, color: awkwardText })) },
    ({ fields }) => {
      const ticket = Ticket.make({ ...fields }, true)
      expect(ticketJson(ticket)).toBe(ticketJsonBySchema(ticket))
    },
    { fastCheck: { numRuns: 500 } }
  )
})
