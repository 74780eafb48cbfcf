import { describe, expect, it, layer } from "@effect/vitest"
import { Effect } from "effect"
import { recordCommand, recordHttpRequest, setLotOccupancy, setMailboxDepth } from "../../src/telemetry/Metrics.ts"
import { PrometheusLive, renderPrometheus } from "../../src/telemetry/Prometheus.ts"
import { parsePrometheusText } from "./PrometheusText.ts"

const value = (text: string, name: string, labels: Record<string, string>) => {
  const families = parsePrometheusText(text)
  for (const family of families.values()) {
    for (const s of family.samples) {
      if (s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)) return s.value
    }
  }
  return undefined
}

describe("the strict Prometheus reader used here", () => {
  it("rejects what a scraper would", () => {
    expect(() => parsePrometheusText("foo 1\n")).toThrow(/TYPE/)
    expect(() => parsePrometheusText("# TYPE foo gauge\nfoo{a=\"1\" 1\n")).toThrow()
    expect(() => parsePrometheusText("# TYPE foo gauge\nfoo{a=\"1\"} 1\nfoo{a=\"1\"} 2\n")).toThrow(/duplicate/)
    expect(() => parsePrometheusText("# TYPE foo counter\nfoo 1\n")).toThrow(/_total/)
    expect(() => parsePrometheusText("# TYPE foo gauge\nfoo one\n")).toThrow(/bad value/)
    expect(() =>
      parsePrometheusText('# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_count 1\n')
    ).toThrow(/cumulative/)
    expect(parsePrometheusText('# HELP g x\n# TYPE g gauge\ng{a="q\\"\\\\"} 1.5e3\n').get("g")?.samples[0]).toEqual({
      name: "g",
      labels: { a: 'q"\\' },
      value: 1500
    })
  })
})

layer(PrometheusLive)("renderPrometheus", (it) => {
  it.effect("lists every parkplane metric with HELP and TYPE, before anything happened", () =>
    Effect.gen(function* () {
      const families = parsePrometheusText(yield* renderPrometheus)
      const expected: Record<string, string> = {
        parkplane_commands_total: "counter",
        parkplane_worker_restarts_total: "counter",
        parkplane_storage_failures_total: "counter",
        parkplane_commit_transactions_total: "counter",
        parkplane_lot_workers: "gauge",
        parkplane_sse_subscribers: "gauge"
      }
      for (const [name, type] of Object.entries(expected)) {
        const family = families.get(name)
        expect(family?.type, name).toBe(type)
        expect(family?.help, name).toMatch(/\w/)
        expect(family?.help, name).not.toBe("description missing")
      }
      expect(value(yield* renderPrometheus, "parkplane_commands_total", { operation: "park", outcome: "ok" })).toBe(0)
    }))

  it.effect("parses strictly and shows recorded values, histograms included", () =>
    Effect.gen(function* () {
      const before = value(yield* renderPrometheus, "parkplane_commands_total", { operation: "park", outcome: "ok" }) ?? 0
      yield* recordCommand("park", "ok", 0.0003)
      yield* recordCommand("park", "ok", 0.2)
      yield* setLotOccupancy("prom-lot", "ev", 3, 7)
      yield* setMailboxDepth("prom-lot", 2)
      yield* recordHttpRequest("POST", "/v1/lots/:lotId/park", 201, 0.001)
      const text = yield* renderPrometheus
      const families = parsePrometheusText(text)
      expect(value(text, "parkplane_commands_total", { operation: "park", outcome: "ok" })).toBe(before + 2)
      expect(families.get("parkplane_command_duration_seconds")?.type).toBe("histogram")
      expect(value(text, "parkplane_command_duration_seconds_bucket", { operation: "park", le: "0.0005" })).toBeGreaterThanOrEqual(1)
      expect(value(text, "parkplane_command_duration_seconds_bucket", { operation: "park", le: "+Inf" })).toBe(
        value(text, "parkplane_command_duration_seconds_count", { operation: "park" })
      )
      expect(value(text, "parkplane_lot_occupied_slots", { lot: "prom-lot", slot_type: "ev" })).toBe(3)
      expect(value(text, "parkplane_lot_free_slots", { lot: "prom-lot", slot_type: "ev" })).toBe(7)
      expect(value(text, "parkplane_mailbox_depth", { lot: "prom-lot" })).toBe(2)
      expect(value(text, "parkplane_http_requests_total", { method: "POST", status: "2xx" })).toBe(1)
      expect(text).not.toContain("otel_scope_name")
    }))
})
