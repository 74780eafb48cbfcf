import { Either } from "effect"
import { LotCreated, type LotEvent, SlotGroup } from "../../src/domain/Events.ts"
import { LotId } from "../../src/domain/Ids.ts"
import { type Decision, Lot, type LotCommand } from "../../src/domain/Lot.ts"
import type { SlotType } from "../../src/domain/SlotType.ts"
import type { Tariff } from "../../src/domain/Tariff.ts"

/** 2026-11-22T08:00:00.000Z, the instant test lots open at. */
export const opening = Date.UTC(2026, 10, 22, 8, 0, 0)

export const lotCreated = (
  layout: ReadonlyArray<readonly [SlotType, number]>,
  options: { readonly tariff?: Tariff; readonly lotId?: string; readonly at?: number } = {}
): LotCreated =>
  LotCreated.make({
    lotId: LotId.make(options.lotId ?? "L1"),
    name: "Test lot",
    layout: layout.map(([type, count]) => SlotGroup.make({ type, count })),
    tariff: options.tariff,
    at: options.at ?? opening
  })

/** Decides a command and, when it is accepted, applies its events; the events land in `log`. */
export const apply = (lot: Lot, command: LotCommand, now: number, log?: Array<LotEvent>): Decision => {
  const decision = lot.decide(command, now)
  if (Either.isRight(decision)) {
    for (const event of decision.right) {
      lot.evolve(event)
      log?.push(event)
    }
  }
  return decision
}

/** The events of an accepted decision; a refusal fails the test with its message. */
export const accepted = (decision: Decision): ReadonlyArray<LotEvent> => {
  if (Either.isLeft(decision)) throw new Error(`expected the command to be accepted, got ${decision.left._tag}: ${decision.left.message}`)
  return decision.right
}

/** The tag of a refusal, or "accepted". */
export const outcome = (decision: Decision): string => (Either.isLeft(decision) ? decision.left._tag : "accepted")
