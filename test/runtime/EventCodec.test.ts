import { describe, expect, it } from "@effect/vitest"
import { Arbitrary, Either, FastCheck as fc, Schema } from "effect"
import { LotCreated, LotEvent, SlotGroup, VehicleLeft, VehicleParked } from "../../src/domain/Events.ts"
import { LotId } from "../../src/domain/Ids.ts"
import { LeaveTarget, Lot, LotCommand } from "../../src/domain/Lot.ts"
import { SlotType } from "../../src/domain/SlotType.ts"
import { eventJson, eventJsonBySchema, fromRecord, fromRecordBySchema, lotFromSnapshot, snapshotRecord, toRecord } from "../../src/runtime/EventCodec.ts"
import { awkwardText } from "../freeText.ts"

describe("event codec", () => {
  it.prop(
    "a park is written exactly as its Schema encodes it, and reads back equal",
    { event: Arbitrary.make(Schema.Struct({ ...VehicleParked.fields, registration: awkwardText, color: awkwardText })) },
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
    { event: Arbitrary.make(Schema.Struct({ ...VehicleLeft.fields, registration: awkwardText })) },
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

describe("event rows read back", () => {
  const record = (payload: string) => ({ lotId: "L1", seq: 9, type: "VehicleParked", payload, at: 0, ticketId: null })
  const written = (event: LotEvent): Record<string, unknown> => JSON.parse(eventJson(event))
  const parks = Arbitrary.make(Schema.Struct({ ...VehicleParked.fields, registration: awkwardText, color: awkwardText })).map((e) =>
    written(VehicleParked.make({ ...e }, true))
  )
  const leaves = Arbitrary.make(Schema.Struct({ ...VehicleLeft.fields, registration: awkwardText })).map((e) => written(VehicleLeft.make({ ...e }, true)))
  // Values near each field's edges, so that a field the fast decoders take and the Schema refuses
  // (or the other way round) shows up in a few hundred runs.
  const edgy = fc.oneof(
    fc.constantFrom(
      null, true, 0, -0, 1, -1, 1.5, 2 ** 53 - 1, 2 ** 53, 1e21, "", "L1-2", "L01-2", "L1-0", "L1-R3", "L1-R0", "L1-2 ", "standard", "ev", "Standard",
      "EUR", "eur", "EURO", "2026-11-22T08:00:00.000Z", "2026-11-22T08:00:00Z", "2026-11-22T08:00:00+14:00", "2026-11-22", "2026-13-22T08:00:00.000Z",
      "0000-01-01T00:00:00.000Z", "0000-01-01T00:00:00.000+00:01", "9999-12-31T23:59:59.999Z", "9999-12-31T23:59:59.999-00:01", "+002026-11-22T08:00:00.000Z",
      "VehicleParked", "VehicleLeft", "SlotReserved", [], {}
    ),
    fc.record({ amount: fc.oneof(fc.integer({ min: -2, max: 5 }), fc.constant(1.5), fc.constant("1")), currency: fc.constantFrom("EUR", "eur", "EU", 3) }),
    fc.string({ maxLength: 6 }),
    fc.double()
  )
  const keys = ["_tag", "ticketId", "slot", "slotType", "registration", "color", "reservationId", "at", "enteredAt", "fee", "extra"]
  const mangled = fc
    .tuple(fc.oneof(parks, leaves), fc.array(fc.tuple(fc.constantFrom(...keys), fc.option(edgy, { nil: undefined })), { minLength: 1, maxLength: 3 }))
    .map(([json, changes]) => {
      const copy: Record<string, unknown> = { ...json }
      for (const [key, value] of changes) {
        if (value === undefined) delete copy[key]
        else copy[key] = value
      }
      return JSON.stringify(copy)
    })

  // A fee's own fields, which the changes above reach only as a whole.
  const mangledFees = fc
    .tuple(
      leaves,
      fc.record(
        { amount: fc.constantFrom(-1, -0, 0, 7, 1.5, 2 ** 53 - 1, 2 ** 53, "1", null), currency: fc.constantFrom("EUR", "USD", "eur", "EU", "EURO", "E1R", 3, null) },
        { requiredKeys: [] }
      )
    )
    .map(([json, fee]) => JSON.stringify({ ...json, fee }))

  it.prop("a park or leave as written reads back as its Schema reads it", { json: fc.oneof(parks, leaves) }, ({ json }) => {
    const row = record(JSON.stringify(json))
    const read = fromRecord(row)
    expect(Either.isRight(read)).toBe(true)
    expect(read).toStrictEqual(fromRecordBySchema(row))
  }, { fastCheck: { numRuns: 300 } })

  it.prop("a mangled payload reads as its Schema reads it: the same event, or the same error", { payload: mangled }, ({ payload }) => {
    expect(fromRecord(record(payload))).toStrictEqual(fromRecordBySchema(record(payload)))
  }, { fastCheck: { numRuns: 2000 } })

  it.prop("a leave with a mangled fee reads as its Schema reads it", { payload: mangledFees }, ({ payload }) => {
    expect(fromRecord(record(payload))).toStrictEqual(fromRecordBySchema(record(payload)))
  }, { fastCheck: { numRuns: 500 } })

  it("a payload that is not JSON is a corrupt record that names its row", () => {
    const read = fromRecord(record('{"_tag":"VehicleParked",'))
    expect(Either.isLeft(read) && read.left.message).toMatch(/^event L1#9 does not decode: its payload is not JSON/)
    expect(read).toStrictEqual(fromRecordBySchema(record('{"_tag":"VehicleParked",')))
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

  // What parkplane wrote before version 3: the lot's snapshot as one JSON text.
  const v2State = (lot: Lot): string => JSON.stringify(lot.toSnapshot())

  it("a version 2 snapshot (columns as JSON) written by an older parkplane still reads", () => {
    const lot = lotWithVehicles()
    const state = v2State(lot)
    expect(JSON.parse(state)).toMatchObject({ v: 2, vehicles: { slot: [1, 3, 4], registration: ["A-1", "A-3", "A-4"] } })
    const rebuilt = Either.getOrThrow(lotFromSnapshot({ lotId: "L7", seq: lot.version, state }))
    expect(rebuilt.toComparable()).toEqual(lot.toComparable())
    expect(rebuilt.vehicles("RED").map((v) => v.slot)).toEqual(lot.vehicles("RED").map((v) => v.slot))
  })

  it("a version 1 snapshot (a row per vehicle) written by an older parkplane still reads", () => {
    const lot = lotWithVehicles()
    const v2 = JSON.parse(v2State(lot))
    const columns = v2.vehicles
    const rows = columns.slot.map((slot: number, i: number) => [slot, columns.seq[i], columns.registration[i], columns.color[i], columns.enteredAt[i], columns.reservation[i]])
    const record = { lotId: "L7", seq: lot.version, state: JSON.stringify({ ...v2, v: 1, vehicles: rows }) }
    expect(Either.getOrThrow(lotFromSnapshot(record)).toComparable()).toEqual(lot.toComparable())
  })

  it("malformed columns are a corrupt record, not a half-built lot", () => {
    const v2 = JSON.parse(v2State(lotWithVehicles()))
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

describe("binary snapshot (version 3)", () => {
  const plate = fc.stringMatching(/^[A-Z0-9 -]{1,20}$/)
  const color = fc.constantFrom("Red", "red", "Blue", "Dark Green", "white", "WHITE")
  const op = (pool: number) =>
    fc.oneof(
      { weight: 5, arbitrary: fc.record({ op: fc.constant("park" as const), reg: fc.nat(pool - 1), color, type: fc.option(Arbitrary.make(SlotType), { nil: undefined }) }) },
      { weight: 2, arbitrary: fc.record({ op: fc.constant("leave" as const), slot: fc.nat() }) },
      { weight: 2, arbitrary: fc.record({ op: fc.constant("reserve" as const), reg: fc.nat(pool - 1), hold: fc.integer({ min: 1, max: 100_000 }) }) },
      { weight: 1, arbitrary: fc.record({ op: fc.constant("outOfService" as const), slot: fc.nat() }) },
      { weight: 1, arbitrary: fc.record({ op: fc.constant("inService" as const), slot: fc.nat() }) }
    )
  const lotArb = fc
    .record({
      layout: fc.array(fc.tuple(Arbitrary.make(SlotType), fc.integer({ min: 1, max: 12 })), { minLength: 1, maxLength: 3 }),
      plates: fc.uniqueArray(plate, { minLength: 1, maxLength: 30 })
    })
    .chain(({ layout, plates }) => fc.record({ layout: fc.constant(layout), plates: fc.constant(plates), ops: fc.array(op(plates.length), { maxLength: 80 }) }))

  /** A lot built by the domain from random commands (refusals are skipped, as a lot's caller would). */
  const buildLot = ({ layout, ops, plates }: typeof lotArb extends fc.Arbitrary<infer T> ? T : never): Lot => {
    const lot = Lot.create(
      LotCreated.make({ lotId: LotId.make("L9"), name: "random", layout: layout.map(([type, count]) => SlotGroup.make({ type, count })), at: 0 })
    )
    let now = 1_000
    for (const step of ops) {
      now += 60_000
      const command =
        step.op === "park"
          ? LotCommand.Park({ registration: plates[step.reg], color: step.color, slotType: step.type })
          : step.op === "leave"
            ? LotCommand.Leave({ target: LeaveTarget.BySlot({ slot: (step.slot % lot.capacity) + 1 }) })
            : step.op === "reserve"
              ? LotCommand.Reserve({ registration: plates[step.reg], expiresAt: now + step.hold })
              : step.op === "outOfService"
                ? LotCommand.SetOutOfService({ slot: (step.slot % lot.capacity) + 1 })
                : LotCommand.SetInService({ slot: (step.slot % lot.capacity) + 1 })
      const decision = lot.decide(command, now)
      if (Either.isRight(decision)) for (const event of decision.right) lot.evolve(event)
    }
    return lot
  }

  /** Everything a caller can see of a lot, in the order the lot gives it. */
  const observed = (lot: Lot) => ({
    comparable: lot.toComparable(),
    vehicles: lot.vehicles(),
    byColor: ["red", "BLUE", "dark green", "White"].map((c) => lot.vehicles(c)),
    reservations: lot.reservations(),
    slots: lot.slots(),
    nextPark: lot.decide(LotCommand.Park({ registration: "NEW-1", color: "Red" }), 10_000_000)
  })

  it.prop(
    "a random lot written as version 3 reads back as the same lot",
    { spec: lotArb },
    ({ spec }) => {
      const lot = buildLot(spec)
      const record = snapshotRecord(lot)
      expect(JSON.parse(record.state.slice(0, record.state.indexOf("\n")))).toMatchObject({ v: 3, version: lot.version, vehicles: lot.occupiedCount })
      const rebuilt = Either.getOrThrow(lotFromSnapshot(record))
      expect(observed(rebuilt)).toEqual(observed(lot))
      // and the version 2 text of the same lot reads as the same lot too
      expect(observed(Either.getOrThrow(lotFromSnapshot({ ...record, state: JSON.stringify(lot.toSnapshot()) })))).toEqual(observed(lot))
    },
    { fastCheck: { numRuns: 200 } }
  )

  /** Four vehicles in a lot of six (one on a reservation), two colours, one slot out of service. */
  const sample = () => {
    const lot = Lot.create(LotCreated.make({ lotId: LotId.make("L8"), name: "bin", layout: [SlotGroup.make({ type: "standard", count: 6 })], at: 0 }))
    const commands = [
      LotCommand.Park({ registration: "AB-1", color: "Red" }),
      LotCommand.Park({ registration: "AB-2", color: "Blue" }),
      LotCommand.Reserve({ registration: "AB-3", expiresAt: 90_000 }),
      LotCommand.Park({ registration: "AB-3", color: "red" }),
      LotCommand.SetOutOfService({ slot: 6 }),
      LotCommand.Park({ registration: "AB-4", color: "Blue" })
    ]
    for (const command of commands) {
      const decision = lot.decide(command, 5_000)
      if (Either.isLeft(decision)) throw new Error(decision.left.message)
      for (const event of decision.right) lot.evolve(event)
    }
    return lot
  }

  interface Parts {
    header: Record<string, unknown>
    bytes: Buffer
  }
  const split = (state: string): Parts => {
    const at = state.indexOf("\n")
    return { header: JSON.parse(state.slice(0, at)), bytes: Buffer.from(state.slice(at + 1), "base64") }
  }
  const join = ({ bytes, header }: Parts): string => `${JSON.stringify(header)}\n${bytes.toString("base64")}`
  /** The sample's state with its binary part changed: n = 4 vehicles, so seq at 0, enteredAt at 32, slot at 64, colour at 80, registrations at 88. */
  const withBytes = (change: (bytes: Buffer) => void): string => {
    const parts = split(snapshotRecord(sample()).state)
    change(parts.bytes)
    return join(parts)
  }
  const withHeader = (change: (header: Record<string, unknown>) => Record<string, unknown>): string => {
    const parts = split(snapshotRecord(sample()).state)
    return join({ ...parts, header: change(parts.header) })
  }
  const failsWith = (state: string, reason: RegExp) => {
    const result = lotFromSnapshot({ lotId: "L8", seq: 7, state })
    expect(Either.isLeft(result) ? result.left : result.right.toComparable()).toMatchObject({ _tag: "CorruptRecord", message: expect.stringMatching(reason) })
  }

  it("the sample is laid out as the format says, and reads back", () => {
    const lot = sample()
    const { bytes, header } = split(snapshotRecord(lot).state)
    expect(header).toMatchObject({ v: 3, vehicles: 4, colors: ["Red", "Blue"], claims: [[2, "L8-R4"]], registrationBytes: 19, outOfService: [6] })
    expect(bytes.length).toBe(4 * 22 + 19)
    expect([bytes.readDoubleLE(0), bytes.readUInt32LE(64), bytes.readUInt16LE(80), bytes.toString("latin1", 88)]).toEqual([2, 1, 0, "AB-1\nAB-2\nAB-3\nAB-4"])
    expect(observed(Either.getOrThrow(lotFromSnapshot(snapshotRecord(lot))))).toEqual(observed(lot))
  })

  it("a lot with more than 65,535 colours writes its colour column as 32-bit", () => {
    const n = 65_540
    const lot = Lot.create(LotCreated.make({ lotId: LotId.make("L6"), name: "many", layout: [SlotGroup.make({ type: "standard", count: n })], at: 0 }))
    const letters = (i: number): string => (i < 26 ? "" : letters(Math.floor(i / 26) - 1)) + String.fromCharCode(65 + (i % 26))
    for (let i = 0; i < n; i++) {
      const decision = lot.decide(LotCommand.Park({ registration: `M-${i}`, color: `C ${letters(i)}` }), 1_000 + i)
      if (Either.isLeft(decision)) throw new Error(decision.left.message)
      for (const event of decision.right) lot.evolve(event)
    }
    const record = snapshotRecord(lot)
    const { bytes, header } = split(record.state)
    expect(header).toMatchObject({ vehicles: n })
    expect(bytes.length).toBe(24 * n + Number(header.registrationBytes))
    expect(bytes.readUInt32LE(20 * n + 4 * (n - 1))).toBe(n - 1)
    const rebuilt = Either.getOrThrow(lotFromSnapshot(record))
    expect(rebuilt.toComparable()).toEqual(lot.toComparable())
    expect(rebuilt.vehicles(`c ${letters(n - 1).toLowerCase()}`)).toEqual(lot.vehicles(`C ${letters(n - 1)}`))
  })

  it("a truncated snapshot is a corrupt record", () => {
    const state = snapshotRecord(sample()).state
    failsWith(state.slice(0, -4), /base64 characters, not the 107 bytes/)
    failsWith(state.slice(0, -1), /base64 characters/)
    failsWith(state.slice(0, state.indexOf("\n") + 1), /base64 characters/)
    failsWith(state.slice(0, state.indexOf("\n")), /unknown version 3/)
    failsWith(state.slice(0, 40), /not JSON/)
  })

  it("bad base64 or a bad header is a corrupt record", () => {
    const state = snapshotRecord(sample()).state
    const at = state.indexOf("\n") + 10
    failsWith(`${state.slice(0, at)}@${state.slice(at + 1)}`, /decodes to 106 bytes, not 107/)
    failsWith(`{"v":3,\n${state.slice(state.indexOf("\n") + 1)}`, /the header is not JSON/)
    failsWith(withHeader((h) => ({ ...h, v: 2 })), /unknown version 2 for a binary snapshot/)
    failsWith(withHeader((h) => ({ ...h, claims: [[2]] })), /reservations of vehicles are malformed/)
    failsWith(withHeader((h) => ({ ...h, registrationBytes: "19" })), /no registration length/)
  })

  it("lengths that do not agree are a corrupt record", () => {
    failsWith(withHeader((h) => ({ ...h, vehicles: 5 })), /base64 characters, not the/)
    failsWith(withHeader((h) => ({ ...h, vehicles: 7 })), /7 vehicles in a lot of 6 slots/)
    failsWith(withHeader((h) => ({ ...h, vehicles: -1 })), /-1 vehicles/)
    failsWith(withHeader((h) => ({ ...h, registrationBytes: 18 })), /base64 characters, not the 106 bytes/)
    failsWith(withBytes((b) => b.write("AB-1\nAB-2\nAB-3-AB-4", 88, "latin1")), /3 registrations for 4 vehicles/)
    failsWith(withBytes((b) => b.write("AB-1\nAB-2\n\nAB-3AB-4", 88, "latin1")), /vehicle 2: a registration of 0 characters/)
    failsWith(withBytes((b) => b.write("AB-1\nAB-2\nab-3\nAB-4", 88, "latin1")), /characters a registration cannot have/)
    failsWith(withBytes((b) => b.write("AB-1\nAB-1\nAB-3\nAB-4", 88, "latin1")), /two vehicles share a registration/)
    failsWith(withHeader((h) => ({ ...h, claims: [[4, "L8-R4"]] })), /reservation of vehicle 4/)
  })

  it("a colour index or slot out of range is a corrupt record", () => {
    failsWith(withBytes((b) => b.writeUInt16LE(2, 82)), /vehicle 1: colour 2 is not one of the 2 colours/)
    failsWith(withBytes((b) => b.writeUInt32LE(7, 68)), /vehicle 1: slot 7 is not in 1..6/)
    failsWith(withBytes((b) => b.writeUInt32LE(0, 64)), /vehicle 0: slot 0 is not in 1..6/)
    failsWith(withBytes((b) => b.writeUInt32LE(6, 64)), /does not fit its lot: .*slot 6 cannot park from OutOfService/)
    failsWith(withBytes((b) => b.writeUInt32LE(2, 64)), /does not fit its lot/)
  })

  it("tickets out of order or newer than the lot, or entry times that are not times, are a corrupt record", () => {
    failsWith(withBytes((b) => b.writeDoubleLE(3, 0)), /vehicle 1: ticket 3 is not after ticket 3/)
    failsWith(withBytes((b) => b.writeDoubleLE(99, 24)), /vehicle 3: ticket 99 is not after ticket \d+ and at most 7/)
    failsWith(withBytes((b) => b.writeDoubleLE(1.5, 0)), /vehicle 0: ticket 1.5/)
    failsWith(withBytes((b) => b.writeDoubleLE(Number.NaN, 40)), /vehicle 1: entry time NaN is not a time/)
  })
})
