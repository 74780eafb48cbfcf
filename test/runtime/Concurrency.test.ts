import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, FastCheck as fc, Fiber, Option, TestClock } from "effect"
import type { StoredLotEvent } from "../../src/domain/Events.ts"
import type { LotId } from "../../src/domain/Ids.ts"
import { LeaveTarget } from "../../src/domain/Lot.ts"
import type { LotSummary, Ticket } from "../../src/domain/Views.ts"
import { LotRegistry } from "../../src/runtime/LotRegistry.ts"
import { type CommandError, Parking } from "../../src/runtime/Parking.ts"
import { WorkerFaults } from "../../src/runtime/WorkerFaults.ts"
import { allEvents, createLot, envelope, memoryRuntime, tenantA } from "./Fixtures.ts"

/** The reference lot: an array of slots, a park takes the lowest free one. */
interface ModelState {
  readonly slots: ReadonlyArray<string | undefined>
  /** Open tickets by registration. */
  readonly open: ReadonlyMap<string, { readonly id: string; readonly slot: number; readonly enteredAt: number }>
}

interface Expected {
  readonly seq: number
  readonly ticket: { readonly id: string; readonly slot: number; readonly registration: string; readonly enteredAt: number; readonly exitedAt?: number }
}

/**
 * Replays the committed log through the reference model: the state after every version (index =
 * version) and what each event should have answered its caller. A park into a slot that is not the
 * lowest free one, or a leave of a car that is not there, fails the test here.
 */
const replay = (lotId: LotId, events: ReadonlyArray<StoredLotEvent>) => {
  const states: Array<ModelState> = []
  const answers = new Map<string, Array<Expected>>()
  let slots: Array<string | undefined> = []
  let open = new Map<string, { id: string; slot: number; enteredAt: number }>()
  const answer = (id: string, expected: Expected) => answers.set(id, [...(answers.get(id) ?? []), expected])
  events.forEach((stored, i) => {
    expect(stored.seq).toBe(i + 1)
    const event = stored.event
    slots = [...slots]
    open = new Map(open)
    switch (event._tag) {
      case "LotCreated":
        slots = Array.from({ length: event.layout.reduce((n, g) => n + g.count, 0) + 1 }, () => undefined)
        break
      case "VehicleParked": {
        const lowest = slots.findIndex((occupant, slot) => slot > 0 && occupant === undefined)
        expect(lowest, `seq ${stored.seq} parks with no free slot`).toBeGreaterThan(0)
        expect(event.slot, `seq ${stored.seq} is not the lowest free slot`).toBe(lowest)
        expect(open.has(event.registration)).toBe(false)
        const id = `${lotId}-${stored.seq}`
        expect(event.ticketId).toBe(id)
        slots[lowest] = event.registration
        open.set(event.registration, { id, slot: lowest, enteredAt: event.at })
        answer(id, { seq: stored.seq, ticket: { id, slot: lowest, registration: event.registration, enteredAt: event.at } })
        break
      }
      case "VehicleLeft": {
        const ticket = open.get(event.registration)
        expect(ticket, `seq ${stored.seq} lets a car leave that is not parked`).toBeDefined()
        if (ticket === undefined) break
        expect(event.slot).toBe(ticket.slot)
        expect(event.ticketId).toBe(ticket.id)
        slots[ticket.slot] = undefined
        open.delete(event.registration)
        answer(ticket.id, { seq: stored.seq, ticket: { ...ticket, registration: event.registration, exitedAt: event.at } })
        break
      }
      default:
        throw new Error(`unexpected event ${event._tag}`)
    }
    states.push({ slots, open })
  })
  return { states, answers }
}

type Op = { readonly kind: "park" | "leave" | "leaveByTicket"; readonly car: number }

interface Call {
  readonly op: Op
  readonly registration: string
  readonly ticketId: string | undefined
  readonly before: number
  readonly after: number
  readonly result: Either.Either<Ticket, CommandError>
}

const opArbitrary: fc.Arbitrary<Op> = fc.record({
  kind: fc.constantFrom("park", "park", "park", "leave", "leave", "leaveByTicket"),
  car: fc.nat(3)
})

const countsAddUp = (s: LotSummary) => s.free + s.occupied + s.reserved + s.outOfService === s.capacity

describe("one lot under concurrent commands", () => {
  it.effect.prop(
    "is linearizable: the committed order, replayed through a reference model, gives every caller's answer",
    {
      capacity: fc.integer({ min: 1, max: 24 }),
      fibers: fc.array(fc.array(opArbitrary, { minLength: 1, maxLength: 20 }), { minLength: 4, maxLength: 16 })
    },
    ({ capacity, fibers }) =>
      Effect.gen(function* () {
        const parking = yield* Parking
        const lotId = yield* createLot("busy", capacity)
        const version = parking.getLot(tenantA, lotId).pipe(Effect.map((s) => s.version))
        const calls: Array<Call> = []

        // Every fiber reads the lot after each of its commands, while the others' commands run.
        const seen = { summaries: 0, bad: [] as Array<string> }
        const readAndCheck = Effect.gen(function* () {
          const summary = yield* parking.getLot(tenantA, lotId)
          const slots = yield* parking.slots(tenantA, lotId)
          const vehicles = yield* parking.vehicles(tenantA, lotId)
          seen.summaries++
          if (!countsAddUp(summary)) seen.bad.push(`counts do not add up: ${JSON.stringify(summary)}`)
          if (slots.filter((s) => s.state === "Occupied").length !== summary.occupied) seen.bad.push("slots and summary disagree")
          const taken = slots.filter((s) => s.state === "Occupied").map((s) => s.registration)
          if (new Set(taken).size !== taken.length) seen.bad.push(`a car in two slots: ${taken.join(",")}`)
          if (new Set(vehicles.map((v) => v.slot)).size !== vehicles.length) seen.bad.push("two cars in one slot")
        })

        const runFiber = (ops: ReadonlyArray<Op>, fiber: number) =>
          Effect.gen(function* () {
            // The last ticket each of this fiber's cars got, for leaving by ticket.
            const tickets = new Map<number, string>()
            for (const op of ops) {
              const registration = `F${fiber}-${op.car}`
              const ticketId = tickets.get(op.car) ?? `${lotId}-999999`
              const before = yield* version
              const result = yield* Effect.either(
                op.kind === "park"
                  ? parking.park(envelope(), lotId, { registration, color: "Blue" })
                  : parking.leave(
                      envelope(),
                      lotId,
                      op.kind === "leave" ? LeaveTarget.ByRegistration({ registration }) : LeaveTarget.ByTicket({ ticketId })
                    )
              )
              const after = yield* version
              if (op.kind === "park" && Either.isRight(result)) tickets.set(op.car, result.right.id)
              calls.push({ op, registration, ticketId: op.kind === "leaveByTicket" ? ticketId : undefined, before, after, result })
              yield* readAndCheck
            }
          })

        yield* Effect.forEach(fibers, runFiber, { concurrency: "unbounded", discard: true })
        expect(seen.bad).toEqual([])
        expect(seen.summaries).toBeGreaterThan(0)

        const events = yield* allEvents(tenantA, lotId)
        const { answers, states } = replay(lotId, events)
        const final = yield* parking.getLot(tenantA, lotId)
        expect(final.version).toBe(events.length)
        expect(countsAddUp(final)).toBe(true)
        expect(final.occupied).toBe(states[states.length - 1].open.size)

        let accepted = 0
        for (const call of calls) {
          if (Either.isRight(call.result)) {
            accepted++
            const ticket = call.result.right
            const candidates = answers.get(ticket.id) ?? []
            // The event that answered this call: its park, or its leave.
            const expected = candidates.find((c) => (call.op.kind === "park" ? c.ticket.exitedAt === undefined : c.ticket.exitedAt !== undefined))
            expect(expected, `no committed event answers ${call.op.kind} ${call.registration}`).toBeDefined()
            if (expected === undefined) continue
            expect(expected.seq).toBeGreaterThan(call.before)
            expect(expected.seq).toBeLessThanOrEqual(call.after)
            expect({
              id: ticket.id,
              slot: ticket.slot,
              registration: ticket.registration,
              enteredAt: ticket.enteredAt,
              ...(ticket.exitedAt === undefined ? {} : { exitedAt: ticket.exitedAt })
            }).toEqual(expected.ticket)
            continue
          }
          // A refusal changes nothing, so some state between the call's start and its answer must justify it.
          const error = call.result.left
          const window = states.slice(call.before - 1, call.after)
          const justified = window.some((state) => {
            const parked = state.open.get(call.registration)
            switch (error._tag) {
              case "LotFull":
                return call.op.kind === "park" && state.slots.every((occupant, slot) => slot === 0 || occupant !== undefined)
              case "VehicleAlreadyParked":
                return call.op.kind === "park" && parked !== undefined
              case "VehicleNotFound":
                return call.op.kind === "leave" && parked === undefined
              case "TicketNotFound":
                return call.op.kind === "leaveByTicket" && ![...state.open.values()].some((t) => t.id === call.ticketId)
              default:
                return false
            }
          })
          expect(justified, `${call.op.kind} ${call.registration} refused with ${error._tag} between versions ${call.before} and ${call.after}`).toBe(true)
        }
        // Every event after the creation answered exactly one caller.
        expect(accepted).toBe(events.length - 1)
      }).pipe(Effect.provide(memoryRuntime())),
    { fastCheck: { numRuns: 10 } }
  )
})

describe("lots in parallel", () => {
  it.effect("a crashed lot with a full mailbox holds up no other lot", () =>
    Effect.gen(function* () {
      const parking = yield* Parking
      const faults = yield* WorkerFaults
      const a = yield* createLot("A", 20)
      const b = yield* createLot("B", 30)
      yield* faults.arm(a)
      const crashed = yield* Effect.either(parking.park(envelope(), a, { registration: "A-0", color: "Red" }))
      expect(Either.isLeft(crashed) && crashed.left._tag).toBe("LotUnavailable")

      // A's worker now waits for its restart (on the TestClock): its mailbox of 4 fills up.
      const waiting = yield* Effect.forEach([1, 2, 3, 4], (i) => Effect.fork(parking.park(envelope(), a, { registration: `A-${i}`, color: "Red" })))
      const worker = yield* Effect.flatMap(LotRegistry, (registry) => registry.get(tenantA, a))
      while ((yield* worker.mailboxDepth) < 4) yield* Effect.yieldNow()
      const refused = yield* Effect.either(parking.park(envelope(), a, { registration: "A-5", color: "Red" }))
      expect(Either.isLeft(refused) && refused.left._tag).toBe("Overloaded")

      // Meanwhile B serves park and leave as usual.
      const tickets = yield* Effect.forEach(
        Array.from({ length: 40 }, (_, i) => i),
        (i) =>
          parking.park(envelope(), b, { registration: `B-${i}`, color: "Green" }).pipe(
            Effect.flatMap((t) => (i % 2 === 0 ? parking.leave(envelope(), b, LeaveTarget.ByTicket({ ticketId: t.id })) : Effect.succeed(t)))
          ),
        // As many at once as B's mailbox holds: here an Overloaded could only come from A.
        { concurrency: 4 }
      )
      expect(tickets).toHaveLength(40)
      expect((yield* parking.getLot(tenantA, b)).occupied).toBe(20)
      for (const fiber of waiting) expect(Option.isNone(yield* Fiber.poll(fiber))).toBe(true)

      // Once A restarts it serves what waited in its mailbox.
      yield* TestClock.adjust("5 seconds")
      const served = yield* Effect.forEach(waiting, Fiber.join)
      expect(served.map((t) => t.slot).sort()).toEqual([1, 2, 3, 4])
      expect((yield* parking.getLot(tenantA, a)).occupied).toBe(4)
    }).pipe(Effect.provide(memoryRuntime({ PARKPLANE_MAILBOX_SIZE: "4" }))))
})
