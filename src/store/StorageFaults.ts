import { Effect } from "effect"

/** A switch for tests and the fault lab: while on, every commit fails and nothing is written. */
export class StorageFaults extends Effect.Service<StorageFaults>()("parkplane/StorageFaults", {
  sync: () => {
    // A plain variable: the writer reads it once per transaction, in JavaScript's single thread.
    let failing = false
    return {
      fail: (on: boolean): Effect.Effect<void> => Effect.sync(() => (failing = on)),
      isFailing: Effect.sync(() => failing),
      /** `isFailing` without an Effect step, for the writer's hot path. */
      isFailingNow: (): boolean => failing
    }
  }
}) {}
