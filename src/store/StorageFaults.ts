import { Effect } from "effect"

/**
 * Switches for tests and the fault lab. `fail`: while on, every commit fails and nothing is
 * written. `loseAnswers`: while on, every commit is written and then answered as if the commit
 * thread had died before replying (the outcome is unknown to the caller), which a lot worker must
 * meet by restarting from the store.
 */
export class StorageFaults extends Effect.Service<StorageFaults>()("parkplane/StorageFaults", {
  sync: () => {
    // Plain variables: the writer reads them once per transaction, in JavaScript's single thread.
    let failing = false
    let losingAnswers = false
    return {
      fail: (on: boolean): Effect.Effect<void> => Effect.sync(() => (failing = on)),
      isFailing: Effect.sync(() => failing),
      /** `isFailing` without an Effect step, for the writer's hot path. */
      isFailingNow: (): boolean => failing,
      loseAnswers: (on: boolean): Effect.Effect<void> => Effect.sync(() => (losingAnswers = on)),
      isLosingAnswersNow: (): boolean => losingAnswers
    }
  }
}) {}
