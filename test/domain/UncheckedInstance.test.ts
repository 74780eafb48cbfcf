import { describe, expect, it } from "@effect/vitest"
import { Equal, Schema } from "effect"
import { LotEvent, SlotReserved, VehicleLeft, VehicleParked } from "../../src/domain/Events.ts"
import { LotId, ReservationId, TicketId } from "../../src/domain/Ids.ts"
import { Ticket } from "../../src/domain/Views.ts"
import { Money } from "../../src/domain/Tariff.ts"

/*
 * The hot constructors (`of`) skip Schema's constructor for speed; they must build exactly what
 * `new C(props, true)` builds, or the log, `Equal` and `instanceof` would tell them apart.
 */

const at = Date.UTC(2026, 10, 22, 8, 0, 0)
const ticketId = TicketId.make("L1-2")
const reservationId = ReservationId.make("L1-R5")
const fee = new Money({ amount: 250, currency: "EUR" })

const sameAsNew = <A extends object>(fast: A, slow: A, klass: abstract new (...args: never) => A) => {
  expect(fast).toBeInstanceOf(klass)
  expect(Object.getPrototypeOf(fast)).toBe(Object.getPrototypeOf(slow))
  expect(Object.keys(fast)).toEqual(Object.keys(slow))
  expect(Equal.equals(fast, slow)).toBe(true)
  expect(Equal.equals(slow, fast)).toBe(true)
  expect(String(fast)).toBe(String(slow))
}

describe("unchecked constructors", () => {
  it("VehicleParked.of, with and without a reservation, is new VehicleParked", () => {
    const fields = { ticketId, slot: 7, slotType: "ev", registration: "KA-01", color: "Red", at } as const
    sameAsNew(VehicleParked.of(fields), new VehicleParked(fields, true), VehicleParked)
    // In the schema's order, as the lot passes them: `new` keeps the order it is given.
    const claimed = { ticketId, slot: 7, slotType: "ev", registration: "KA-01", color: "Red", reservationId, at } as const
    sameAsNew(VehicleParked.of(claimed), new VehicleParked(claimed, true), VehicleParked)
    expect(Equal.equals(VehicleParked.of(fields), VehicleParked.of(claimed))).toBe(false)
  })

  it("VehicleLeft.of and SlotReserved.of are new VehicleLeft and new SlotReserved", () => {
    const left = { ticketId, slot: 7, registration: "KA-01", enteredAt: at, fee, at: at + 3_600_000 }
    sameAsNew(VehicleLeft.of(left), new VehicleLeft(left, true), VehicleLeft)
    const reserved = { reservationId, slot: 3, slotType: "standard", registration: "KA-02", expiresAt: at + 900_000, at } as const
    sameAsNew(SlotReserved.of(reserved), new SlotReserved(reserved, true), SlotReserved)
  })

  it("Money.of is new Money", () => {
    sameAsNew(Money.of(250, "EUR"), new Money({ amount: 250, currency: "EUR" }, true), Money)
    expect(Equal.equals(Money.of(250, "EUR"), Money.of(251, "EUR"))).toBe(false)
  })

  it("Ticket.of, open and closed, is new Ticket and encodes as it does", () => {
    const open = { id: ticketId, lotId: LotId.make("L1"), slot: 2, slotType: "standard", registration: "KA-01", color: "Red", enteredAt: at } as const
    sameAsNew(Ticket.of(open), new Ticket(open, true), Ticket)
    const closed = { ...open, exitedAt: at + 60_000, fee }
    sameAsNew(Ticket.of(closed), new Ticket(closed, true), Ticket)
    const encode = Schema.encodeSync(Ticket)
    expect(encode(Ticket.of(closed))).toEqual(encode(new Ticket(closed, true)))
    expect(encode(Ticket.of({ ...open, exitedAt: undefined, fee: undefined }))).toEqual(encode(new Ticket(open, true)))
  })

  it("events built by `of` pass Schema.is, encode as the others do and decode back equal", () => {
    const encode = Schema.encodeSync(LotEvent)
    const decode = Schema.decodeUnknownSync(LotEvent)
    const pairs = [
      [VehicleParked.of({ ticketId, slot: 1, slotType: "standard", registration: "A", color: "Blue", at }), new VehicleParked({ ticketId, slot: 1, slotType: "standard", registration: "A", color: "Blue", at })],
      [
        VehicleLeft.of({ ticketId, slot: 1, registration: "A", enteredAt: at, fee: Money.of(0, "EUR"), at }),
        new VehicleLeft({ ticketId, slot: 1, registration: "A", enteredAt: at, fee: new Money({ amount: 0, currency: "EUR" }), at })
      ]
    ] as const
    for (const [fast, slow] of pairs) {
      expect(Schema.is(LotEvent)(fast)).toBe(true)
      expect(encode(fast)).toEqual(encode(slow))
      expect(Equal.equals(decode(encode(fast)), fast)).toBe(true)
    }
  })
})
