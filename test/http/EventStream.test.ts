import { describe, expect, it } from "@effect/vitest"
import { Chunk, Deferred, Effect, Fiber, Stream, TestClock } from "effect"
import { StoredLotEvent, SlotWentOutOfService } from "../../src/domain/Events.ts"
import { LotId } from "../../src/domain/Ids.ts"
import { eventStreamResponse } from "../../src/http/EventStream.ts"
import { SubscriberTooSlow } from "../../src/runtime/Parking.ts"

const bodyText = (events: Stream.Stream<StoredLotEvent, SubscriberTooSlow>, take: number) =>
  Effect.gen(function* () {
    const draining = yield* Deferred.make<void>()
    const response = yield* eventStreamResponse(events, draining)
    if (response.body._tag !== "Stream") return yield* Effect.die("not a stream")
    const decoder = new TextDecoder()
    return { draining, frames: response.body.stream.pipe(Stream.map((bytes) => decoder.decode(bytes)), Stream.take(take)) }
  })

const stored = StoredLotEvent.make({
  lotId: LotId.make("L1"),
  seq: 7,
  event: SlotWentOutOfService.make({ slot: 2, at: 0 })
})

describe("event stream frames", () => {
  it.effect("an event is one frame: id = seq, event = tag, data = the stored event as JSON", () =>
    Effect.gen(function* () {
      const { frames } = yield* bodyText(Stream.make(stored), 2)
      const [retry, frame] = Chunk.toReadonlyArray(yield* Stream.runCollect(frames))
      expect(retry).toBe("retry: 2000\n\n")
      expect(frame).toBe(
        `id: 7\nevent: SlotWentOutOfService\ndata: {"lotId":"L1","seq":7,"event":{"slot":2,"at":"1970-01-01T00:00:00.000Z","_tag":"SlotWentOutOfService"}}\n\n`
      )
    }))

  it.effect("a quiet stream sends a heartbeat comment every 15 seconds", () =>
    Effect.gen(function* () {
      const { frames } = yield* bodyText(Stream.never, 3)
      const fiber = yield* Effect.fork(Stream.runCollect(frames))
      yield* TestClock.adjust("14 seconds")
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust("16 seconds")
      const sent = Chunk.toReadonlyArray(yield* Fiber.join(fiber))
      expect(sent).toEqual(["retry: 2000\n\n", ": heartbeat\n\n", ": heartbeat\n\n"])
    }))

  it.effect("a subscriber too slow gets one error event and the stream ends", () =>
    Effect.gen(function* () {
      const tooSlow = Stream.concat(Stream.make(stored), Stream.fail(new SubscriberTooSlow({ message: "fell 1024 events behind" })))
      const { frames } = yield* bodyText(tooSlow, 10)
      const sent = Chunk.toReadonlyArray(yield* Stream.runCollect(frames))
      expect(sent).toHaveLength(3)
      expect(sent[2]).toBe(`event: error\ndata: {"_tag":"SubscriberTooSlow","message":"fell 1024 events behind"}\n\n`)
    }))

  it.effect("the stream ends when the server starts draining", () =>
    Effect.gen(function* () {
      const { frames, draining } = yield* bodyText(Stream.never, 10)
      const fiber = yield* Effect.fork(Stream.runCollect(frames))
      yield* Deferred.succeed(draining, undefined)
      const sent = Chunk.toReadonlyArray(yield* Fiber.join(fiber))
      expect(sent).toEqual(["retry: 2000\n\n"])
    }))
})
