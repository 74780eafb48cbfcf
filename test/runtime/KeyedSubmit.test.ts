import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import type { LotId } from "../../src/domain/Ids.ts"
import { type CommandError, Parking, type TicketCommand } from "../../src/runtime/Parking.ts"
import type { Ticket } from "../../src/domain/Views.ts"
import { createLot, envelope, memoryRuntime, runtimeOver, tempDatabase, tenantA } from "./Fixtures.ts"

/*
 * Keyed park and leave through `Parking.submit`, as the HTTP fast lane sends them. With a database
 * file they take the callback way (the store's reader; decision 0019), in ":memory:" the Effect
 * way; both must keep the same promises: a key in flight is waited for, a stored answer is
 * replayed, the same key with another request is refused, and the Effect API sees the same record.
 */

/** Submits every command in the same synchronous step, then waits for all their answers. */
const submitAtOnce = (lotId: LotId, sends: ReadonlyArray<{ readonly key: string; readonly command: TicketCommand }>) =>
  Effect.flatMap(Parking, (parking) =>
    Effect.async<ReadonlyArray<Exit.Exit<Ticket, CommandError>>>((resume) => {
      const exits = new Array<Exit.Exit<Ticket, CommandError>>(sends.length)
      let left = sends.length
      sends.forEach(({ command, key }, i) =>
        parking.submit(envelope(tenantA, key), lotId, command, (exit) => {
          exits[i] = exit
          if (--left === 0) resume(Effect.succeed(exits))
        })
      )
    })
  )

const park = (registration: string): TicketCommand => ({ _tag: "Park", input: { registration, color: "Blue" } })

const promises = (label: string, runtime: () => ReturnType<typeof memoryRuntime>) =>
  describe(`keyed commands through submit (${label})`, () => {
    it.effect("copies of one keyed request sent at once are done once, and all get its answer", () =>
      Effect.gen(function* () {
        const parking = yield* Parking
        const lotId = yield* createLot("AtOnce", 5)
        const exits = yield* submitAtOnce(lotId, Array.from({ length: 6 }, () => ({ key: "k-1", command: park("ONCE-1") })))
        const first = exits[0]
        expect(Exit.isSuccess(first)).toBe(true)
        for (const exit of exits) expect(exit).toStrictEqual(first)
        expect((yield* parking.getLot(tenantA, lotId)).occupied).toBe(1)
        // The Effect API replays the same stored answer.
        const replayed = yield* parking.park(envelope(tenantA, "k-1"), lotId, { registration: "ONCE-1", color: "Blue" })
        expect(Exit.succeed(replayed)).toStrictEqual(first)
      }).pipe(Effect.provide(runtime())))

    it.effect("the same key with another request is refused, in flight or stored", () =>
      Effect.gen(function* () {
        const lotId = yield* createLot("Reused", 5)
        const [first, inFlight] = yield* submitAtOnce(lotId, [
          { key: "k-2", command: park("REUSE-1") },
          { key: "k-2", command: park("REUSE-2") }
        ])
        expect(Exit.isSuccess(first)).toBe(true)
        expect(inFlight).toStrictEqual(Exit.fail(expect.objectContaining({ _tag: "IdempotencyKeyReused" })))
        const [stored] = yield* submitAtOnce(lotId, [{ key: "k-2", command: { _tag: "Leave", target: { _tag: "ByRegistration", registration: "REUSE-1" } } }])
        expect(Exit.isFailure(stored) && JSON.stringify(stored.cause)).toContain("IdempotencyKeyReused")
        expect((yield* Effect.flatMap(Parking, (p) => p.getLot(tenantA, lotId))).occupied).toBe(1)
      }).pipe(Effect.provide(runtime())))

    it.effect("a refusal is stored and replayed like a success, and an unknown lot is not found", () =>
      Effect.gen(function* () {
        const lotId = yield* createLot("Refusal", 1)
        const [parked, full, fullAgain] = yield* Effect.flatMap(submitAtOnce(lotId, [{ key: "k-3", command: park("FULL-1") }]), (a) =>
          Effect.map(submitAtOnce(lotId, [{ key: "k-4", command: park("FULL-2") }]), (b) => [...a, ...b])
        ).pipe(Effect.flatMap((ab) => Effect.map(submitAtOnce(lotId, [{ key: "k-4", command: park("FULL-2") }]), (c) => [...ab, ...c])))
        expect(Exit.isSuccess(parked)).toBe(true)
        expect(Exit.isFailure(full)).toBe(true)
        expect(fullAgain).toStrictEqual(full)
        const [missing] = yield* submitAtOnce("L999" as LotId, [{ key: "k-5", command: park("NOWHERE") }])
        expect(Exit.isFailure(missing) && JSON.stringify(missing.cause)).toContain("LotNotFound")
      }).pipe(Effect.provide(runtime())))
  })

promises("a database file: the callback way", () => runtimeOver(tempDatabase()))
promises(":memory:: the Effect way", () => memoryRuntime())
