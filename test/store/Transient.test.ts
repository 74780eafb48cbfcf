import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber } from "effect"
import * as path from "node:path"
import { StorageUnavailable } from "../../src/domain/Errors.ts"
import { DatabaseLive } from "../../src/store/Database.ts"
import { EventLog } from "../../src/store/EventLog.ts"
import { Writer } from "../../src/store/Writer.ts"
import { event, lockedBy, storeOver, tempFolder } from "./Fixtures.ts"

// Real time: the retries back off on the real clock while another connection holds the lock.
describe("Writer under lock contention", () => {
  it.live("retries a busy database and commits once the lock is released", () => {
    const filename = path.join(tempFolder(), "busy.db")
    return Effect.gen(function* () {
      const writer = yield* Writer
      const log = yield* EventLog
      const other = yield* lockedBy(filename)
      const commit = yield* Effect.fork(writer.commit({ events: [event("L1", 1)] }))
      yield* Effect.sleep("150 millis")
      expect(commit.unsafePoll()).toBeNull()
      other.exec("COMMIT")
      yield* Fiber.join(commit)
      expect((yield* log.read("L1", 0, 10)).map((e) => e.seq)).toEqual([1])
    }).pipe(Effect.scoped, Effect.provide(storeOver(DatabaseLive({ filename }))))
  })

  it.live("answers StorageUnavailable when the lock outlasts the retries", () => {
    const filename = path.join(tempFolder(), "locked.db")
    return Effect.gen(function* () {
      const writer = yield* Writer
      yield* lockedBy(filename)
      const started = Date.now()
      const failed = yield* Effect.flip(writer.commit({ events: [event("L1", 1)] }))
      expect(failed).toBeInstanceOf(StorageUnavailable)
      expect(failed.message).toContain("SQLITE_BUSY")
      // Bounded: about a second of backoff plus the driver's short busy waits.
      expect(Date.now() - started).toBeLessThan(5_000)
    }).pipe(Effect.scoped, Effect.provide(storeOver(DatabaseLive({ filename }))))
  })
})
