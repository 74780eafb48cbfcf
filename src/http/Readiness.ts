import { Effect, Option, STM, TRef } from "effect"
import { NotReady } from "./HttpErrors.ts"

/**
 * Whether the process should get traffic: not until the runtime has recovered every lot, and not
 * while it reports storage trouble or is shutting down. The runtime flips it; `/ready` reads it.
 */
export class Readiness extends Effect.Service<Readiness>()("parkplane/Readiness", {
  effect: Effect.gen(function* () {
    // The reason the process is not ready, or none when it is.
    const notReadyBecause = yield* TRef.make(Option.some("recovering lots from storage"))
    return {
      markReady: TRef.set(notReadyBecause, Option.none()).pipe(STM.commit),
      markNotReady: (reason: string) => TRef.set(notReadyBecause, Option.some(reason)).pipe(STM.commit),
      /** Succeeds when ready, else fails with the reason. */
      check: TRef.get(notReadyBecause).pipe(
        STM.commit,
        Effect.flatMap(
          Option.match({
            onNone: () => Effect.void,
            onSome: (reason) => Effect.fail(new NotReady({ message: `Not ready: ${reason}` }))
          })
        )
      ),
      /** Waits until the process is ready. */
      awaitReady: TRef.get(notReadyBecause).pipe(STM.flatMap((reason) => STM.check(() => Option.isNone(reason))), STM.commit)
    } as const
  })
}) {}
