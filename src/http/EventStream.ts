import { HttpServerResponse } from "@effect/platform"
import { Deferred, Duration, Effect, Metric, Schema, Stream } from "effect"
import { StoredLotEvent } from "../domain/Events.ts"
import { sseSubscribers } from "../telemetry/Metrics.ts"

export const heartbeatInterval = Duration.seconds(15)

const encodeEvent = Schema.encodeSync(StoredLotEvent)

/** One SSE frame: JSON has no raw newlines, so `data:` is one line. */
export const frameOf = (stored: StoredLotEvent): string =>
  `id: ${stored.seq}\nevent: ${stored.event._tag}\ndata: ${JSON.stringify(encodeEvent(stored))}\n\n`

/** Why the stream ends early (a subscriber too slow, storage failing), told to the client. */
interface StreamEnd {
  readonly _tag: string
  readonly message: string
}

const endFrame = (error: StreamEnd) =>
  `event: error\ndata: ${JSON.stringify({ _tag: error._tag, message: error.message })}\n\n`

/**
 * A lot's events as a `text/event-stream` response: the events, a comment every 15 s so proxies
 * keep the connection, one `error` event and the end when the subscriber fell too far behind or
 * the log cannot be read (the client resumes with Last-Event-ID), and the end when the server drains.
 */
export const eventStreamResponse = (
  events: Stream.Stream<StoredLotEvent, StreamEnd>,
  draining: Deferred.Deferred<void>
) => {
  const frames = events.pipe(
    Stream.map(frameOf),
    Stream.catchAll((error) => Stream.make(endFrame(error)))
  )
  const heartbeats = Stream.tick(heartbeatInterval).pipe(
    Stream.drop(1),
    Stream.map(() => ": heartbeat\n\n")
  )
  const body = Stream.concat(Stream.make("retry: 2000\n\n"), Stream.merge(frames, heartbeats, { haltStrategy: "left" })).pipe(
    Stream.interruptWhenDeferred(draining),
    Stream.ensuring(Metric.incrementBy(sseSubscribers, -1)),
    Stream.encodeText
  )
  return Metric.incrementBy(sseSubscribers, 1).pipe(
    Effect.as(
      HttpServerResponse.stream(body, {
        contentType: "text/event-stream",
        headers: { "cache-control": "no-cache", "x-accel-buffering": "no" }
      })
    )
  )
}
