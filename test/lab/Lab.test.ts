import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { passed, runLab, shortOptions } from "../../src/lab/Lab.ts"
import { renderReport } from "../../src/lab/Report.ts"

/*
 * The short fault lab end to end: a real server process, SIGKILLs and restarts included. Only the
 * invariants are asserted; latencies and recovery times depend on the machine and are reported.
 * Three server starts dominate its time: about a minute on an idle 2-core machine, several on a
 * loaded one, hence the generous timeout.
 */
describe("fault lab, short", () => {
  it.live(
    "five faults: no invariant violated, no acknowledged write lost, no id reused",
    () =>
      Effect.gen(function* () {
        const result = yield* runLab(shortOptions(7))
        expect(result.scenarios.map((s) => s.name)).toEqual([
          "1. worker defect",
          "2. storage outage",
          "3. SIGKILL under load",
          "4. burst x10",
          "5. expiry while down"
        ])
        for (const s of result.scenarios) {
          expect({ scenario: s.name, ...s.findings }).toEqual({ scenario: s.name, violations: [], lost: [], reused: [] })
          // The load really ran through every scenario and writes were acknowledged.
          const acknowledged = [...s.responses].filter(([key]) => key.startsWith("2")).reduce((n, [, c]) => n + c, 0)
          expect(acknowledged).toBeGreaterThan(0)
        }
        expect(result.startupMs).toHaveLength(3)
        expect(passed(result)).toBe(true)
        const report = renderReport(result)
        expect(report).toContain("**Overall: PASS**")
        console.log(report)
      }),
    600_000
  )
})
