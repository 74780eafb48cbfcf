import { Schema } from "effect"

/*
 * Plain rows of the store. Each Schema maps the snake_case columns to the camelCase fields, so
 * `SqlSchema` can decode a row as it comes from the driver.
 */

const column = <S extends Schema.Schema.Any>(schema: S, key: string) =>
  Schema.propertySignature(schema).pipe(Schema.fromKey(key))

export const EventRecord = Schema.Struct({
  lotId: column(Schema.String, "lot_id"),
  seq: Schema.Number,
  type: Schema.String,
  /** JSON text of the event's payload. */
  payload: Schema.String,
  at: Schema.Number,
  ticketId: column(Schema.NullOr(Schema.String), "ticket_id")
})
export interface EventRecord extends Schema.Schema.Type<typeof EventRecord> {}

export const LotRecord = Schema.Struct({
  id: Schema.String,
  tenant: Schema.String,
  name: Schema.String,
  createdAt: column(Schema.Number, "created_at")
})
export interface LotRecord extends Schema.Schema.Type<typeof LotRecord> {}

export const SnapshotRecord = Schema.Struct({
  lotId: column(Schema.String, "lot_id"),
  seq: Schema.Number,
  /** JSON text of the lot's state at `seq`. */
  state: Schema.String
})
export interface SnapshotRecord extends Schema.Schema.Type<typeof SnapshotRecord> {}

export const IdempotencyRecord = Schema.Struct({
  tenant: Schema.String,
  key: Schema.String,
  requestHash: column(Schema.String, "request_hash"),
  response: Schema.String,
  expiresAt: column(Schema.Number, "expires_at")
})
export interface IdempotencyRecord extends Schema.Schema.Type<typeof IdempotencyRecord> {}

/** One caller's unit of work: everything in it commits atomically, or nothing does. */
export interface Write {
  readonly createLot?: LotRecord | undefined
  /** Lot id: marks the lot deleted and removes its events and snapshots. */
  readonly deleteLot?: string | undefined
  readonly events?: ReadonlyArray<EventRecord> | undefined
  /** Replaces the older snapshots of that lot (only the newest is kept). */
  readonly snapshot?: SnapshotRecord | undefined
  readonly idempotency?: IdempotencyRecord | undefined
}

export interface RecoveredLot {
  readonly lot: LotRecord
  readonly snapshot: SnapshotRecord | undefined
  /** The events after the snapshot's seq (all of them without a snapshot), ascending. */
  readonly events: ReadonlyArray<EventRecord>
}
