/*
 * Builds the recovery benchmark's database (child process; argument: JSON `RecoveryBuildOptions`):
 * the lots are created through `Parking` (so their rows, names and id sequence are the real ones),
 * then every lot is filled by the domain's own `decide`/`evolve` and the resulting events are
 * written straight into the log in one transaction per lot, far faster than a million commands
 * through the runtime. Each lot's snapshot at its last event is written too, as the runtime writes
 * them at shutdown (`DELETE FROM snapshots` gives the replay-everything case). Prints `{"millis": ...}`.
 */
import Database from "better-sqlite3"
import { ConfigProvider, Effect, Either, Layer, Logger, LogLevel } from "effect"
import { SlotGroup } from "../domain/Events.ts"
import { defaultTenant, type LotId } from "../domain/Ids.ts"
import { Lot, LotCommand } from "../domain/Lot.ts"
import { fromRecord, snapshotRecord, toRecord } from "../runtime/EventCodec.ts"
import { Parking } from "../runtime/Parking.ts"
import { RuntimeLive } from "../runtime/ParkingLive.ts"
import { DatabaseLive } from "../store/Database.ts"

export interface RecoveryBuildOptions {
  readonly filename: string
  readonly lots: number
  readonly occupiedPerLot: number
}

const options: RecoveryBuildOptions = JSON.parse(process.argv[2] ?? "{}")
const started = performance.now()

const config = ConfigProvider.fromMap(new Map([["PARKPLANE_MAX_SLOTS", String(Math.max(options.occupiedPerLot, 1))]]))
const createLots = Effect.gen(function* () {
  const parking = yield* Parking
  const envelope = { tenant: defaultTenant, correlationId: "bench" }
  return yield* Effect.forEach(
    Array.from({ length: options.lots }, (_, i) => i),
    (i) => parking.createLot(envelope, { name: `recovery-${i}`, layout: [SlotGroup.make({ type: "standard", count: options.occupiedPerLot })] }),
    { concurrency: 16 }
  )
})
const lots = await Effect.runPromise(
  createLots.pipe(
    Effect.provide(RuntimeLive.pipe(Layer.provide(DatabaseLive({ filename: options.filename })), Layer.provide(Layer.setConfigProvider(config)))),
    Effect.scoped,
    Effect.orDie,
    Logger.withMinimumLogLevel(LogLevel.Warning)
  )
)

const db = new Database(options.filename)
db.pragma("journal_mode = WAL")
db.pragma("synchronous = NORMAL")
const readCreated = db.prepare<[string], { lot_id: string; seq: number; type: string; payload: string; at: number; ticket_id: string | null }>(
  "SELECT lot_id, seq, type, payload, at, ticket_id FROM events WHERE lot_id = ? AND seq = 1"
)
const insertSnapshot = db.prepare("INSERT INTO snapshots (lot_id, seq, state) VALUES (?, ?, ?)")
const insert = db.prepare("INSERT INTO events (lot_id, seq, type, payload, at, ticket_id) VALUES (?, ?, ?, ?, ?, ?)")
const colors = ["White", "Black", "Silver", "Grey", "Blue", "Red", "Green"]
let now = Date.now()

const fill = db.transaction((lotId: LotId) => {
  const row = readCreated.get(lotId)
  if (row === undefined) throw new Error(`no LotCreated for ${lotId}`)
  const created = fromRecord({ lotId: row.lot_id, seq: row.seq, type: row.type, payload: row.payload, at: row.at, ticketId: row.ticket_id })
  if (Either.isLeft(created) || created.right._tag !== "LotCreated") throw new Error(`${lotId}: first event is not LotCreated`)
  const lot = Lot.create(created.right)
  for (let n = 0; n < options.occupiedPerLot; n++) {
    const decision = lot.decide(LotCommand.Park({ registration: `${lotId}-${n}`, color: colors[n % colors.length] }), (now += 1))
    if (Either.isLeft(decision)) throw new Error(`${lotId}: park refused: ${decision.left.message}`)
    for (const event of decision.right) {
      lot.evolve(event)
      const record = toRecord(lotId, lot.version, event)
      insert.run(record.lotId, record.seq, record.type, record.payload, record.at, record.ticketId)
    }
  }
  const snapshot = snapshotRecord(lot)
  insertSnapshot.run(snapshot.lotId, snapshot.seq, snapshot.state)
})
for (const lot of lots) fill(lot.id)
db.pragma("wal_checkpoint(TRUNCATE)")
db.close()
process.stdout.write(`${JSON.stringify({ millis: performance.now() - started })}\n`)
