import { describe, expect, it } from "@effect/vitest"
import { Clock, Duration, Effect, TestClock } from "effect"
import { Parking } from "../../src/runtime/Parking.ts"
import { createLot, envelope, memoryRuntime, tenantA } from "./Fixtures.ts"

/**
 * The test clock, but its timers wake a millisecond before the instant asked for, as Node's can
 * (its timers keep their own millisecond clock, not aligned with Date.now()). A sleep of a
 * millisecond or less is left whole, so a timer that asks again still wakes.
 */
const wakingEarly = (clock: Clock.Clock): Clock.Clock => ({
  [Clock.ClockTypeId]: Clock.ClockTypeId,
  unsafeCurrentTimeMillis: () => clock.unsafeCurrentTimeMillis(),
  currentTimeMillis: clock.currentTimeMillis,
  unsafeCurrentTimeNanos: () => clock.unsafeCurrentTimeNanos(),
  currentTimeNanos: clock.currentTimeNanos,
  sleep: (duration) =>
    clock.sleep(Duration.greaterThan(duration, Duration.millis(1)) ? Duration.subtract(duration, Duration.millis(1)) : duration)
})

describe("reservation expiry", () => {
  it.effect("expires a hold even when its timer wakes a millisecond early", () =>
    Effect.gen(function* () {
      const clock = yield* Effect.clock
      // Adjusted directly: inside withClock, TestClock.adjust would look for the wrapper.
      const testClock = yield* TestClock.testClock()
      yield* Effect.gen(function* () {
        const parking = yield* Parking
        const lotId = yield* createLot("early", 3)
        const hold = yield* parking.reserve(envelope(), lotId, { registration: "E-1", holdSeconds: 60 })
        // The timer wakes a millisecond short of the expiry: nothing is due yet, so it must sleep again.
        yield* testClock.adjust("59999 millis")
        expect((yield* parking.reservations(tenantA, lotId)).map((r) => r.id)).toEqual([hold.id])
        yield* testClock.adjust("10 seconds")
        expect(yield* parking.reservations(tenantA, lotId)).toEqual([])
        expect((yield* parking.getLot(tenantA, lotId)).reserved).toBe(0)
      }).pipe(Effect.provide(memoryRuntime()), Effect.withClock(wakingEarly(clock)))
    })
  )
})
