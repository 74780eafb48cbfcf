import { HttpServer } from "@effect/platform"
import { Deferred, Effect } from "effect"

/**
 * Opens when the server starts to stop. A Node server closes only once every connection has
 * ended, so responses that never end by themselves (event streams) end on this signal.
 *
 * It needs the `HttpServer` so that it is built after the server and therefore released before
 * it: streams end first, then the server stops accepting and waits for the rest.
 */
export class Draining extends Effect.Service<Draining>()("parkplane/http/Draining", {
  scoped: Effect.gen(function* () {
    yield* HttpServer.HttpServer
    const started = yield* Deferred.make<void>()
    yield* Effect.addFinalizer(() => Deferred.succeed(started, undefined))
    return { started } as const
  })
}) {}
