import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Metric } from "effect"
import { SlotGroup } from "../../src/domain/Events.ts"
import { defaultTenant } from "../../src/domain/Ids.ts"
import { LeaveTarget } from "../../src/domain/Lot.ts"
import { Parking } from "../../src/runtime/Parking.ts"
import { ParkingLive } from "../../src/runtime/ParkingLive.ts"
import { DatabaseLive } from "../../src/store/Database.ts"
import { commandsTotal, withTags } from "../../src/telemetry/Metrics.ts"
import { makeInMemoryTracing } from "../../src/telemetry/Tracing.ts"

const envelope = { tenant: defaultTenant, correlationId: "req-7f3a" }

describe("a park, traced and counted", () => {
  it.live("spans: request -> Parking.park -> LotWorker.park, and the store transaction links to the worker", () => {
    const { exporter, layer: tracing } = makeInMemoryTracing()
    const runtime = ParkingLive.pipe(Layer.provide(DatabaseLive({ filename: ":memory:" })))
    return Effect.gen(function* () {
      const parking = yield* Parking
      const lot = yield* parking.createLot(envelope, { name: "traced", layout: [SlotGroup.make({ type: "standard", count: 3 })] })
      exporter.reset()
      yield* parking.park(envelope, lot.id, { registration: "KA-01-HH-1234", color: "White" }).pipe(Effect.withSpan("http.request"))

      const spans = exporter.getFinishedSpans()
      const byName = (name: string) => {
        const span = spans.find((s) => s.name === name)
        expect(span, `span ${name} among ${spans.map((s) => s.name).join(", ")}`).toBeDefined()
        return span!
      }
      const request = byName("http.request")
      const command = byName("Parking.park")
      const worker = byName("LotWorker.park")
      const commit = byName("store.commit")
      expect(command.parentSpanContext?.spanId).toBe(request.spanContext().spanId)
      expect(worker.parentSpanContext?.spanId).toBe(command.spanContext().spanId)
      expect(command.spanContext().traceId).toBe(request.spanContext().traceId)
      expect(command.attributes["parkplane.correlation_id"]).toBe("req-7f3a")
      expect(command.attributes["parkplane.lot_id"]).toBe(lot.id)
      expect(command.attributes["parkplane.outcome"]).toBe("ok")
      expect(commit.links.map((l) => l.context.spanId)).toContain(worker.spanContext().spanId)
    }).pipe(Effect.provide(runtime), Effect.provide(tracing), Effect.scoped)
  })

  it.live("metrics: commands by operation and outcome move on success and on a refusal", () =>
    Effect.gen(function* () {
      const parking = yield* Parking
      const counter = (outcome: string) => withTags(commandsTotal, { operation: "leave", outcome })
      const okBefore = (yield* Metric.value(counter("ok"))).count
      const rejectedBefore = (yield* Metric.value(counter("rejected"))).count
      const lot = yield* parking.createLot(envelope, { name: "counted", layout: [SlotGroup.make({ type: "standard", count: 2 })] })
      const ticket = yield* parking.park(envelope, lot.id, { registration: "KA-02", color: "Red" })
      yield* parking.leave(envelope, lot.id, LeaveTarget.BySlot({ slot: ticket.slot }))
      const refused = yield* Effect.flip(parking.leave(envelope, lot.id, LeaveTarget.BySlot({ slot: ticket.slot })))
      expect(refused._tag).toBe("SlotAlreadyFree")
      expect((yield* Metric.value(counter("ok"))).count).toBe(okBefore + 1)
      expect((yield* Metric.value(counter("rejected"))).count).toBe(rejectedBefore + 1)
    }).pipe(Effect.provide(ParkingLive.pipe(Layer.provide(DatabaseLive({ filename: ":memory:" })))), Effect.scoped)
  )
})
