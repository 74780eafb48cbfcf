import { describe, expect, it } from "@effect/vitest"
import { Effect, Metric, TestClock } from "effect"
import { LotFull, LotUnavailable, Overloaded, StorageUnavailable } from "../../src/domain/Errors.ts"
import {
  commandDuration,
  commandsTotal,
  lotFreeSlots,
  lotOccupancy,
  mailboxDepth,
  measureCommand,
  recordCommand,
  sseSubscribers,
  trackSseSubscriber,
  setLotOccupancy,
  setMailboxDepth,
  forgetLot,
  withTags,
  type CommandOperation,
  type CommandOutcome
} from "../../src/telemetry/Metrics.ts"

const count = (operation: CommandOperation, outcome: CommandOutcome) =>
  Effect.map(Metric.value(withTags(commandsTotal, { operation, outcome })), (s) => s.count)
const latency = (operation: CommandOperation) => Metric.value(withTags(commandDuration, { operation }))
const gauge = (metric: typeof lotOccupancy, tags: Record<string, string>) =>
  Effect.map(Metric.value(withTags(metric, tags)), (s) => s.value)

describe("Metrics", () => {
  it.effect("recordCommand moves the counter of its operation and outcome and the latency histogram", () =>
    Effect.gen(function* () {
      const before = yield* count("leave", "ok")
      const otherBefore = yield* count("leave", "rejected")
      const histBefore = yield* latency("leave")
      yield* recordCommand("leave", "ok", 0.004)
      expect((yield* count("leave", "ok")) - before).toBe(1)
      expect(yield* count("leave", "rejected")).toBe(otherBefore)
      const hist = yield* latency("leave")
      expect(hist.count - histBefore.count).toBe(1)
      expect(hist.sum - histBefore.sum).toBeCloseTo(0.004, 9)
      // 0.004 s lands in the 0.005 bucket and above, not in 0.0025.
      const bucket = (h: typeof hist, le: number) => h.buckets.find(([b]) => b === le)?.[1] ?? -1
      expect(bucket(hist, 0.005) - bucket(histBefore, 0.005)).toBe(1)
      expect(bucket(hist, 0.0025) - bucket(histBefore, 0.0025)).toBe(0)
    }))

  it.effect("measureCommand classifies outcomes and times with the clock", () =>
    Effect.gen(function* () {
      const cases: ReadonlyArray<readonly [Effect.Effect<unknown, unknown>, CommandOutcome]> = [
        [Effect.succeed(1), "ok"],
        [Effect.fail(LotFull.of("ev")), "rejected"],
        [Effect.fail(Overloaded.of("L1")), "overloaded"],
        [Effect.fail(StorageUnavailable.of("disk")), "unavailable"],
        [Effect.fail(LotUnavailable.of("L1")), "unavailable"],
        [Effect.die("boom"), "error"],
        [Effect.interrupt, "error"]
      ]
      for (const [effect, outcome] of cases) {
        const before = yield* count("reserve", outcome)
        yield* Effect.exit(measureCommand("reserve")(effect))
        expect({ outcome, delta: (yield* count("reserve", outcome)) - before }).toEqual({ outcome, delta: 1 })
      }
      const histBefore = yield* latency("setInService")
      yield* measureCommand("setInService")(TestClock.adjust("30 millis"))
      const hist = yield* latency("setInService")
      expect(hist.sum - histBefore.sum).toBeCloseTo(0.03, 9)
    }))

  it.effect("per-lot gauges hold the lot's values and forgetLot zeroes them", () =>
    Effect.gen(function* () {
      yield* setLotOccupancy("gauge-lot", "ev", 3, 7)
      yield* setLotOccupancy("gauge-lot", "ev", 4, 6)
      yield* setMailboxDepth("gauge-lot", 12)
      expect(yield* gauge(lotOccupancy, { lot: "gauge-lot", slot_type: "ev" })).toBe(4)
      expect(yield* gauge(lotFreeSlots, { lot: "gauge-lot", slot_type: "ev" })).toBe(6)
      expect(yield* gauge(mailboxDepth, { lot: "gauge-lot" })).toBe(12)
      yield* forgetLot("gauge-lot")
      expect(yield* gauge(lotOccupancy, { lot: "gauge-lot", slot_type: "ev" })).toBe(0)
      expect(yield* gauge(lotFreeSlots, { lot: "gauge-lot", slot_type: "ev" })).toBe(0)
      expect(yield* gauge(mailboxDepth, { lot: "gauge-lot" })).toBe(0)
    }))

  it.effect("trackSseSubscriber counts a subscriber for the life of its scope", () =>
    Effect.gen(function* () {
      const before = (yield* Metric.value(sseSubscribers)).value
      const during = yield* Effect.scoped(
        Effect.zipRight(trackSseSubscriber, Effect.map(Metric.value(sseSubscribers), (s) => s.value))
      )
      expect(during - before).toBe(1)
      expect((yield* Metric.value(sseSubscribers)).value).toBe(before)
    }))
})
