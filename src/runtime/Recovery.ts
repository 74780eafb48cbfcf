import { Effect, Either } from "effect"
import type { LotEvent } from "../domain/Events.ts"
import { Lot } from "../domain/Lot.ts"
import type { RecoveredLot } from "../store/Records.ts"
import { CorruptRecord, fromRecord, lotFromSnapshot } from "./EventCodec.ts"

/** A lot rebuilt from its newest snapshot (if any) and the events after it. */
export const lotFromRecovery = (recovered: RecoveredLot): Effect.Effect<{ readonly lot: Lot; readonly snapshotSeq: number }, CorruptRecord> =>
  Effect.suspend(() => {
    const events: Array<LotEvent> = []
    for (const record of recovered.events) {
      const event = fromRecord(record)
      if (Either.isLeft(event)) return Effect.fail(event.left)
      events.push(event.right)
    }
    let lot: Lot
    if (recovered.snapshot !== undefined) {
      const fromSnapshot = lotFromSnapshot(recovered.snapshot)
      if (Either.isLeft(fromSnapshot)) return Effect.fail(fromSnapshot.left)
      lot = fromSnapshot.right
      const applied = Either.try({
        try: () => {
          for (const event of events) lot.evolve(event)
        },
        catch: (e) => new CorruptRecord({ message: `lot ${recovered.lot.id}: the log after its snapshot does not apply: ${String(e)}` })
      })
      if (Either.isLeft(applied)) return Effect.fail(applied.left)
    } else {
      const replayed = Either.try({
        try: () => Lot.replay(events),
        catch: (e) => new CorruptRecord({ message: `lot ${recovered.lot.id}: its log does not replay: ${String(e)}` })
      })
      if (Either.isLeft(replayed)) return Effect.fail(replayed.left)
      lot = replayed.right
    }
    return Effect.succeed({ lot, snapshotSeq: recovered.snapshot?.seq ?? 0 })
  })
