import { describe, expect, it } from "@effect/vitest"
import { Either, FastCheck as fc } from "effect"
import { NaiveLot } from "../../src/bench/NaiveLot.ts"
import { LotCreated, SlotGroup } from "../../src/domain/Events.ts"
import { LotId } from "../../src/domain/Ids.ts"
import { LeaveTarget, Lot, LotCommand } from "../../src/domain/Lot.ts"

/*
 * The benchmark compares the lot with the naive port of the seed design; the comparison is only fair
 * if both answer every question alike. Random sequences of commands and queries on a small lot (so
 * it fills up and empties often) must get the same answer from each.
 */

const capacity = 6
const registrations = ["KA-01", "KA-02", "KA-03", "KA-04", "KA-05", "KA-06", "KA-07", "KA-08"]
const colors = ["White", "white", "Dark  Blue", "RED", "red "]

const Step = fc.oneof(
  fc.record({ op: fc.constant("park" as const), registration: fc.constantFrom(...registrations), color: fc.constantFrom(...colors) }),
  fc.record({ op: fc.constant("leave" as const), slot: fc.integer({ min: 0, max: capacity + 1 }) }),
  fc.record({ op: fc.constant("locate" as const), registration: fc.constantFrom(...registrations) }),
  fc.record({ op: fc.constant("vehicles" as const), color: fc.option(fc.constantFrom(...colors, "green"), { nil: undefined }) })
)

const newLot = () =>
  Lot.create(
    LotCreated.make({ lotId: LotId.make("L1"), name: "naive check", layout: [SlotGroup.make({ type: "standard", count: capacity })], at: 0 })
  )

const refusalOf = <A>(answer: { readonly ok: A } | { readonly refused: string }): string => ("refused" in answer ? answer.refused : "accepted")

describe("NaiveLot", () => {
  it.prop(
    "answers every park, leave and query as the lot does",
    { steps: fc.array(Step, { minLength: 1, maxLength: 80 }) },
    ({ steps }) => {
      const lot = newLot()
      const naive = new NaiveLot(capacity)
      steps.forEach((step, i) => {
        const now = i * 60_000
        switch (step.op) {
          case "park": {
            const decision = lot.decide(LotCommand.Park({ registration: step.registration, color: step.color }), now)
            const answer = naive.park(step.registration, step.color)
            expect(refusalOf(answer)).toBe(Either.isLeft(decision) ? decision.left._tag : "accepted")
            if (Either.isRight(decision)) {
              decision.right.forEach((event) => lot.evolve(event))
              const [event] = decision.right
              expect(event._tag === "VehicleParked" && "ok" in answer && event.slot === answer.ok).toBe(true)
            }
            break
          }
          case "leave": {
            const decision = lot.decide(LotCommand.Leave({ target: LeaveTarget.BySlot({ slot: step.slot }) }), now)
            const answer = naive.leave(step.slot)
            expect(refusalOf(answer)).toBe(Either.isLeft(decision) ? decision.left._tag : "accepted")
            if (Either.isRight(decision)) {
              decision.right.forEach((event) => lot.evolve(event))
              const [event] = decision.right
              expect(event._tag === "VehicleLeft" && "ok" in answer && event.registration === answer.ok.registration).toBe(true)
            }
            break
          }
          case "locate": {
            const found = lot.locate(step.registration)
            const answer = naive.locate(step.registration)
            expect("ok" in answer ? answer.ok.slot : answer.refused).toEqual(Either.isRight(found) ? found.right.slot : found.left._tag)
            break
          }
          case "vehicles": {
            const fromLot = lot.vehicles(step.color).map((v) => [v.slot, v.registration])
            const fromNaive = naive.vehicles(step.color).map((car) => [car.slot, car.registration])
            expect(fromNaive).toEqual(fromLot)
            break
          }
        }
        expect(naive.occupiedCount).toBe(lot.occupiedCount)
        expect(naive.lowestFree === 0).toBe(lot.summary().free === 0)
      })
    },
    { fastCheck: { numRuns: 300 } }
  )

  it("walks its lists: leave puts the slot back in order and the next park takes the lowest", () => {
    const naive = new NaiveLot(3)
    expect(naive.park("A", "red")).toEqual({ ok: 1 })
    expect(naive.park("B", "red")).toEqual({ ok: 2 })
    expect(naive.park("C", "Blue")).toEqual({ ok: 3 })
    expect(naive.park("D", "red")).toEqual({ refused: "LotFull" })
    expect(refusalOf(naive.leave(2))).toBe("accepted")
    expect(refusalOf(naive.leave(1))).toBe("accepted")
    expect(naive.lowestFree).toBe(1)
    expect(naive.park("A", "RED")).toEqual({ ok: 1 })
    expect(naive.vehicles("red").map((c) => c.registration)).toEqual(["A"])
    expect(naive.leave(2)).toEqual({ refused: "SlotAlreadyFree" })
  })
})
