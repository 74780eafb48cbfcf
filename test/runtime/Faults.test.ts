import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Fiber, Option, Stream, TestClock } from "effect"
import { SlotGroup } from "../../src/domain/Events.ts"
import type { LotId } from "../../src/domain/Ids.ts"
import { LeaveTarget, Lot } from "../../src/domain/Lot.ts"
import { Parking } from "../../src/runtime/Parking.ts"
import { WorkerFaults } from "../../src/runtime/WorkerFaults.ts"
import { StorageFaults } from "../../src/store/StorageFaults.ts"
import { allEvents, createLot, envelope, memoryRuntime, runtimeOver, tempDatabase, tenantA } from "./Fixtures.ts"

/** The lot as its log replays, next to the lot the runtime serves. */
const servedAndReplayed = (lotId: LotId) =>
  Effect.gen(function* () {
    const parking = yield* Parking
    const replayed = Lot.replay((yield* allEvents(tenantA, lotId)).map((e) => e.event))
    return {
      served: { summary: yield* parking.getLot(tenantA, lotId), slots: yield* parking.slots(tenantA, lotId) },
      replayed: { summary: replayed.summary(), slots: replayed.slots() }
    }
  })

const tagOf = (result: Either.Either<unknown, { readonly _tag: string }>) => (Either.isLeft(result) ? result.left._tag : "ok")

describe("a defect in a lot's worker", () => {
  it.effect("restarts the lot from the store with no acknowledged event lost, and answers the faulted caller LotUnavailable", () =>
    Effect.gen(function* () {
      const parking = yield* Parking
      const faults = yield* WorkerFaults
      const lotId = yield* createLot("north", 10)
      const tickets = yield* Effect.forEach([1, 2, 3, 4, 5, 6, 7], (i) => parking.park(envelope(), lotId, { registration: `KA-${i}`, color: "White" }), {
        concurrency: 3
      })
      yield* parking.leave(envelope(), lotId, LeaveTarget.ByTicket({ ticketId: tickets[1].id }))
      const reservation = yield* parking.reserve(envelope(), lotId, { registration: "HOLD-1", holdSeconds: 3600 })
      const before = yield* parking.getLot(tenantA, lotId)

      yield* faults.arm(lotId)
      const faulted = yield* Effect.either(parking.park(envelope(), lotId, { registration: "KA-99", color: "Black" }))
      expect(tagOf(faulted)).toBe("LotUnavailable")
      // Commands sent while the worker waits for its restart are served once it is back.
      const queued = yield* Effect.fork(parking.park(envelope(), lotId, { registration: "KA-100", color: "Black" }))
      yield* TestClock.adjust("5 seconds")
      const after = yield* queued.await
      expect(after._tag).toBe("Success")

      // The faulted command left no trace; everything acknowledged before it is still there.
      const { replayed, served } = yield* servedAndReplayed(lotId)
      expect(served).toEqual(replayed)
      expect(served.summary.version).toBe(before.version + 1)
      expect(served.summary.occupied).toBe(before.occupied + 1)
      for (const [i, ticket] of tickets.entries()) {
        const now = yield* parking.ticket(tenantA, ticket.id)
        expect(now.exitedAt === undefined).toBe(i !== 1)
        expect(now.slot).toBe(ticket.slot)
      }
      expect((yield* parking.reservations(tenantA, lotId)).map((r) => r.id)).toEqual([reservation.id])
      expect((yield* parking.vehicles(tenantA, lotId)).map((v) => v.registration)).not.toContain("KA-99")
      expect(yield* Effect.either(parking.locate(tenantA, lotId, "KA-99"))).toMatchObject({ _tag: "Left" })
    }).pipe(Effect.provide(memoryRuntime({ PARKPLANE_SNAPSHOT_EVERY: "3" }))))

  it.effect("fails every caller waiting in the mailbox with LotUnavailable rather than letting them hang", () =>
    Effect.gen(function* () {
      const parking = yield* Parking
      const faults = yield* WorkerFaults
      const lotId = yield* createLot("south", 10)
      yield* faults.arm(lotId)
      // All five are in the mailbox before the worker takes the first (the one that dies).
      const results = yield* Effect.forEach([1, 2, 3, 4, 5], (i) => Effect.either(parking.park(envelope(), lotId, { registration: `S-${i}`, color: "Red" })), {
        concurrency: "unbounded"
      })
      expect(results.map(tagOf)).toEqual(["LotUnavailable", "LotUnavailable", "LotUnavailable", "LotUnavailable", "LotUnavailable"])
      yield* TestClock.adjust("5 seconds")
      const ticket = yield* parking.park(envelope(), lotId, { registration: "S-1", color: "Red" })
      expect(ticket.slot).toBe(1)
      expect(ticket.id).toBe(`${lotId}-2`)
    }).pipe(Effect.provide(memoryRuntime())))
})

describe("storage that fails", () => {
  it.effect("answers StorageUnavailable, leaves memory unchanged, keeps reads serving and recovers", () =>
    Effect.gen(function* () {
      const parking = yield* Parking
      const storage = yield* StorageFaults
      const lotId = yield* createLot("east", 6)
      const first = yield* parking.park(envelope(), lotId, { registration: "E-1", color: "Grey" })
      const second = yield* parking.park(envelope(), lotId, { registration: "E-2", color: "Grey" })
      yield* parking.leave(envelope(), lotId, LeaveTarget.ByTicket({ ticketId: second.id }))
      const summary = yield* parking.getLot(tenantA, lotId)
      const slots = yield* parking.slots(tenantA, lotId)

      yield* storage.fail(true)
      const attempts = yield* Effect.all(
        [
          Effect.either(parking.park(envelope(tenantA, "key-e3"), lotId, { registration: "E-3", color: "Grey" })),
          Effect.either(parking.leave(envelope(), lotId, LeaveTarget.ByTicket({ ticketId: first.id }))),
          Effect.either(parking.reserve(envelope(), lotId, { registration: "E-4", holdSeconds: 60 })),
          Effect.either(parking.setOutOfService(envelope(), lotId, 5)),
          Effect.either(parking.createLot(envelope(), { name: "west", layout: [SlotGroup.make({ type: "standard", count: 2 })] }))
        ],
        { concurrency: "unbounded" }
      )
      expect(attempts.map(tagOf)).toEqual(["StorageUnavailable", "StorageUnavailable", "StorageUnavailable", "StorageUnavailable", "StorageUnavailable"])
      // Nothing that failed to be written was applied, and reads go on.
      expect(yield* parking.getLot(tenantA, lotId)).toEqual(summary)
      expect(yield* parking.slots(tenantA, lotId)).toEqual(slots)
      expect((yield* parking.ticket(tenantA, first.id)).exitedAt).toBeUndefined()
      expect((yield* parking.ticket(tenantA, second.id)).exitedAt).toBeDefined()
      expect((yield* parking.locate(tenantA, lotId, "E-1")).slot).toBe(first.slot)
      expect((yield* allEvents(tenantA, lotId)).length).toBe(summary.version)
      expect((yield* parking.listLots(tenantA)).map((l) => l.name)).toEqual(["east"])

      yield* storage.fail(false)
      // The same key runs now: the failed attempt stored no answer under it.
      const third = yield* parking.park(envelope(tenantA, "key-e3"), lotId, { registration: "E-3", color: "Grey" })
      expect(third.id).toBe(`${lotId}-${summary.version + 1}`)
      yield* parking.leave(envelope(), lotId, LeaveTarget.ByTicket({ ticketId: first.id }))
      yield* parking.createLot(envelope(), { name: "west", layout: [SlotGroup.make({ type: "standard", count: 2 })] })
      expect((yield* parking.listLots(tenantA)).map((l) => l.name)).toEqual(["east", "west"])
      const { replayed, served } = yield* servedAndReplayed(lotId)
      expect(served).toEqual(replayed)
      expect(served.summary.version).toBe(summary.version + 2)
    }).pipe(Effect.provide(memoryRuntime())))

  // A commit whose answer is lost (the commit thread died after COMMIT, before its reply) may be
  // durable: the lot must not undo it in memory, nor retry it, but reload from the store.
  const answerLost = (runtime: ReturnType<typeof memoryRuntime>) =>
    it.effect("restarts a lot whose commit outcome is unknown from the store: what committed is kept, nothing doubles", () =>
      Effect.gen(function* () {
        const parking = yield* Parking
        const storage = yield* StorageFaults
        const lotId = yield* createLot("lost", 4)
        const first = yield* parking.park(envelope(), lotId, { registration: "L-1", color: "Blue" })

        yield* storage.loseAnswers(true)
        const lost = yield* Effect.either(parking.park(envelope(), lotId, { registration: "L-2", color: "Blue" }))
        yield* storage.loseAnswers(false)
        expect(tagOf(lost)).toBe("LotUnavailable")
        yield* TestClock.adjust("5 seconds")

        // The unanswered park did commit: the restarted lot has it, once, and goes on after it.
        const located = yield* parking.locate(tenantA, lotId, "L-2")
        expect(located.slot).toBe(2)
        const third = yield* parking.park(envelope(), lotId, { registration: "L-3", color: "Blue" })
        expect(third.slot).toBe(3)
        expect(third.id).toBe(`${lotId}-4`)
        expect(yield* Effect.either(parking.park(envelope(), lotId, { registration: "L-2", color: "Blue" }))).toMatchObject({
          _tag: "Left",
          left: { _tag: "VehicleAlreadyParked" }
        })
        yield* parking.leave(envelope(), lotId, LeaveTarget.ByTicket({ ticketId: first.id }))
        const { replayed, served } = yield* servedAndReplayed(lotId)
        expect(served).toEqual(replayed)
        expect(served.summary.occupied).toBe(2)
      }).pipe(Effect.provide(runtime))
    )

  describe("in memory", () => answerLost(memoryRuntime()))
  describe("on a database file, through the commit thread", () => answerLost(runtimeOver(tempDatabase("lost.db"))))

  it.effect("expires a hold whose expiry could not be written once storage is back", () =>
    Effect.gen(function* () {
      const parking = yield* Parking
      const storage = yield* StorageFaults
      const lotId = yield* createLot("holds", 2)
      const hold = yield* parking.reserve(envelope(), lotId, { registration: "H-1", holdSeconds: 60 })
      yield* storage.fail(true)
      yield* TestClock.adjust("61 seconds")
      expect((yield* parking.getLot(tenantA, lotId)).reserved).toBe(1)
      yield* storage.fail(false)
      const version = (yield* parking.getLot(tenantA, lotId)).version
      const expiry = yield* parking.follow(tenantA, lotId, version).pipe(
        Effect.flatMap((events) => Stream.runHead(events)),
        Effect.fork
      )
      yield* TestClock.adjust("1 minute")
      const expired = yield* Fiber.join(expiry)
      expect(Option.getOrThrow(expired).event).toMatchObject({ _tag: "ReservationExpired", reservationId: hold.id })
      expect((yield* parking.getLot(tenantA, lotId)).reserved).toBe(0)
    }).pipe(Effect.provide(memoryRuntime())))
})
