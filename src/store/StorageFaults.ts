import { Effect, Ref } from "effect"

/** A switch for tests and the fault lab: while on, every commit fails and nothing is written. */
export class StorageFaults extends Effect.Service<StorageFaults>()("parkplane/StorageFaults", {
  effect: Effect.gen(function* () {
    const failing = yield* Ref.make(false)
    return {
      fail: (on: boolean): Effect.Effect<void> => Ref.set(failing, on),
      isFailing: Ref.get(failing)
    }
  })
}) {}
