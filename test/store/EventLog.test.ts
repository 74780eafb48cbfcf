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

  it.effect("finds a ticket's events from the event that opened it, and a lot's last seq", () =>
    Effect.gen(function* () {
      const writer = yield* Writer
      const log = yield* EventLog
      yield* writer.commit({ events: [event("L1", 1, "T1"), event("L1", 2, "T2"), event("L1", 3, "T1"), event("L1", 4, "T1"), event("L2", 1, "T1")] })
      // The opening event and the next that names the ticket, in its own lot only.
      expect((yield* log.byTicket("L1", 1, "T1")).map((e) => [e.lotId, e.seq, e.ticketId])).toEqual([
        ["L1", 1, "T1"],
        ["L1", 3, "T1"]
      ])
      expect((yield* log.byTicket("L2", 1, "T1")).map((e) => [e.lotId, e.seq])).toEqual([["L2", 1]])
      // The event at that seq names another ticket, or there is none: nothing, and no walk of the lot.
      expect(yield* log.byTicket("L1", 2, "T1")).toEqual([])
      expect(yield* log.byTicket("L1", 9, "T9")).toEqual([])
      expect(yield* log.byTicket("L3", 1, "T1")).toEqual([])
      expect(yield* log.lastSeq("L1")).toBe(4)
      expect(yield* log.lastSeq("L3")).toBe(0)
    }).pipe(Effect.provide(memoryStore())))
})
