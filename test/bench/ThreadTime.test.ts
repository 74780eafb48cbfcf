import { describe, expect, it } from "@effect/vitest"
import { setTimeout as sleep } from "node:timers/promises"
import { eventLoopThreadNanos } from "../../src/bench/ThreadTime.ts"

// A real thread's real CPU time: no TestClock can stand in for the scheduler's accounting.
describe.runIf(process.platform === "linux")("eventLoopThreadNanos", () => {
  it("grows by about the CPU the event loop's thread spends, and not while it sleeps", async () => {
    const before = eventLoopThreadNanos()
    expect(before).toBeTypeOf("number")
    // 60 ms of the process's CPU, not of the clock: other test processes may share the cores.
    const started = process.cpuUsage()
    while (process.cpuUsage(started).user < 60_000) {
      // spinning on this thread, as a busy event loop would
    }
    const spun = eventLoopThreadNanos() ?? 0
    await sleep(60)
    const slept = eventLoopThreadNanos() ?? 0
    // Its own reading lags by up to a scheduler tick, so the bounds are loose.
    expect(spun - (before ?? 0)).toBeGreaterThan(45e6)
    expect(slept - spun).toBeLessThan(30e6)
  })
})
