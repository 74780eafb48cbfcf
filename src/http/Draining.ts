import { HttpMiddleware } from "@effect/platform"
import { Context, Deferred, Duration, Effect, Layer, Schedule } from "effect"
import type { Server } from "node:http"

/**
 * The HTTP side of a graceful stop. It counts requests in flight and opens `started` when the
 * server begins to stop, so responses that never end by themselves (event streams) end then.
 */
export class Draining extends Effect.Service<Draining>()("parkplane/http/Draining", {
  effect: Effect.gen(function* () {
    const started = yield* Deferred.make<void>()
    // A plain counter: the updates are synchronous, and the fast lane (FastLane.ts) counts its
    // requests without an Effect step.
    let inFlight = 0
    const enter = () => {
      inFlight++
    }
    const leave = () => {
      inFlight--
    }
    return {
      started,
      inFlight: Effect.sync(() => inFlight),
      enter,
      leave,
      /** Counts the request while it runs. */
      track: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.acquireUseRelease(Effect.sync(enter), () => effect, () => Effect.sync(leave))
    } as const
  })
}) {}

/** Serve-level middleware counting requests in flight. */
export const trackInFlight = HttpMiddleware.make((app) => Effect.flatMap(Draining, (draining) => draining.track(app)))

/** The Node server under the Effect one, for what the platform does not expose. */
export class NodeServer extends Context.Tag("parkplane/http/NodeServer")<NodeServer, Server>() {}

/** How long a stop waits for requests in flight before it closes their connections. */
export const drainTimeout = Duration.seconds(10)

/*
 * Built after the served app and therefore released before it: on release it stops listening,
 * ends event streams, waits for requests in flight (keep-alive connections may still bring some,
 * which are served too), then closes every connection so the platform's own close (which waits for
 * all connections) returns. Without this, a request arriving on a kept-alive connection after the
 * platform removes its request handler would never be answered and the stop would hang.
 */
export const GracefulStop = Layer.scopedDiscard(
  Effect.gen(function* () {
    const server = yield* NodeServer
    const draining = yield* Draining
    yield* Effect.addFinalizer(() =>
      Effect.gen(function* () {
        yield* Effect.sync(() => server.close())
        yield* Deferred.succeed(draining.started, undefined)
        yield* draining.inFlight.pipe(
          Effect.repeat({ schedule: Schedule.spaced(Duration.millis(20)), until: (n) => n === 0 }),
          Effect.timeout(drainTimeout),
          Effect.ignore
        )
        yield* Effect.sync(() => server.closeAllConnections())
      })
    )
  })
)
