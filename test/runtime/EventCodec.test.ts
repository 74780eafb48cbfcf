import { describe, expect, it } from "@effect/vitest"
import { Arbitrary, Either, Schema } from "effect"
import { LotCreated, LotEvent, SlotGroup, VehicleLeft, VehicleParked } from "../../src/domain/Events.ts"
import { LotId } from "../../src/domain/Ids.ts"
import { LeaveTarget, Lot, LotCommand } from "../../src/domain/Lot.ts"
import { eventJson, eventJsonBySchema, fromRecord, lotFromSnapshot, snapshotRecord, toRecord } from "../../src/runtime/EventCodec.ts"

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

describe("snapshot codec", () => {
  const lotWithVehicles = () => {
    const lot = Lot.create(LotCreated.make({ lotId: LotId.make("L7"), name: "snap", layout: [SlotGroup.make({ type: "standard", count: 6 })], at: 0 }))
    const plates: ReadonlyArray<readonly [string, string]> = [["A-1", "Red"], ["A-2", "red"], ["A-3", "Blue"], ["A-4", "Red"]]
    for (const [registration, color] of plates) {
      const decision = lot.decide(LotCommand.Park({ registration, color }), 1_000)
      if (Either.isRight(decision)) for (const event of decision.right) lot.evolve(event)
    }
    const leave = lot.decide(LotCommand.Leave({ target: LeaveTarget.BySlot({ slot: 2 }) }), 2_000)
    if (Either.isRight(leave)) for (const event of leave.right) lot.evolve(event)
    return lot
  }

  it("a snapshot is written as columns and rebuilds the same lot", () => {
    const lot = lotWithVehicles()
    const record = snapshotRecord(lot)
    expect(JSON.parse(record.state)).toMatchObject({ v: 2, vehicles: { slot: [1, 3, 4], registration: ["A-1", "A-3", "A-4"] } })
    const rebuilt = Either.getOrThrow(lotFromSnapshot(record))
    expect(rebuilt.toComparable()).toEqual(lot.toComparable())
    expect(rebuilt.vehicles("RED").map((v) => v.slot)).toEqual(lot.vehicles("RED").map((v) => v.slot))
  })

  it("a version 1 snapshot (a row per vehicle) written by an older parkplane still reads", () => {
    const lot = lotWithVehicles()
    const v2 = JSON.parse(snapshotRecord(lot).state)
    const columns = v2.vehicles
    const rows = columns.slot.map((slot: number, i: number) => [slot, columns.seq[i], columns.registration[i], columns.color[i], columns.enteredAt[i], columns.reservation[i]])
    const record = { lotId: "L7", seq: lot.version, state: JSON.stringify({ ...v2, v: 1, vehicles: rows }) }
    expect(Either.getOrThrow(lotFromSnapshot(record)).toComparable()).toEqual(lot.toComparable())
  })

  it("malformed columns are a corrupt record, not a half-built lot", () => {
    const v2 = JSON.parse(snapshotRecord(lotWithVehicles()).state)
    for (const vehicles of [{ ...v2.vehicles, seq: v2.vehicles.seq.slice(1) }, { ...v2.vehicles, registration: [1, 2, 3] }, [[1, 2]], null]) {
      const result = lotFromSnapshot({ lotId: "L7", seq: 6, state: JSON.stringify({ ...v2, vehicles }) })
      expect(Either.isLeft(result) && result.left._tag).toBe("CorruptRecord")
    }
    for (const state of [{ ...v2, v: 3 }, { ...v2, colors: [1] }, { ...v2, outOfService: ["1"] }, { ...v2, created: { ...v2.created, layout: [] } }, { ...v2, version: "6" }, [v2]]) {
      const result = lotFromSnapshot({ lotId: "L7", seq: 6, state: JSON.stringify(state) })
      expect(Either.isLeft(result) && result.left._tag).toBe("CorruptRecord")
    }
  })
})
