import { describe, expect, it, layer } from "@effect/vitest"
import { Effect, Metric } from "effect"
import {
  forgetLot,
  LOT_SERIES_LIMIT,
  LotLabels,
  lotOccupancy,
  lotTag,
  OTHER_LOTS,
  setLotOccupancy,
  withTags
} from "../../src/telemetry/Metrics.ts"
import { PrometheusLive, renderPrometheus } from "../../src/telemetry/Prometheus.ts"
import { parsePrometheusText } from "./PrometheusText.ts"

// This file owns the process-wide lot labels (vitest runs each file in its own process): no other
// test here may touch per-lot metrics first.

const occupied = (lot: string) =>
  Effect.map(Metric.value(withTags(lotOccupancy, { lot, slot_type: "standard" })), (s) => s.value)

describe("LotLabels", () => {
  it("admits the first N lots and sends every later one to _other, for good", () => {
    const labels = new LotLabels(3)
    expect(["a", "b", "c", "d", "a", "e", "d"].map((id) => labels.label(id))).toEqual([
      "a",
      "b",
      "c",
      OTHER_LOTS,
      "a",
      OTHER_LOTS,
      OTHER_LOTS
    ])
  })
})

layer(PrometheusLive)("per-lot series", (it) => {
  it.effect("N+1 lots give N lot series plus _other, which sums the overflow lots", () =>
    Effect.gen(function* () {
      const lots = Array.from({ length: LOT_SERIES_LIMIT + 3 }, (_, i) => `lot-${i}`)
      for (const [i, lot] of lots.entries()) yield* setLotOccupancy(lot, "standard", i, 1)
      expect(yield* lotTag(lots[LOT_SERIES_LIMIT - 1])).toBe(lots[LOT_SERIES_LIMIT - 1])
      expect(yield* lotTag(lots[LOT_SERIES_LIMIT])).toBe(OTHER_LOTS)
      const overflow = [LOT_SERIES_LIMIT, LOT_SERIES_LIMIT + 1, LOT_SERIES_LIMIT + 2]
      expect(yield* occupied(OTHER_LOTS)).toBe(overflow.reduce((a, b) => a + b, 0))
      expect(yield* occupied(lots[7])).toBe(7)

      // An overflow lot's update moves _other by its difference, not by its value.
      yield* setLotOccupancy(lots[LOT_SERIES_LIMIT], "standard", LOT_SERIES_LIMIT + 10, 1)
      expect(yield* occupied(OTHER_LOTS)).toBe(overflow.reduce((a, b) => a + b, 0) + 10)
      yield* forgetLot(lots[LOT_SERIES_LIMIT + 1])
      expect(yield* occupied(OTHER_LOTS)).toBe(LOT_SERIES_LIMIT + 10 + LOT_SERIES_LIMIT + 2)

      const families = parsePrometheusText(yield* renderPrometheus)
      const lotValues = new Set(families.get("parkplane_lot_occupied_slots")?.samples.map((s) => s.labels.lot))
      expect(lotValues.size).toBe(LOT_SERIES_LIMIT + 1)
      expect(lotValues.has(OTHER_LOTS)).toBe(true)
      expect(lotValues.has(lots[LOT_SERIES_LIMIT])).toBe(false)
    }))

  it.effect("a lot forgotten after admission keeps its label; new lots still go to _other", () =>
    Effect.gen(function* () {
      yield* forgetLot("lot-0")
      expect(yield* lotTag("lot-0")).toBe("lot-0")
      expect(yield* lotTag("a-brand-new-lot")).toBe(OTHER_LOTS)
    }))
})
