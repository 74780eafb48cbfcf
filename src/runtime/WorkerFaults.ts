import { Effect } from "effect"

/**
 * The test-only fault hook: arm a lot and its worker dies of a defect on its next command. It is
 * reachable only through this service, which the server provides unarmed and exposes to nobody;
 * tests and the fault lab (behind its own flag) arm it.
 */
export class WorkerFaults extends Effect.Service<WorkerFaults>()("parkplane/WorkerFaults", {
  sync: () => {
    // Checked once per command on the hot path, so a plain set rather than a Ref.
    const armed = new Set<string>()
    return {
      arm: (lotId: string) => Effect.sync(() => void armed.add(lotId)),
      /** True (once) if the lot is armed: the worker then dies, and the restarted one carries on. */
      hit: (lotId: string): boolean => armed.size > 0 && armed.delete(lotId)
    } as const
  }
}) {}
