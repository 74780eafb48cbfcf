import { describe, expect, it } from "@effect/vitest"
import { Chunk, Context, Effect, Either, Exit, Fiber, Layer, Scope, Stream, TestClock } from "effect"
import { SlotGroup } from "../../src/domain/Events.ts"
import type { LotId } from "../../src/domain/Ids.ts"
import { LeaveTarget, Lot } from "../../src/domain/Lot.ts"
import { Parking } from "../../src/runtime/Parking.ts"
import { allEvents, envelope, runtimeOver, tempDatabase, tenantA } from "./Fixtures.ts"

/** Runs `use` over a runtime opened on `filename`, and closes the runtime after it. */
const session =
  (filename: string) =>
  <A, E>(use: Effect.Effect<A, E, Parking>) =>
    Effect.provide(use, runtimeOver(filename, { PARKPLANE_SNAPSHOT_EVERY: "2" }))

/** Waits for the lot's next ReservationExpired after `after`, live or from the log. */
const nextExpiry = (lotId: LotId, after: number) =>
  Effect.flatMap(Parking, (parking) => parking.follow(tenantA, lotId, after)).pipe(
    Effect.flatMap((events) =>
      events.pipe(
        Stream.filter((e) => e.event._tag === "ReservationExpired"),
        Stream.take(1),
        Stream.runCollect
      )
    ),
    Effect.map(Chunk.unsafeHead)
  )

const layout = [SlotGroup.make({ type: "standard", count: 3 })]

describe("idempotency across a restart", () => {
  it.effect("replays the stored answer for the same key and body, and refuses the key with another body", () =>
    Effect.gen(function* () {
      const open = session(tempDatabase())
      const first = yield* open(
        Effect.gen(function* () {
          const parking = yield* Parking
          const lot = yield* parking.createLot(envelope(tenantA, "create-1"), { name: "depot", layout })
          const ticket = yield* parking.park(envelope(tenantA, "park-1"), lot.id, { registration: "KA-1", color: "White" })
          const missing = yield* Effect.either(parking.leave(envelope(tenantA, "leave-1"), lot.id, LeaveTarget.ByRegistration({ registration: "KA-2" })))
          return { lot, ticket, missing }
        })
      )
      expect(Either.isLeft(first.missing) && first.missing.left._tag).toBe("VehicleNotFound")

      yield* open(
        Effect.gen(function* () {
          const parking = yield* Parking
          const lotId = first.lot.id
          // KA-2 is parked now, so only a replay still answers VehicleNotFound for leave-1.
          yield* parking.park(envelope(), lotId, { registration: "KA-2", color: "Red" })
          const before = yield* parking.getLot(tenantA, lotId)

          expect(yield* parking.createLot(envelope(tenantA, "create-1"), { name: "depot", layout })).toEqual(first.lot)
          expect(yield* parking.park(envelope(tenantA, "park-1"), lotId, { registration: "KA-1", color: "White" })).toEqual(first.ticket)
          const missing = yield* Effect.either(parking.leave(envelope(tenantA, "leave-1"), lotId, LeaveTarget.ByRegistration({ registration: "KA-2" })))
          expect(missing).toEqual(first.missing)

          // No second effect: no event, no new vehicle, no second lot.
          expect(yield* parking.getLot(tenantA, lotId)).toEqual(before)
          expect((yield* parking.listLots(tenantA)).map((l) => l.id)).toEqual([lotId])
          expect((yield* parking.vehicles(tenantA, lotId)).map((v) => v.registration).sort()).toEqual(["KA-1", "KA-2"])

          const reused = yield* Effect.either(parking.park(envelope(tenantA, "park-1"), lotId, { registration: "KA-9", color: "White" }))
          expect(Either.isLeft(reused) && reused.left._tag).toBe("IdempotencyKeyReused")
          const reusedAcross = yield* Effect.either(parking.leave(envelope(tenantA, "park-1"), lotId, LeaveTarget.ByRegistration({ registration: "KA-1" })))
          expect(Either.isLeft(reusedAcross) && reusedAcross.left._tag).toBe("IdempotencyKeyReused")
          expect(yield* parking.getLot(tenantA, lotId)).toEqual(before)
        })
      )
    }))
  it.effect("replays a keyed lot deletion after the lot is gone, also after a restart", () =>
    Effect.gen(function* () {
      const open = session(tempDatabase())
      const lotId = yield* open(
        Effect.gen(function* () {
          const parking = yield* Parking
          const lot = yield* parking.createLot(envelope(), { name: "gone", layout })
          yield* parking.deleteLot(envelope(tenantA, "delete-1"), lot.id)
          // A retry of the same request (say, after a lost response) answers as the first did.
          expect(yield* Effect.either(parking.deleteLot(envelope(tenantA, "delete-1"), lot.id))).toEqual(Either.right(undefined))
          return lot.id
        })
      )
      yield* open(
        Effect.gen(function* () {
          const parking = yield* Parking
          expect(yield* Effect.either(parking.deleteLot(envelope(tenantA, "delete-1"), lotId))).toEqual(Either.right(undefined))
          const unkeyed = yield* Effect.either(parking.deleteLot(envelope(), lotId))
          expect(Either.isLeft(unkeyed) && unkeyed.left._tag).toBe("LotNotFound")
        })
      )
    }))

  it.effect("replays a keyed leave after its lot was deleted", () =>
    Effect.gen(function* () {
      const open = session(tempDatabase())
      yield* open(
        Effect.gen(function* () {
          const parking = yield* Parking
          const lot = yield* parking.createLot(envelope(), { name: "left-then-gone", layout })
          yield* parking.park(envelope(), lot.id, { registration: "KA-9", color: "Blue" })
          const closed = yield* parking.leave(envelope(tenantA, "leave-1"), lot.id, LeaveTarget.ByRegistration({ registration: "KA-9" }))
          yield* parking.deleteLot(envelope(), lot.id)
          expect(yield* Effect.either(parking.leave(envelope(tenantA, "leave-1"), lot.id, LeaveTarget.ByRegistration({ registration: "KA-9" })))).toEqual(
            Either.right(closed)
          )
          const unkeyed = yield* Effect.either(parking.leave(envelope(), lot.id, LeaveTarget.ByRegistration({ registration: "KA-9" })))
          expect(Either.isLeft(unkeyed) && unkeyed.left._tag).toBe("LotNotFound")
        })
      )
    }))

  it.effect("runs concurrent requests under one key once", () =>
    Effect.gen(function* () {
      const open = session(tempDatabase())
      yield* open(
        Effect.gen(function* () {
          const parking = yield* Parking
          const lot = yield* parking.createLot(envelope(), { name: "twice", layout })
          const tickets = yield* Effect.all(
            Array.from({ length: 5 }, () => parking.park(envelope(tenantA, "same"), lot.id, { registration: "KA-7", color: "Red" })),
            { concurrency: "unbounded" }
          )
          for (const ticket of tickets) expect(ticket).toEqual(tickets[0])
          expect((yield* parking.getLot(tenantA, lot.id)).version).toBe(2)
        })
      )
    }))
})

describe("reservation expiry across a restart", () => {
  it.effect("expires a hold on the TestClock after a reopen, and an overdue one at once on start", () =>
    Effect.gen(function* () {
      const open = session(tempDatabase())
      const { lotId, long, short } = yield* open(
        Effect.gen(function* () {
          const parking = yield* Parking
          const lot = yield* parking.createLot(envelope(), { name: "garage", layout })
          const short = yield* parking.reserve(envelope(), lot.id, { registration: "SHORT", holdSeconds: 60 })
          const long = yield* parking.reserve(envelope(), lot.id, { registration: "LONG", holdSeconds: 600 })
          return { lotId: lot.id, short, long }
        })
      )

      yield* open(
        Effect.gen(function* () {
          const parking = yield* Parking
          expect((yield* parking.reservations(tenantA, lotId)).map((r) => r.id)).toEqual([short.id, long.id])
          const version = (yield* parking.getLot(tenantA, lotId)).version
          yield* TestClock.adjust("59 seconds")
          expect((yield* parking.getLot(tenantA, lotId)).reserved).toBe(2)
          yield* TestClock.adjust("2 seconds")
          const expired = yield* nextExpiry(lotId, version)
          expect(expired.event).toMatchObject({ reservationId: short.id, slot: short.slot })
          expect((yield* parking.slot(tenantA, lotId, short.slot)).state).toBe("Free")
          expect((yield* parking.reservations(tenantA, lotId)).map((r) => r.id)).toEqual([long.id])
        })
      )

      // While nothing runs, the long hold runs out too.
      yield* TestClock.adjust("20 minutes")

      yield* open(
        Effect.gen(function* () {
          const parking = yield* Parking
          const expired = yield* nextExpiry(lotId, 0).pipe(
            Effect.flatMap((first) => (first.event._tag === "ReservationExpired" && first.event.reservationId === short.id ? nextExpiry(lotId, first.seq) : Effect.succeed(first)))
          )
          expect(expired.event).toMatchObject({ reservationId: long.id, slot: long.slot })
          const summary = yield* parking.getLot(tenantA, lotId)
          expect(summary).toMatchObject({ free: 3, reserved: 0 })
          expect(yield* parking.reservations(tenantA, lotId)).toEqual([])
        })
      )
    }), 20_000)
})

describe("shutdown", () => {
  it.effect("answers every waiting caller, and every acknowledged command is there after a reopen", () =>
    Effect.gen(function* () {
      const filename = tempDatabase()
      const scope = yield* Scope.make()
      // One command per write, so that the close surely comes while commands are still queued.
      const parking = Context.get(yield* Layer.buildWithScope(runtimeOver(filename, { PARKPLANE_SNAPSHOT_EVERY: "5", PARKPLANE_WORKER_MAX_RUN: "1" }), scope), Parking)
      const lot = yield* parking.createLot(envelope(), { name: "closing", layout: [SlotGroup.make({ type: "standard", count: 1000 })] })
      const callers = yield* Effect.forEach(Array.from({ length: 200 }, (_, i) => i), (i) =>
        Effect.fork(Effect.either(parking.park(envelope(), lot.id, { registration: `C-${i}`, color: "Red" })))
      )
      for (let i = 0; i < 20; i++) yield* Effect.yieldNow()
      yield* Scope.close(scope, Exit.void)
      const results = yield* Effect.forEach(callers, Fiber.join)
      const acknowledged = results.filter(Either.isRight).map((r) => r.right)
      const refusals = new Set(results.filter(Either.isLeft).map((r) => r.left._tag))
      // The close came while commands were still queued: some were answered, the rest refused.
      expect(acknowledged.length).toBeGreaterThan(0)
      expect(refusals.size).toBeGreaterThan(0)
      for (const tag of refusals) expect(["LotUnavailable", "StorageUnavailable", "LotNotFound"]).toContain(tag)

      yield* Effect.gen(function* () {
        const reopened = yield* Parking
        for (const ticket of acknowledged) expect(yield* reopened.ticket(tenantA, ticket.id)).toEqual(ticket)
        const summary = yield* reopened.getLot(tenantA, lot.id)
        expect(summary.occupied).toBeGreaterThanOrEqual(acknowledged.length)
        const replayed = Lot.replay((yield* allEvents(tenantA, lot.id)).map((e) => e.event))
        expect(replayed.summary()).toEqual(summary)
        expect(replayed.slots()).toEqual(yield* reopened.slots(tenantA, lot.id))
      }).pipe(Effect.provide(runtimeOver(filename)))
    }))
})
