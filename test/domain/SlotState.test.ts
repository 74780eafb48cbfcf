import { describe, expect, it } from "@effect/vitest"
import { readFileSync } from "node:fs"
import { Either } from "effect"
import { SlotReserved as SlotReservedEvent, SlotReturnedToService, SlotWentOutOfService, VehicleParked } from "../../src/domain/Events.ts"
import { ReservationId, TicketId } from "../../src/domain/Ids.ts"
import { LeaveTarget, Lot, LotCommand } from "../../src/domain/Lot.ts"
import {
  type SlotAction,
  slotActions,
  type SlotState,
  slotStateCode,
  slotStateOfCode,
  slotStates,
  slotTransitions,
  slotTransitionTableMarkdown,
  transition
} from "../../src/domain/SlotState.ts"
import { accepted, apply, lotCreated, opening, outcome } from "./lotFixtures.ts"

/*
 * The expected table, written out by hand from the rules: only a free slot takes a vehicle, a
 * reservation or maintenance; only a reserved slot is claimed or released; only an occupied slot is
 * left; only an out-of-service slot returns to service. Every other pair names why it is refused.
 */
const expected: Record<SlotState, Record<SlotAction, string>> = {
  Free: {
    park: "-> Occupied",
    claim: "SlotNotReserved",
    leave: "SlotAlreadyFree",
    reserve: "-> Reserved",
    release: "SlotNotReserved",
    outOfService: "-> OutOfService",
    inService: "SlotInService"
  },
  Reserved: {
    park: "SlotReserved",
    claim: "-> Occupied",
    leave: "SlotReserved",
    reserve: "SlotReserved",
    release: "-> Free",
    outOfService: "SlotReserved",
    inService: "SlotInService"
  },
  Occupied: {
    park: "SlotOccupied",
    claim: "SlotOccupied",
    leave: "-> Free",
    reserve: "SlotOccupied",
    release: "SlotOccupied",
    outOfService: "SlotOccupied",
    inService: "SlotInService"
  },
  OutOfService: {
    park: "SlotOutOfService",
    claim: "SlotOutOfService",
    leave: "SlotOutOfService",
    reserve: "SlotOutOfService",
    release: "SlotOutOfService",
    outOfService: "SlotOutOfService",
    inService: "-> Free"
  }
}

const show = (state: SlotState, action: SlotAction): string => {
  const t = transition(state, action)
  return "to" in t ? `-> ${t.to}` : t.refused
}

const pairs = slotStates.flatMap((state) => slotActions.map((action) => [state, action] as const))

/** A one-slot lot whose slot 1 is in `state`, reached through real commands. */
const lotIn = (state: SlotState): Lot => {
  const lot = Lot.create(lotCreated([["standard", 1]]))
  switch (state) {
    case "Free":
      break
    case "Reserved":
      accepted(apply(lot, LotCommand.Reserve({ registration: "HOLDER", expiresAt: opening + 3_600_000 }), opening))
      break
    case "Occupied":
      accepted(apply(lot, LotCommand.Park({ registration: "PARKED", color: "Red" }), opening))
      break
    case "OutOfService":
      accepted(apply(lot, LotCommand.SetOutOfService({ slot: 1 }), opening))
      break
  }
  expect(stateOf(lot)).toBe(state)
  return lot
}

const stateOf = (lot: Lot): SlotState => Either.getOrThrow(lot.slot(1)).state

const later = opening + 60_000

describe("slot state machine", () => {
  it("has exactly the four states and seven actions", () => {
    expect(slotStates).toEqual(["Free", "Reserved", "Occupied", "OutOfService"])
    expect(slotActions).toEqual(["park", "claim", "leave", "reserve", "release", "outOfService", "inService"])
    expect(Object.keys(slotTransitions).sort()).toEqual([...slotStates].sort())
    for (const state of slotStates) expect(Object.keys(slotTransitions[state]).sort()).toEqual([...slotActions].sort())
  })

  it.each(pairs)("%s x %s follows the table", (state, action) => {
    expect(show(state, action)).toBe(expected[state][action])
    expect(transition(state, action)).toBe(slotTransitions[state][action])
  })

  it("every state is reachable and can get back to Free", () => {
    for (const state of slotStates) {
      expect(slotStates.some((from) => slotActions.some((a) => show(from, a) === `-> ${state}`))).toBe(true)
      expect(slotActions.some((a) => show(state, a) === "-> Free") || state === "Free").toBe(true)
    }
  })

  it("state codes are dense and invertible", () => {
    slotStates.forEach((state, i) => {
      expect(slotStateCode[state]).toBe(i)
      expect(slotStateOfCode(i)).toBe(state)
    })
  })
})

describe("the lot refuses exactly what the table refuses", () => {
  /*
   * Slot-addressed commands (leave by slot, out of service, in service) must answer the table's
   * own refusal and otherwise end in the table's target state.
   */
  const slotCommands = {
    leave: LotCommand.Leave({ target: LeaveTarget.BySlot({ slot: 1 }) }),
    outOfService: LotCommand.SetOutOfService({ slot: 1 }),
    inService: LotCommand.SetInService({ slot: 1 })
  } as const

  for (const state of slotStates) {
    for (const action of ["leave", "outOfService", "inService"] as const) {
      it(`${action} on a slot that is ${state}: ${expected[state][action]}`, () => {
        const lot = lotIn(state)
        const before = lot.toComparable()
        const decision = apply(lot, slotCommands[action], later)
        const t = transition(state, action)
        if ("to" in t) {
          expect(outcome(decision)).toBe("accepted")
          expect(stateOf(lot)).toBe(t.to)
        } else {
          expect(outcome(decision)).toBe(t.refused)
          expect(Either.isLeft(decision) && "slot" in decision.left ? decision.left.slot : undefined).toBe(1)
          expect(lot.toComparable()).toEqual(before)
        }
      })
    }

    /*
     * Park and reserve ask for a type, not a slot: a refused transition means the only slot of the
     * type is not available, which the lot answers with LotFull.
     */
    it(`park by a stranger when the only slot is ${state}: ${expected[state].park}`, () => {
      const lot = lotIn(state)
      const decision = apply(lot, LotCommand.Park({ registration: "STRANGER", color: "Blue" }), later)
      const t = transition(state, "park")
      expect(outcome(decision)).toBe("to" in t ? "accepted" : "LotFull")
      if ("to" in t) expect(stateOf(lot)).toBe(t.to)
      else expect(stateOf(lot)).toBe(state)
    })

    it(`reserve by a stranger when the only slot is ${state}: ${expected[state].reserve}`, () => {
      const lot = lotIn(state)
      const decision = apply(lot, LotCommand.Reserve({ registration: "STRANGER", expiresAt: later + 60_000 }), later)
      const t = transition(state, "reserve")
      expect(outcome(decision)).toBe("to" in t ? "accepted" : "LotFull")
      expect(stateOf(lot)).toBe("to" in t ? t.to : state)
    })
  }

  it("claim: the holder of a reservation parks in its reserved slot (Reserved -> Occupied)", () => {
    const lot = lotIn("Reserved")
    const [reservation] = lot.reservations()
    const [event] = accepted(apply(lot, LotCommand.Park({ registration: "HOLDER", color: "Green", slotType: "ev" }), later))
    expect(event).toMatchObject({ _tag: "VehicleParked", slot: 1, slotType: "standard", registration: "HOLDER", reservationId: reservation.id })
    expect(stateOf(lot)).toBe("Occupied")
    expect(lot.reservations()).toEqual([])
  })

  it("release: cancelling and expiring a reservation free its slot (Reserved -> Free)", () => {
    const cancelled = lotIn("Reserved")
    const [reservation] = cancelled.reservations()
    accepted(apply(cancelled, LotCommand.CancelReservation({ reservationId: reservation.id }), later))
    expect(stateOf(cancelled)).toBe("Free")

    const expired = lotIn("Reserved")
    expect(accepted(apply(expired, LotCommand.ExpireReservations(), reservation.expiresAt - 1))).toEqual([])
    expect(stateOf(expired)).toBe("Reserved")
    expect(accepted(apply(expired, LotCommand.ExpireReservations(), reservation.expiresAt))).toHaveLength(1)
    expect(stateOf(expired)).toBe("Free")
  })

  it("release of a reservation that no longer holds a slot is ReservationNotFound", () => {
    const lot = lotIn("Reserved")
    const [reservation] = lot.reservations()
    accepted(apply(lot, LotCommand.Park({ registration: "HOLDER", color: "Green" }), later))
    expect(outcome(apply(lot, LotCommand.CancelReservation({ reservationId: reservation.id }), later))).toBe("ReservationNotFound")
  })

  /*
   * `evolve` guards the table too: an event the table refuses is a defect of the log and throws,
   * leaving the slot as it was.
   */
  const eventFor = (action: "park" | "reserve" | "outOfService" | "inService") => {
    switch (action) {
      case "park":
        return VehicleParked.make({ ticketId: TicketId.make("L1-90"), slot: 1, slotType: "standard", registration: "GHOST", color: "Grey", at: later })
      case "reserve":
        return SlotReservedEvent.make({
          reservationId: ReservationId.make("L1-R90"),
          slot: 1,
          slotType: "standard",
          registration: "GHOST",
          expiresAt: later + 1,
          at: later
        })
      case "outOfService":
        return SlotWentOutOfService.make({ slot: 1, at: later })
      case "inService":
        return SlotReturnedToService.make({ slot: 1, at: later })
    }
  }

  for (const state of slotStates) {
    for (const action of ["park", "reserve", "outOfService", "inService"] as const) {
      it(`evolve(${action}) from ${state}: ${expected[state][action]}`, () => {
        const lot = lotIn(state)
        const t = transition(state, action)
        if ("to" in t) {
          lot.evolve(eventFor(action))
          expect(stateOf(lot)).toBe(t.to)
        } else {
          expect(() => lot.evolve(eventFor(action))).toThrow(t.refused)
          expect(stateOf(lot)).toBe(state)
        }
      })
    }
  }
})

describe("docs/slot-state-machine.md", () => {
  const doc = readFileSync(new URL("../../docs/slot-state-machine.md", import.meta.url), "utf8")

  it("holds exactly the table the code generates", () => {
    const match = /<!-- slot-transition-table:begin -->\n([\s\S]*?)\n<!-- slot-transition-table:end -->/.exec(doc)
    expect(match?.[1]).toBe(slotTransitionTableMarkdown())
  })

  it("draws exactly the allowed transitions in its mermaid diagram", () => {
    const diagram = /```mermaid\n([\s\S]*?)```/.exec(doc)?.[1] ?? ""
    const edges = Array.from(diagram.matchAll(/^\s*(\w+) --> (\w+): (\w+)$/gm), ([, from, to, action]) => `${from} -${action}-> ${to}`)
    const allowed = pairs.flatMap(([state, action]) => {
      const t = transition(state, action)
      return "to" in t ? [`${state} -${action}-> ${t.to}`] : []
    })
    expect(edges.sort()).toEqual(allowed.sort())
  })
})
