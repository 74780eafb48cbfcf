import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { EventLog } from "../../src/store/EventLog.ts"
import { Writer } from "../../src/store/Writer.ts"
import { event, memoryStore } from "./Fixtures.ts"

describe("EventLog", () => {
  it.effect("reads a lot's events after a seq, ascending and limited", () =>
    Effect.gen(function* () {
      const writer = yield* Writer
      const log = yield* EventLog
      yield* writer.commit({ events: [event("L1", 3), event("L1", 1), event("L1", 2), event("L2", 1)] })
      yield* writer.commit({ events: [event("L1", 4), event("L1", 5)] })
      expect((yield* log.read("L1", 0, 100)).map((e) => e.seq)).toEqual([1, 2, 3, 4, 5])
      expect((yield* log.read("L1", 2, 2)).map((e) => e.seq)).toEqual([3, 4])
      expect(yield* log.read("L1", 5, 10)).toEqual([])
      expect(yield* log.read("L3", 0, 10)).toEqual([])
      expect((yield* log.read("L2", 0, 10))[0]).toEqual(event("L2", 1))
    }).pipe(Effect.provide(memoryStore())))

  it.effect("finds a ticket's events and a lot's last seq", () =>
    Effect.gen(function* () {
      const writer = yield* Writer
      const log = yield* EventLog
      yield* writer.commit({ events: [event("L1", 1, "T1"), event("L1", 2, "T2"), event("L1", 3, "T1")] })
      expect((yield* log.byTicket("T1")).map((e) => [e.seq, e.ticketId])).toEqual([
        [1, "T1"],
        [3, "T1"]
      ])
      expect(yield* log.byTicket("T9")).toEqual([])
      expect(yield* log.lastSeq("L1")).toBe(3)
      expect(yield* log.lastSeq("L2")).toBe(0)
    }).pipe(Effect.provide(memoryStore())))
})
