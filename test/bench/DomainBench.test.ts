import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { runDomainBench } from "../../src/bench/DomainBench.ts"
import { formatTable } from "../../src/bench/Table.ts"

describe("runDomainBench", () => {
  it.effect("measures every figure side by side on small lots and prints them as a table", () =>
    Effect.gen(function* () {
      const rows = yield* runDomainBench({
        sizes: [2_000],
        naiveSizes: [2_000],
        plainSizes: [2_000],
        rounds: 3,
        roundMillis: 20,
        queryOccupied: 2_000,
        memoryOccupied: 2_000
      })
      const names = rows.map((r) => r.name)
      for (const expected of [
        "park+leave, lot, 2k slots",
        "park+leave, naive port, 2k slots",
        "park+leave, lot / naive, 2k slots",
        "park+leave, plain JS lot with Maps, 2k slots",
        "query by registration, lot, 2k occupied",
        "query by colour (20 hits), naive port, 2k occupied",
        "memory: RSS per occupied slot, 2k occupied"
      ]) {
        expect(names.some((name) => name.startsWith(expected)), expected).toBe(true)
      }
      for (const r of rows.filter((r) => r.unit === "ops/s" || r.unit === "queries/s")) expect(r.figure).toBeGreaterThan(0)
      const table = formatTable(rows)
      expect(table.split("\n")).toHaveLength(rows.length + 2)
      expect(table).toContain("| park+leave, lot, 2k slots ")
    })
  )
})
