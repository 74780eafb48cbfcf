import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Either, Fiber, Stream } from "effect"
import { SlotGroup } from "../../src/domain/Events.ts"
import { LeaveTarget } from "../../src/domain/Lot.ts"
import { Parking } from "../../src/runtime/Parking.ts"
import { allEvents, createLot, envelope, memoryRuntime, runtimeOver, tempDatabase, tenantA, tenantB } from "./Fixtures.ts"

const tagOf = (result: Either.Either<unknown, { readonly _tag: string }>) => (Either.isLeft(result) ? result.left._tag : "ok")

const parkMany = (lotId: Parameters<Parking["Type"]["park"]>[1], prefix: string, count: number) =>
  Effect.flatMap(Parking, (parking) =>
    Effect.forEach(Array.from({ length: count }, (_, i) => i), (i) => parking.park(envelope(), lotId, { registration: `${prefix}-${i}`, color: "Blue" }))
  )

describe("Parking", () => {
  it.effect("answers Overloaded when the lot's mailbox is full, and applies only what it accepted", () =>
    Effect.gen(function* () {
      const parking = yield* Parking
      const lotId = yield* createLot("tiny", 100)
      const results = yield* Effect.forEach(
        Array.from({ length: 60 }, (_, i) => i),
        (i) => Effect.either(parking.park(envelope(), lotId, { registration: `O-${i}`, color: "Red" })),
        { concurrency: "unbounded" }
      )
      const tags = results.map(tagOf)
      const accepted = tags.filter((t) => t === "ok").length
      expect(tags.filter((t) => t === "Overloaded").length).toBeGreaterThan(0)
      expect(accepted + tags.filter((t) => t === "Overloaded").length).toBe(60)
      expect(accepted).toBeGreaterThanOrEqual(2)
      const summary = yield* parking.getLot(tenantA, lotId)
      expect(summary.occupied).toBe(accepted)
      expect(summary.version).toBe(accepted + 1)
      // Once the mailbox drains the lot takes commands again.
      yield* parking.park(envelope(), lotId, { registration: "AFTER", color: "Red" })
    }).pipe(Effect.provide(memoryRuntime({ PARKPLANE_MAILBOX_SIZE: "2" }))))

  it.effect("follow streams the log after a seq, then live, without gaps or duplicates", () =>
    Effect.gen(function* () {
      const parking = yield* Parking
      const lotId = yield* createLot("followed", 200)
      yield* parkMany(lotId, "H", 10)
      // Writers keep going while listeners join, so history and live overlap at the join.
      const writers = yield* Effect.fork(parkMany(lotId, "W", 60))
      const listen = (after: number, count: number) =>
        Effect.flatMap(parking.follow(tenantA, lotId, after), (events) => Stream.runCollect(Stream.take(events, count))).pipe(
          Effect.map((chunk) => Chunk.toReadonlyArray(chunk).map((e) => e.seq))
        )
      const listeners = yield* Effect.all([listen(0, 71), listen(5, 66), listen(11, 60), listen(40, 31)], { concurrency: "unbounded" }).pipe(Effect.fork)
      yield* Fiber.join(writers)
      const [fromStart, fromFive, fromEleven, fromForty] = yield* Fiber.join(listeners)
      const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i)
      expect(fromStart).toEqual(range(1, 71))
      expect(fromFive).toEqual(range(6, 71))
      expect(fromEleven).toEqual(range(12, 71))
      expect(fromForty).toEqual(range(41, 71))

      // A listener that joins at the head gets only what is committed after it joined.
      const live = yield* Effect.fork(listen(71, 2))
      yield* Effect.yieldNow()
      yield* parkMany(lotId, "L", 2)
      expect(yield* Fiber.join(live)).toEqual([72, 73])
    }).pipe(Effect.provide(memoryRuntime())))

  it.effect("pages the event log", () =>
    Effect.gen(function* () {
      const parking = yield* Parking
      const lotId = yield* createLot("paged", 20)
      yield* parkMany(lotId, "P", 9)
      const first = yield* parking.events(tenantA, lotId, 0, 4)
      expect(first.events.map((e) => e.seq)).toEqual([1, 2, 3, 4])
      expect(first.next).toBe(4)
      expect(first.events[0].event._tag).toBe("LotCreated")
      const second = yield* parking.events(tenantA, lotId, 4, 4)
      expect(second.events.map((e) => e.seq)).toEqual([5, 6, 7, 8])
      const last = yield* parking.events(tenantA, lotId, 8, 4)
      expect(last.events.map((e) => e.seq)).toEqual([9, 10])
      expect(last.next).toBeNull()
      expect((yield* parking.events(tenantA, lotId, 10, 4)).events).toEqual([])
      expect((yield* allEvents(tenantA, lotId)).map((e) => e.seq)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1))
      for (const e of (yield* allEvents(tenantA, lotId)).slice(1)) expect(e.event._tag).toBe("VehicleParked")
    }).pipe(Effect.provide(memoryRuntime())))

  it.effect("deletes only an empty lot; then the lot is gone, also after a restart, and its name is free", () =>
    Effect.gen(function* () {
      const filename = tempDatabase()
      const deletedId = yield* Effect.gen(function* () {
        const parking = yield* Parking
        const lotId = yield* createLot("temporary", 5)
        const ticket = yield* parking.park(envelope(), lotId, { registration: "D-1", color: "Red" })
        const reservation = yield* parking.reserve(envelope(), lotId, { registration: "D-2", holdSeconds: 600 })
        const refused = yield* Effect.either(parking.deleteLot(envelope(), lotId))
        expect(Either.isLeft(refused) && refused.left).toMatchObject({ _tag: "LotNotEmpty", occupied: 1, reserved: 1 })
        yield* parking.leave(envelope(), lotId, LeaveTarget.ByTicket({ ticketId: ticket.id }))
        expect(tagOf(yield* Effect.either(parking.deleteLot(envelope(), lotId)))).toBe("LotNotEmpty")
        yield* parking.cancelReservation(envelope(), lotId, reservation.id)
        yield* parking.deleteLot(envelope(), lotId)

        expect(tagOf(yield* Effect.either(parking.getLot(tenantA, lotId)))).toBe("LotNotFound")
        expect(tagOf(yield* Effect.either(parking.park(envelope(), lotId, { registration: "D-3", color: "Red" })))).toBe("LotNotFound")
        expect(tagOf(yield* Effect.either(parking.events(tenantA, lotId, 0, 10)))).toBe("LotNotFound")
        expect(tagOf(yield* Effect.either(parking.deleteLot(envelope(), lotId)))).toBe("LotNotFound")
        expect(tagOf(yield* Effect.either(parking.findLotByName(tenantA, "temporary")))).toBe("LotNotFound")
        expect(tagOf(yield* Effect.either(parking.ticket(tenantA, ticket.id)))).toBe("TicketNotFound")
        const again = yield* createLot("temporary", 3)
        expect(again).not.toBe(lotId)
        return lotId
      }).pipe(Effect.provide(runtimeOver(filename)))

      yield* Effect.gen(function* () {
        const parking = yield* Parking
        expect(tagOf(yield* Effect.either(parking.getLot(tenantA, deletedId)))).toBe("LotNotFound")
        const lots = yield* parking.listLots(tenantA)
        expect(lots.map((l) => [l.name, l.capacity])).toEqual([["temporary", 3]])
        // Lot ids are never reused, not even a deleted one's.
        const next = yield* createLot("another", 1)
        expect(new Set([deletedId, lots[0].id, next]).size).toBe(3)
      }).pipe(Effect.provide(runtimeOver(filename)))
    }))

  it.effect("finds open tickets in the lot and closed ones in the log", () =>
    Effect.gen(function* () {
      const parking = yield* Parking
      const lotId = yield* parking
        .createLot(envelope(), {
          name: "tickets",
          layout: [SlotGroup.make({ type: "standard", count: 4 })],
          tariff: undefined
        })
        .pipe(Effect.map((s) => s.id))
      const open = yield* parking.park(envelope(), lotId, { registration: "T-1", color: "Silver" })
      const closing = yield* parking.park(envelope(), lotId, { registration: "T-2", color: "Black" })
      const closed = yield* parking.leave(envelope(), lotId, LeaveTarget.ByRegistration({ registration: "T-2" }))

      expect(yield* parking.ticket(tenantA, open.id)).toEqual(open)
      const readBack = yield* parking.ticket(tenantA, closing.id)
      expect(readBack).toEqual(closed)
      expect(readBack.exitedAt).toBeDefined()
      expect(readBack.fee).toBeDefined()
      // The slot is taken again by someone else: the closed ticket still reads as it was.
      const next = yield* parking.park(envelope(), lotId, { registration: "T-3", color: "Red" })
      expect(next.slot).toBe(closing.slot)
      expect(yield* parking.ticket(tenantA, closing.id)).toEqual(closed)

      // Closed far from its park, with other tickets opened and closed in between.
      const long = yield* parking.park(envelope(), lotId, { registration: "T-4", color: "Blue" })
      for (let i = 0; i < 30; i++) {
        const other = yield* parking.park(envelope(), lotId, { registration: `O-${i}`, color: "Grey" })
        yield* parking.leave(envelope(), lotId, LeaveTarget.ByTicket({ ticketId: other.id }))
      }
      const longClosed = yield* parking.leave(envelope(), lotId, LeaveTarget.ByTicket({ ticketId: long.id }))
      expect(yield* parking.ticket(tenantA, long.id)).toEqual(longClosed)
      // An id that names the seq of an event that opened no ticket (a leave) is no ticket.
      const page = yield* parking.events(tenantA, lotId, 0, 100)
      const leaveSeq = page.events.find((e) => e.event._tag === "VehicleLeft")?.seq
      expect(leaveSeq).toBeDefined()

      for (const unknown of [`${lotId}-999`, `${lotId}-${leaveSeq}`, "L999-2", "nonsense", `${lotId}-R2`]) {
        expect(tagOf(yield* Effect.either(parking.ticket(tenantA, unknown)))).toBe("TicketNotFound")
      }
      expect(tagOf(yield* Effect.either(parking.ticket(tenantB, open.id)))).toBe("TicketNotFound")
      expect(tagOf(yield* Effect.either(parking.ticket(tenantB, closing.id)))).toBe("TicketNotFound")
    }).pipe(Effect.provide(memoryRuntime())))

  it.effect("keeps tenants apart: another tenant's lot is LotNotFound, and names are per tenant", () =>
    Effect.gen(function* () {
      const parking = yield* Parking
      const mine = yield* createLot("shared-name", 3, tenantA)
      const ticket = yield* parking.park(envelope(tenantA), mine, { registration: "M-1", color: "Red" })
      const theirs = yield* createLot("shared-name", 2, tenantB)
      expect(theirs).not.toBe(mine)

      const asB: ReadonlyArray<Effect.Effect<unknown, { readonly _tag: string }>> = [
        parking.getLot(tenantB, mine),
        parking.slots(tenantB, mine),
        parking.slot(tenantB, mine, 1),
        parking.vehicles(tenantB, mine),
        parking.locate(tenantB, mine, "M-1"),
        parking.reservations(tenantB, mine),
        parking.events(tenantB, mine, 0, 10),
        parking.follow(tenantB, mine, 0),
        parking.park(envelope(tenantB), mine, { registration: "B-1", color: "Red" }),
        parking.leave(envelope(tenantB), mine, LeaveTarget.ByTicket({ ticketId: ticket.id })),
        parking.reserve(envelope(tenantB), mine, { registration: "B-2", holdSeconds: 60 }),
        parking.setOutOfService(envelope(tenantB), mine, 2),
        parking.deleteLot(envelope(tenantB), mine)
      ]
      for (const attempt of asB) expect(tagOf(yield* Effect.either(attempt))).toBe("LotNotFound")

      expect((yield* parking.listLots(tenantA)).map((l) => l.id)).toEqual([mine])
      expect((yield* parking.listLots(tenantB)).map((l) => l.id)).toEqual([theirs])
      expect((yield* parking.findLotByName(tenantB, "shared-name")).id).toBe(theirs)
      expect((yield* parking.findLotByName(tenantA, "shared-name")).id).toBe(mine)
      // Nothing B tried touched A's lot; the same idempotency key means different requests per tenant.
      expect((yield* parking.getLot(tenantA, mine)).occupied).toBe(1)
      const a = yield* parking.park(envelope(tenantA, "same-key"), mine, { registration: "K-1", color: "Red" })
      const b = yield* parking.park(envelope(tenantB, "same-key"), theirs, { registration: "K-2", color: "Red" })
      expect(a.lotId).toBe(mine)
      expect(b.lotId).toBe(theirs)
    }).pipe(Effect.provide(memoryRuntime())))
})
