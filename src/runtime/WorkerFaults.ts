import { Effect, Ref } from "effect"

/**
 * The test-only fault hook: arm a lot and its worker dies of a defect on its next command. It is
 * reachable only through this service, which the server provides unarmed and exposes to nobody;
 * tests and the fault lab (behind its own flag) arm it.
 */
export class WorkerFaults extends Effect.Service<WorkerFaults>()("parkplane/WorkerFaults", {
  effect: Effect.gen(function* () {
    const armed = yield* Ref.make<ReadonlySet<string>>(new Set())
    return {
      arm: (lotId: string) => Ref.update(armed, (s) => new Set(s).add(lotId)),
      /** Dies if the lot is armed, disarming it so the restarted worker carries on. */
      check: (lotId: string) =>
        Ref.modify(armed, (s) => (s.has(lotId) ? [true, new Set([...s].filter((id) => id !== lotId))] : [false, s])).pipe(
          Effect.flatMap((hit) => (hit ? Effect.die(new Error(`fault injected into lot ${lotId}`)) : Effect.void))
        )
    } as const
  })
}) {}
