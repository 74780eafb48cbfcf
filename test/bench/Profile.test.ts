import { describe, expect, it } from "@effect/vitest"
import { summariseProfile } from "../../src/bench/Profile.ts"

const node = (id: number, functionName: string, url: string) => ({ id, callFrame: { functionName, url, lineNumber: 9 } })

describe("summariseProfile", () => {
  const profile = {
    nodes: [
      node(1, "(idle)", ""),
      node(2, "runLoop", "file:///x/node_modules/effect/dist/esm/internal/fiberRuntime.js"),
      node(3, "park", "file:///x/src/runtime/LotWorker.ts"),
      node(4, "compile", "node:internal/modules/esm/utils")
    ],
    // start-up (compile) first, then the load: idle, effect, effect, our own code
    samples: [4, 4, 1, 2, 2, 3],
    timeDeltas: [10, 10, 10, 10, 10, 10],
    startTime: 0,
    endTime: 60
  }

  it("shares self time by frame and by package, leaving idle out", () => {
    const summary = summariseProfile(profile)
    expect(summary.packages.map((p) => [p.name, Math.round(p.percent)])).toEqual([
      ["effect", 40],
      ["node internals", 40],
      ["parkplane src/runtime", 20]
    ])
    expect(summary.frames[0].name).toBe("runLoop internal/fiberRuntime.js:10")
  })

  it("keeps only the last stretch when asked, so start-up does not count", () => {
    const summary = summariseProfile(profile, 8, 35)
    expect(summary.packages.map((p) => [p.name, Math.round(p.percent)])).toEqual([
      ["effect", 67],
      ["parkplane src/runtime", 33]
    ])
  })
})
