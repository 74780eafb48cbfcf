import { describe, expect, it } from "@effect/vitest"
import { Arbitrary, Either, FastCheck as fc, ParseResult, Schema } from "effect"
import {
  Layout,
  LotCreated,
  LotEvent,
  LotName,
  ReservationCancelled,
  ReservationExpired,
  SlotReserved,
  SlotReturnedToService,
  SlotWentOutOfService,
  StoredLotEvent,
  VehicleLeft,
  VehicleParked
} from "../../src/domain/Events.ts"
import { Tariff } from "../../src/domain/Tariff.ts"
import { Timestamp } from "../../src/domain/Time.ts"
import { Color, colorKey, Registration } from "../../src/domain/Vehicle.ts"
import { LotSummary, ParkedVehicle, Reservation, SlotCounts, SlotInfo, Ticket, VehicleLocation } from "../../src/domain/Views.ts"

/** The messages a failed decode reports, as the API's InvalidInput would show them. */
const messagesOf = <A, I>(schema: Schema.Schema<A, I>, input: unknown): ReadonlyArray<string> | A => {
  const result = Schema.decodeUnknownEither(schema)(input)
  return Either.isRight(result) ? result.right : ParseResult.ArrayFormatter.formatErrorSync(result.left).map((issue) => issue.message)
}

/** Accept rows: input and decoded value. Reject rows: input and a message that must be reported. */
const decodeTable = <A, I>(
  name: string,
  schema: Schema.Schema<A, I>,
  accept: ReadonlyArray<readonly [unknown, unknown]>,
  reject: ReadonlyArray<readonly [unknown, string]>
) =>
  describe(name, () => {
    it.each(accept)(`accepts %j as %j`, (input, decoded) => {
      expect(Schema.decodeUnknownSync(schema)(input)).toEqual(decoded)
    })
    it.each(reject)(`rejects %j: %s`, (input, message) => {
      const messages = messagesOf(schema, input)
      expect(Array.isArray(messages), `decoded ${JSON.stringify(messages)}`).toBe(true)
      expect(messages).toContainEqual(expect.stringContaining(message))
    })
  })

describe("decode rules", () => {
  decodeTable(
    "Registration",
    Registration,
    [
      ["KA-01-HH-1234", "KA-01-HH-1234"],
      ["  ka-01-hh-1234  ", "KA-01-HH-1234"],
      ["ab 12", "AB 12"],
      ["7", "7"],
      ["A".repeat(20), "A".repeat(20)],
      [` ${"b".repeat(20)}\t`, "B".repeat(20)]
    ],
    [
      ["", "a registration must not be empty"],
      ["   ", "a registration must not be empty"],
      ["A".repeat(21), "a registration has at most 20 characters"],
      ["AB_12", "a registration has only letters, digits, spaces and '-'"],
      ["AB.12", "a registration has only letters, digits, spaces and '-'"],
      ["AB\t12", "a registration has only letters, digits, spaces and '-'"],
      ["ÄB 12", "a registration has only letters, digits, spaces and '-'"],
      [12, "Expected string"]
    ]
  )

  decodeTable(
    "Color",
    Color,
    [
      ["White", "White"],
      ["  dark Blue ", "dark Blue"],
      ["c".repeat(30), "c".repeat(30)]
    ],
    [
      ["", "a colour must not be empty"],
      ["   ", "a colour must not be empty"],
      ["c".repeat(31), "a colour has at most 30 characters"],
      ["Red1", "a colour has only letters and spaces"],
      ["grey-blue", "a colour has only letters and spaces"],
      [null, "Expected string"]
    ]
  )

  decodeTable(
    "LotName",
    LotName,
    [
      ["Airport P1", "Airport P1"],
      ["  Gare du Nord – niveau 2  ", "Gare du Nord – niveau 2"],
      ["n".repeat(100), "n".repeat(100)]
    ],
    [
      ["", "a lot name must not be empty"],
      ["    ", "a lot name must not be empty"],
      ["n".repeat(101), "a lot name has at most 100 characters"],
      ["Level\n2", "a lot name must not contain control characters"],
      ["zero\u200bwidth", "a lot name must not contain control characters"]
    ]
  )

  decodeTable(
    "Layout",
    Layout,
    [
      [[{ type: "standard", count: 3 }], [{ type: "standard", count: 3 }]],
      [
        [
          { type: "ev", count: 2 },
          { type: "standard", count: 10 },
          { type: "ev", count: 1 }
        ],
        [
          { type: "ev", count: 2 },
          { type: "standard", count: 10 },
          { type: "ev", count: 1 }
        ]
      ],
      [Array.from({ length: 64 }, () => ({ type: "compact", count: 1 })), Array.from({ length: 64 }, () => ({ type: "compact", count: 1 }))]
    ],
    [
      [[], "a lot needs at least one group of slots"],
      [Array.from({ length: 65 }, () => ({ type: "compact", count: 1 })), "a lot has at most 64 groups of slots"],
      [[{ type: "standard", count: 0 }], "a slot count is a whole number from 1"],
      [[{ type: "standard", count: 1.5 }], "Expected an integer"],
      [[{ type: "bus", count: 2 }], "a slot type is one of standard, compact, large, ev, accessible, motorcycle"],
      [[{ count: 2 }], "is missing"]
    ]
  )

  decodeTable(
    "Tariff",
    Tariff,
    [
      [
        { currency: "EUR", freeMinutes: 15, perHour: 250, dailyCap: 1500 },
        Tariff.make({ currency: "EUR", freeMinutes: 15, perHour: 250, dailyCap: 1500 })
      ],
      [{ currency: "JPY", freeMinutes: 0, perHour: 0 }, Tariff.make({ currency: "JPY", freeMinutes: 0, perHour: 0 })],
      [{ currency: "USD", freeMinutes: 1440, perHour: 1_000_000_000 }, Tariff.make({ currency: "USD", freeMinutes: 1440, perHour: 1_000_000_000 })]
    ],
    [
      [{ currency: "eur", freeMinutes: 15, perHour: 250 }, "a currency is a three-letter ISO 4217 code such as EUR"],
      [{ currency: "EURO", freeMinutes: 15, perHour: 250 }, "a currency is a three-letter ISO 4217 code such as EUR"],
      [{ currency: "EUR", freeMinutes: 1441, perHour: 250 }, "freeMinutes is between 0 and 1440"],
      [{ currency: "EUR", freeMinutes: -1, perHour: 250 }, "freeMinutes is between 0 and 1440"],
      [{ currency: "EUR", freeMinutes: 0, perHour: -1 }, "an amount is a whole number of minor units, 0 or more"],
      [{ currency: "EUR", freeMinutes: 0, perHour: 2.5 }, "Expected an integer"],
      [{ currency: "EUR", freeMinutes: 0, perHour: 1, dailyCap: 1_000_000_001 }, "an amount is at most 1000000000 minor units"]
    ]
  )

  decodeTable(
    "Timestamp",
    Timestamp,
    [
      ["2026-11-22T08:00:00.000Z", Date.UTC(2026, 10, 22, 8)],
      ["2026-11-22T08:00:00Z", Date.UTC(2026, 10, 22, 8)],
      ["2026-11-22T10:00:00+02:00", Date.UTC(2026, 10, 22, 8)],
      ["1970-01-01T00:00:00.000Z", 0],
      ["9999-12-31T23:59:59.999Z", 253_402_300_799_999]
    ],
    [
      ["2026-11-22", "an instant is an ISO-8601 UTC string"],
      ["22/11/2026 08:00", "an instant is an ISO-8601 UTC string"],
      ["2026-13-40T00:00:00Z", "an instant is an ISO-8601 UTC string"],
      ["yesterday", "an instant is an ISO-8601 UTC string"],
      ["", "an instant is an ISO-8601 UTC string"],
      [1_700_000_000_000, "Expected string"]
    ]
  )

  it("Timestamp encodes an instant as its ISO-8601 UTC string, and refuses numbers that are no instant", () => {
    expect(Schema.encodeSync(Timestamp)(Date.UTC(2026, 10, 22, 8))).toBe("2026-11-22T08:00:00.000Z")
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, 1.5, 8.64e15]) {
      expect(Either.isLeft(Schema.encodeEither(Timestamp)(bad))).toBe(true)
    }
  })

  it("colorKey matches case-insensitively and ignores the runs of spaces a driver types", () => {
    expect(colorKey("Dark Blue")).toBe(colorKey("  dark   BLUE "))
    expect(colorKey("Dark Blue")).not.toBe(colorKey("DarkBlue"))
  })
})

describe("normalised forms are fixed points", () => {
  it.prop(
    "a decoded registration decodes to itself and encodes to itself",
    { raw: fc.stringMatching(/^ {0,2}[A-Za-z0-9][A-Za-z0-9 -]{0,17} {0,2}$/) },
    ({ raw }) => {
      const registration = Schema.decodeUnknownSync(Registration)(raw)
      expect(registration).toBe(raw.trim().toUpperCase())
      expect(Schema.decodeUnknownSync(Registration)(registration)).toBe(registration)
      expect(Schema.encodeSync(Registration)(registration)).toBe(registration)
    },
    { fastCheck: { numRuns: 200 } }
  )

  it.prop(
    "a decoded colour keeps its case and decodes to itself",
    { raw: fc.stringMatching(/^ {0,2}[A-Za-z][A-Za-z ]{0,25}[A-Za-z] {0,2}$/) },
    ({ raw }) => {
      const color = Schema.decodeUnknownSync(Color)(raw)
      expect(color).toBe(raw.trim())
      expect(Schema.decodeUnknownSync(Color)(color)).toBe(color)
    },
    { fastCheck: { numRuns: 200 } }
  )
})

/**
 * Encode, optionally through JSON text as the log carries it, then decode: the same value back.
 * Views keep plain `Schema.Number` counts and slots, whose arbitraries include NaN, -0 and
 * Infinity that JSON cannot carry; the lot only ever fills them with whole numbers.
 */
const roundTrips = (schema: Schema.Schema.AnyNoContext, viaJson: boolean) =>
  it.prop(
    viaJson ? "round-trips through JSON" : "round-trips through its encoded form",
    [schema],
    ([value]) => {
      const encoded = Schema.encodeSync(schema)(value)
      const carried = viaJson ? JSON.parse(JSON.stringify(encoded)) : encoded
      expect(Schema.decodeUnknownSync(schema)(carried)).toEqual(value)
    },
    { fastCheck: { numRuns: 200 } }
  )

describe("every event round-trips", () => {
  const events = {
    LotCreated,
    VehicleParked,
    VehicleLeft,
    SlotReserved,
    ReservationCancelled,
    ReservationExpired,
    SlotWentOutOfService,
    SlotReturnedToService
  }

  it("the LotEvent union holds exactly these events", () => {
    expect(LotEvent.members.map((m) => m.identifier).sort()).toEqual(Object.keys(events).sort())
  })

  for (const [name, schema] of Object.entries(events)) describe(name, () => roundTrips(schema, true))
  describe("LotEvent", () => roundTrips(LotEvent, true))
  describe("StoredLotEvent", () => roundTrips(StoredLotEvent, true))

  it.prop(
    "an encoded event names its kind in _tag, and times are ISO strings",
    [LotEvent],
    ([event]) => {
      const encoded = Schema.encodeSync(LotEvent)(event)
      expect(encoded._tag).toBe(event._tag)
      expect(encoded.at).toBe(new Date(event.at).toISOString())
    },
    { fastCheck: { numRuns: 200 } }
  )
})

describe("every view round-trips", () => {
  const views = { Ticket, Reservation, SlotCounts, LotSummary, SlotInfo, ParkedVehicle, VehicleLocation, Tariff }
  for (const [name, schema] of Object.entries(views)) describe(name, () => roundTrips(schema, false))

  it("view arbitraries come from the same schemas (a generated ticket is a valid ticket)", () => {
    for (const ticket of fc.sample(Arbitrary.make(Ticket), 50)) {
      expect(Schema.is(Ticket)(ticket)).toBe(true)
    }
  })
})
