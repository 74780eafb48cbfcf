import { Deferred, Effect, Queue, Stream } from "effect"
import type { StoredLotEvent } from "../domain/Events.ts"
import { SubscriberTooSlow } from "./Parking.ts"

interface Subscriber {
  readonly queue: Queue.Queue<StoredLotEvent>
  readonly dropped: Deferred.Deferred<never, SubscriberTooSlow>
}

/**
 * A lot's live listeners. Each has its own bounded buffer; the worker never waits for one, and a
 * listener that falls a whole buffer behind is cut off with `SubscriberTooSlow` instead of letting the
 * server's memory grow. (A shared `PubSub` would make one slow reader hold up or drop for everyone.)
 */
export class Subscribers {
  readonly #subscribers = new Set<Subscriber>()

  constructor(readonly bufferSize: number) {}

  get size(): number {
    return this.#subscribers.size
  }

  /** Called by the worker after events are durable and applied; never suspends. */
  publish(events: ReadonlyArray<StoredLotEvent>): void {
    for (const subscriber of this.#subscribers) {
      for (const event of events) {
        if (!Queue.unsafeOffer(subscriber.queue, event)) {
          this.#subscribers.delete(subscriber)
          Deferred.unsafeDone(
            subscriber.dropped,
            Effect.fail(new SubscriberTooSlow({ message: `the listener fell more than ${this.bufferSize} events behind and was disconnected; reconnect with Last-Event-ID to resume` }))
          )
          break
        }
      }
    }
  }

  /** A live stream of events published from now on; it ends the listener's registration when done. */
  subscribe: Effect.Effect<Stream.Stream<StoredLotEvent, SubscriberTooSlow>> = Effect.suspend(() =>
    Effect.gen(this, function* () {
      const queue = yield* Queue.dropping<StoredLotEvent>(this.bufferSize)
      const dropped = yield* Deferred.make<never, SubscriberTooSlow>()
      const subscriber: Subscriber = { queue, dropped }
      this.#subscribers.add(subscriber)
      return Stream.fromQueue(queue).pipe(
        Stream.interruptWhen(Deferred.await(dropped)),
        Stream.ensuring(
          Effect.sync(() => this.#subscribers.delete(subscriber)).pipe(Effect.zipRight(Queue.shutdown(queue)))
        )
      )
    })
  )

  /** Ends every listener's stream (the lot is deleted or the server stops). */
  closeAll: Effect.Effect<void> = Effect.suspend(() =>
    Effect.forEach(this.#subscribers, (s) => Queue.shutdown(s.queue), { discard: true }).pipe(
      Effect.zipRight(Effect.sync(() => this.#subscribers.clear()))
    )
  )
}
