import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import { LeaveTarget, Lot, LotCommand } from "../../src/domain/Lot.ts"
import { Tariff } from "../../src/domain/Tariff.ts"
import { accepted, apply, lotCreated, opening, outcome } from "./lotFixtures.ts"

/* Worked examples of the lot's rules; Lot.model.test.ts checks the same rules on random sequences. */

const minute = 60_000
const park = (registration: string, color = "White", slotType?: "standard" | "ev" | "compact") =>
  LotCommand.Park({ registration, color, slotType })
const leaveSlot = (slot: number) => LotCommand.Leave({ target: LeaveTarget.BySlot({ slot }) })

const refusal = (decision: ReturnType<Lot["decide"]>) => {
  if (Either.isRight(decision)) throw new Error("expected a refusal")
  return decision.left
}

const parkedSlot = (lot: Lot, command: LotCommand, now = opening): number => {
  const [event] = accepted(apply(lot, command, now))
  if (event._tag !== "VehicleParked") throw new Error(`expected VehicleParked, got ${event._tag}`)
  return event.slot
}

describe("Lot rules, worked examples", () => {
  it("parks in the lowest-numbered free slot of the asked type; no type means standard", () => {
    const lot = Lot.create(lotCreated([["standard", 2], ["ev", 2], ["standard", 2]]))
    expect([park("A1"), park("A2"), park("A3"), park("A4")].map((c) => parkedSlot(lot, c))).toEqual([1, 2, 5, 6])
    expect(apply(lot, park("A5"), opening)).toEqual(Either.left(expect.objectContaining({ _tag: "LotFull", slotType: "standard" })))
    expect(parkedSlot(lot, park("E1", "Red", "ev"))).toBe(3)
    expect(outcome(apply(lot, park("C1", "Red", "compact"), opening))).toBe("LotFull")
    accepted(apply(lot, leaveSlot(2), opening))
    expect(parkedSlot(lot, park("A6"))).toBe(2)
  })

  it("a registration parks once per lot", () => {
    const lot = Lot.create(lotCreated([["standard", 3]]))
    parkedSlot(lot, park("KA-01"))
    parkedSlot(lot, park("KA-02"))
    expect(refusal(apply(lot, park("KA-02", "Blue"), opening))).toEqual(
      expect.objectContaining({ _tag: "VehicleAlreadyParked", registration: "KA-02", slot: 2 })
    )
  })

  it("the holder of a reservation gets its reserved slot, whatever type it asks for", () => {
    const lot = Lot.create(lotCreated([["standard", 3], ["ev", 1]]))
    accepted(apply(lot, LotCommand.SetOutOfService({ slot: 1 }), opening))
    const [held] = accepted(apply(lot, LotCommand.Reserve({ registration: "HOLD 1", expiresAt: opening + 30 * minute }), opening))
    expect(held).toMatchObject({ _tag: "SlotReserved", slot: 2, slotType: "standard" })
    accepted(apply(lot, LotCommand.SetInService({ slot: 1 }), opening))
    expect(parkedSlot(lot, park("HOLD 1", "Grey", "ev"))).toBe(2)
    expect(lot.reservations()).toEqual([])
  })

  it("leaving by slot, ticket or registration closes the ticket with exit time and fee", () => {
    const tariff = Tariff.make({ currency: "EUR", freeMinutes: 15, perHour: 250, dailyCap: 1_500 })
    const lot = Lot.create(lotCreated([["standard", 3]], { tariff }))
    const [a] = accepted(apply(lot, park("A"), opening))
    const [b] = accepted(apply(lot, park("B"), opening))
    accepted(apply(lot, park("C"), opening))
    const exit = opening + 61 * minute
    expect(accepted(apply(lot, leaveSlot(1), exit))).toEqual([
      expect.objectContaining({ _tag: "VehicleLeft", ticketId: a._tag === "VehicleParked" ? a.ticketId : "", slot: 1, registration: "A", enteredAt: opening, at: exit, fee: expect.objectContaining({ amount: 500, currency: "EUR" }) })
    ])
    const byTicket = LotCommand.Leave({ target: LeaveTarget.ByTicket({ ticketId: b._tag === "VehicleParked" ? b.ticketId : "" }) })
    expect(accepted(apply(lot, byTicket, opening + 10 * minute))).toEqual([
      expect.objectContaining({ slot: 2, fee: expect.objectContaining({ amount: 0, currency: "EUR" }) })
    ])
    expect(outcome(apply(lot, byTicket, exit))).toBe("TicketNotFound")
    const byRegistration = LotCommand.Leave({ target: LeaveTarget.ByRegistration({ registration: "C" }) })
    expect(accepted(apply(lot, byRegistration, opening + 25 * 60 * minute))).toEqual([
      expect.objectContaining({ slot: 3, fee: expect.objectContaining({ amount: 1_750 }) })
    ])
    expect(outcome(apply(lot, byRegistration, exit))).toBe("VehicleNotFound")
    expect(outcome(apply(lot, leaveSlot(3), exit))).toBe("SlotAlreadyFree")
    expect(outcome(apply(lot, leaveSlot(4), exit))).toBe("SlotNotFound")
  })

  it("without a tariff a stay costs 0", () => {
    const lot = Lot.create(lotCreated([["standard", 1]]))
    parkedSlot(lot, park("A"))
    expect(accepted(apply(lot, leaveSlot(1), opening + 3 * 24 * 60 * minute))).toEqual([
      expect.objectContaining({ fee: expect.objectContaining({ amount: 0 }) })
    ])
  })

  it("ticket ids are never reused, even for the same slot and registration", () => {
    const lot = Lot.create(lotCreated([["standard", 1]]))
    const ids = new Set<string>()
    for (let i = 0; i < 5; i++) {
      const [event] = accepted(apply(lot, park("SAME"), opening + i))
      if (event._tag === "VehicleParked") ids.add(event.ticketId)
      accepted(apply(lot, leaveSlot(1), opening + i))
    }
    expect(ids.size).toBe(5)
  })

  it("colours match in any case and show as first given while any vehicle of that colour is parked", () => {
    const lot = Lot.create(lotCreated([["standard", 4]]))
    parkedSlot(lot, park("A", "Dark Blue"))
    parkedSlot(lot, park("B", "DARK BLUE"))
    parkedSlot(lot, park("C", "dark  blue"))
    expect(lot.vehicles("dark blue").map((v) => [v.registration, v.color])).toEqual([
      ["A", "Dark Blue"],
      ["B", "Dark Blue"],
      ["C", "Dark Blue"]
    ])
    expect(Either.getOrThrow(lot.locate("B")).ticket.color).toBe("Dark Blue")
    for (const slot of [1, 2, 3]) accepted(apply(lot, leaveSlot(slot), opening))
    parkedSlot(lot, park("D", "DARK blue"))
    expect(lot.vehicles("Dark Blue").map((v) => v.color)).toEqual(["DARK blue"])
    expect(lot.vehicles("Purple")).toEqual([])
  })

  it("reservations expire at their expiry, each with its own event, and their slots return to free", () => {
    const lot = Lot.create(lotCreated([["standard", 3]]))
    accepted(apply(lot, LotCommand.Reserve({ registration: "R1", expiresAt: opening + 10 * minute }), opening))
    accepted(apply(lot, LotCommand.Reserve({ registration: "R2", expiresAt: opening + 20 * minute }), opening))
    accepted(apply(lot, LotCommand.Reserve({ registration: "R3", expiresAt: opening + 10 * minute }), opening))
    expect(lot.summary()).toMatchObject({ free: 0, reserved: 3 })
    expect(accepted(apply(lot, LotCommand.ExpireReservations(), opening + 10 * minute - 1))).toEqual([])
    const version = lot.version
    const expired = accepted(apply(lot, LotCommand.ExpireReservations(), opening + 10 * minute))
    expect(expired.map((e) => [e._tag, "slot" in e ? e.slot : 0])).toEqual([
      ["ReservationExpired", 1],
      ["ReservationExpired", 3]
    ])
    expect(lot.version).toBe(version + 2)
    expect(lot.summary()).toMatchObject({ free: 2, reserved: 1 })
    expect(refusal(apply(lot, LotCommand.Reserve({ registration: "R2", expiresAt: opening + 60 * minute }), opening))).toEqual(
      expect.objectContaining({ _tag: "VehicleAlreadyReserved", registration: "R2" })
    )
  })

  it("out-of-service slots are skipped by park; occupied and reserved slots cannot go out of service", () => {
    const lot = Lot.create(lotCreated([["standard", 3]]))
    accepted(apply(lot, LotCommand.SetOutOfService({ slot: 1 }), opening))
    expect(parkedSlot(lot, park("A"))).toBe(2)
    accepted(apply(lot, LotCommand.Reserve({ registration: "R", expiresAt: opening + minute }), opening))
    expect(outcome(apply(lot, LotCommand.SetOutOfService({ slot: 2 }), opening))).toBe("SlotOccupied")
    expect(outcome(apply(lot, LotCommand.SetOutOfService({ slot: 3 }), opening))).toBe("SlotReserved")
    expect(outcome(apply(lot, LotCommand.SetOutOfService({ slot: 0 }), opening))).toBe("SlotNotFound")
    expect(outcome(apply(lot, park("B"), opening))).toBe("LotFull")
    accepted(apply(lot, LotCommand.SetInService({ slot: 1 }), opening))
    expect(parkedSlot(lot, park("B"))).toBe(1)
    expect(lot.summary()).toMatchObject({ capacity: 3, free: 0, occupied: 2, reserved: 1, outOfService: 0 })
  })

  it("decide reads only: neither an accepted nor a refused decision changes the lot", () => {
    const lot = Lot.create(lotCreated([["standard", 2]]))
    parkedSlot(lot, park("A"))
    const before = lot.toComparable()
    for (const command of [park("B"), park("A"), leaveSlot(1), leaveSlot(2), LotCommand.SetOutOfService({ slot: 2 }), LotCommand.ExpireReservations()]) {
      lot.decide(command, opening + minute)
      expect(lot.toComparable()).toEqual(before)
    }
  })
})
