import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, FastCheck as fc } from "effect"
import { LotCreated, SlotGroup } from "../../src/domain/Events.ts"
import { LotId } from "../../src/domain/Ids.ts"
import { LeaveTarget, Lot, LotCommand } from "../../src/domain/Lot.ts"
import { Parking, type ScriptAnswer, type ScriptStep } from "../../src/runtime/Parking.ts"
import { StorageFaults } from "../../src/store/StorageFaults.ts"
import { allEvents, createLot, envelope, memoryRuntime, tenantA } from "./Fixtures.ts"

/*
 * A script must answer exactly what its steps would answer one by one. The reference is the domain
 * lot alone, stepped in order: no runtime, no store.
 */

const plates = ["KA-1", "KA-2", "KA-3", "KA-4", "KA-5", "KA-6"] as const
const colors = ["White", "Red"] as const

const stepArb = (capacity: number): fc.Arbitrary<ScriptStep> =>
  fc.oneof(
    { weight: 4, arbitrary: fc.record({ plate: fc.constantFrom(...plates), color: fc.constantFrom(...colors) }).map(({ color, plate }): ScriptStep => ({ _tag: "Park", vehicle: { registration: plate, color } })) },
    { weight: 3, arbitrary: fc.integer({ min: 0, max: capacity + 1 }).map((slot): ScriptStep => ({ _tag: "Leave", target: LeaveTarget.BySlot({ slot }) })) },
    { weight: 1, arbitrary: fc.option(fc.constantFrom(...colors), { nil: undefined }).map((color): ScriptStep => ({ _tag: "Vehicles", color })) },
    { weight: 1, arbitrary: fc.option(fc.constantFrom(...colors, "RED"), { nil: undefined }).map((color): ScriptStep => ({ _tag: "Slots", color })) },
    { weight: 1, arbitrary: fc.option(fc.constantFrom(...colors, "white"), { nil: undefined }).map((color): ScriptStep => ({ _tag: "Registrations", color })) },
    { weight: 1, arbitrary: fc.constantFrom(...plates).map((registration): ScriptStep => ({ _tag: "Locate", registration })) }
  )

/** A comparable picture of an answer: tickets by slot and registration (ids and times are the runtime's). */
const picture = (answer: ScriptAnswer): unknown => {
  switch (answer._tag) {
    case "Ticket":
      return Either.match(answer.ticket, { onLeft: (e) => e._tag, onRight: (t) => [t.slot, t.registration] })
    case "Vehicles":
      return answer.vehicles.map((v) => [v.slot, v.registration, v.color])
    case "Slots":
      return ["slots", ...answer.slots]
    case "Registrations":
      return ["registrations", ...answer.registrations]
    case "Located":
      return Either.match(answer.location, { onLeft: (e) => e._tag, onRight: (l) => l.slot })
  }
}

/** The same steps, one by one, on a plain domain lot. */
const referenceAnswers = (capacity: number, steps: ReadonlyArray<ScriptStep>): ReadonlyArray<unknown> => {
  const lot = Lot.create(LotCreated.make({ lotId: LotId.make("L9"), name: "ref", layout: [SlotGroup.make({ type: "standard", count: capacity })], at: 0 }))
  return steps.map((step) => {
    switch (step._tag) {
      case "Park":
      case "Leave": {
        const command = step._tag === "Park" ? LotCommand.Park({ ...step.vehicle }) : LotCommand.Leave({ target: step.target })
        const decision = lot.decide(command, 1_000)
        if (Either.isLeft(decision)) return decision.left._tag
        for (const event of decision.right) lot.evolve(event)
        const event = decision.right[0]
        return event._tag === "VehicleParked" || event._tag === "VehicleLeft" ? [event.slot, event.registration] : event._tag
      }
      case "Vehicles":
        return lot.vehicles(step.color).map((v) => [v.slot, v.registration, v.color])
      case "Slots":
        return ["slots", ...lot.vehicles(step.color).map((v) => v.slot)]
      case "Registrations":
        return ["registrations", ...lot.vehicles(step.color).map((v) => v.registration)]
      case "Locate":
        return Either.match(lot.locate(step.registration), { onLeft: (e) => e._tag, onRight: (l) => l.slot })
    }
  })
}

describe("Parking.runScript", () => {
  it.effect.prop(
    "answers every step as if the steps ran one by one, and the log replays to the lot it serves",
    { capacity: fc.integer({ min: 1, max: 5 }), scripts: fc.array(fc.array(stepArb(5), { maxLength: 40 }), { minLength: 1, maxLength: 4 }) },
    ({ capacity, scripts }) =>
      Effect.gen(function* () {
        const parking = yield* Parking
        const lotId = yield* createLot("scripted", capacity)
        const answers = yield* Effect.forEach(scripts, (steps) => parking.runScript(envelope(), lotId, steps))
        expect(answers.flat().map(picture)).toEqual(referenceAnswers(capacity, scripts.flat()))
        const replayed = Lot.replay((yield* allEvents(tenantA, lotId)).map((e) => e.event))
        expect(yield* parking.getLot(tenantA, lotId)).toEqual(replayed.summary())
      }).pipe(Effect.provide(memoryRuntime())),
    { fastCheck: { numRuns: 60 } }
  )

  it.effect("a script that cannot be written changes nothing and fails whole; one too long for the mailbox is refused whole", () =>
    Effect.gen(function* () {
      const parking = yield* Parking
      const storage = yield* StorageFaults
      const lotId = yield* createLot("scripted", 4)
      yield* parking.park(envelope(), lotId, { registration: "KEEP-1", color: "Red" })
      const before = yield* parking.slots(tenantA, lotId)
      const steps: ReadonlyArray<ScriptStep> = [
        { _tag: "Park", vehicle: { registration: "NEW-1", color: "Red" } },
        { _tag: "Leave", target: LeaveTarget.BySlot({ slot: 1 }) },
        { _tag: "Vehicles" }
      ]
      yield* storage.fail(true)
      expect((yield* Effect.flip(parking.runScript(envelope(), lotId, steps)))._tag).toBe("StorageUnavailable")
      expect(yield* parking.slots(tenantA, lotId)).toEqual(before)
      yield* storage.fail(false)

      const tooLong: ReadonlyArray<ScriptStep> = Array.from({ length: 9 }, () => ({ _tag: "Vehicles" }))
      expect((yield* Effect.flip(parking.runScript(envelope(), lotId, tooLong)))._tag).toBe("Overloaded")
      const answers = yield* parking.runScript(envelope(), lotId, steps)
      expect(answers.map(picture)).toEqual([[2, "NEW-1"], [1, "KEEP-1"], [[2, "NEW-1", "Red"]]])
    }).pipe(Effect.provide(memoryRuntime({ PARKPLANE_MAILBOX_SIZE: "8" })))
  )
})

describe("reads while a run is ahead of its write", () => {
  it.effect("never see a run that is then undone, and see one that lands only once it has", () =>
    Effect.gen(function* () {
      const parking = yield* Parking
      const storage = yield* StorageFaults
      const lotId = yield* createLot("gated", 200)
      yield* parking.park(envelope(), lotId, { registration: "BASE-1", color: "Red" })
      const before = yield* parking.getLot(tenantA, lotId)

      // Writes fail: the worker applies each run ahead, then undoes it. Readers run in between.
      yield* storage.fail(true)
      const [writes, reads] = yield* Effect.all(
        [
          Effect.forEach(Array.from({ length: 60 }, (_, i) => i), (i) => Effect.either(parking.park(envelope(), lotId, { registration: `F-${i}`, color: "Red" })), {
            concurrency: "unbounded"
          }),
          Effect.forEach(Array.from({ length: 60 }, () => 0), () => Effect.zipRight(Effect.yieldNow(), parking.getLot(tenantA, lotId)), { concurrency: "unbounded" })
        ],
        { concurrency: "unbounded" }
      )
      expect(writes.every(Either.isLeft)).toBe(true)
      for (const summary of reads) expect(summary).toEqual(before)
      yield* storage.fail(false)

      // Writes land: a read sees a park only together with its acknowledgement's durability, never more
      // than the log holds at that moment.
      const [landed, seen] = yield* Effect.all(
        [
          Effect.forEach(Array.from({ length: 60 }, (_, i) => i), (i) => parking.park(envelope(), lotId, { registration: `OK-${i}`, color: "Red" }), {
            concurrency: "unbounded"
          }),
          Effect.forEach(Array.from({ length: 60 }, () => 0), () =>
            Effect.zipRight(
              Effect.yieldNow(),
              Effect.flatMap(parking.getLot(tenantA, lotId), (summary) => Effect.map(allEvents(tenantA, lotId), (events) => [summary.version, events.length] as const))
            ), { concurrency: "unbounded" })
        ],
        { concurrency: "unbounded" }
      )
      expect(landed).toHaveLength(60)
      for (const [version, logged] of seen) expect(version).toBeLessThanOrEqual(logged)
      expect((yield* parking.getLot(tenantA, lotId)).occupied).toBe(61)
    }).pipe(Effect.provide(memoryRuntime()))
  )
})
