import { describe, expect, it } from "@effect/vitest"
import { Arbitrary, Either, Schema } from "effect"
import { LotEvent, VehicleLeft, VehicleParked } from "../../src/domain/Events.ts"
import { LotId } from "../../src/domain/Ids.ts"
import { eventJson, eventJsonBySchema, fromRecord, toRecord } from "../../src/runtime/EventCodec.ts"

// Registrations and colours are free text: quotes, backslashes and control characters must survive.
const awkward = Schema.String.annotations({ arbitrary: () => (fc) => fc.string({ unit: "binary", maxLength: 12 }) })

describe("event codec", () => {
  it.prop(
    "a park is written exactly as its Schema encodes it, and reads back equal",
    { event: Arbitrary.make(Schema.Struct({ ...VehicleParked.fields, registration: awkward, color: awkward })) },
    ({ event }) => {
      const parked = VehicleParked.make({ ...event }, true)
      expect(eventJson(parked)).toBe(eventJsonBySchema(parked))
      const back = fromRecord(toRecord(LotId.make("L1"), 2, parked))
      expect(Either.getOrThrow(back)).toEqual(parked)
    },
    { fastCheck: { numRuns: 300 } }
  )

  it.prop(
    "a leave is written exactly as its Schema encodes it, and reads back equal",
    { event: Arbitrary.make(Schema.Struct({ ...VehicleLeft.fields, registration: awkward })) },
    ({ event }) => {
      const left = VehicleLeft.make({ ...event }, true)
      expect(eventJson(left)).toBe(eventJsonBySchema(left))
      expect(Either.getOrThrow(fromRecord(toRecord(LotId.make("L1"), 3, left)))).toEqual(left)
    },
    { fastCheck: { numRuns: 300 } }
  )

  it.prop("every other event goes through its Schema", { event: Arbitrary.make(LotEvent) }, ({ event }) => {
    expect(eventJson(event)).toBe(eventJsonBySchema(event))
  })
})
