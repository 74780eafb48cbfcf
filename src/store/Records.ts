import { Schema } from "effect"

/*
 * Plain rows of the store. Each Schema maps the snake_case columns to the camelCase fields, so
 * `SqlSchema` can decode a row as it comes from the driver.
 */

const column = <S extends Schema.Schema.Any>(schema: S, key: string) =>
  Schema.propertySignature(schema).pipe(Schema.fromKey(key))

export interface EventRecord {
  readonly lotId: string
  readonly seq: number
  readonly type: string
  /** JSON text of the event's payload. */
  readonly payload: string
  readonly at: number
  readonly ticketId: string | null
}

const eventRecordRow = Schema.Struct({
  lotId: column(Schema.String, "lot_id"),
  seq: Schema.Number,
  type: Schema.String,
  payload: Schema.String,
  at: Schema.Number,
  ticketId: column(Schema.NullOr(Schema.String), "ticket_id")
})
export const EventRecord: Schema.Schema<EventRecord, Schema.Schema.Encoded<typeof eventRecordRow>> = eventRecordRow

export interface LotRecord {
  readonly id: string
  readonly tenant: string
  readonly name: string
  readonly createdAt: number
}

const lotRecordRow = Schema.Struct({
  id: Schema.String,
  tenant: Schema.String,
  name: Schema.String,
  createdAt: column(Schema.Number, "created_at")
})
export const LotRecord: Schema.Schema<LotRecord, Schema.Schema.Encoded<typeof lotRecordRow>> = lotRecordRow

export interface SnapshotRecord {
  readonly lotId: string
  readonly seq: number
  /** JSON text of the lot's state at `seq`. */
  readonly state: string
}

const snapshotRecordRow = Schema.Struct({
  lotId: column(Schema.String, "lot_id"),
  seq: Schema.Number,
  state: Schema.String
})
export const SnapshotRecord: Schema.Schema<SnapshotRecord, Schema.Schema.Encoded<typeof snapshotRecordRow>> = snapshotRecordRow

export interface IdempotencyRecord {
  readonly tenant: string
  readonly key: string
  readonly requestHash: string
  /** The response to replay, as the runtime encoded it. */
  readonly response: string
  readonly expiresAt: number
}

const idempotencyRecordRow = Schema.Struct({
  tenant: Schema.String,
  key: Schema.String,
  requestHash: column(Schema.String, "request_hash"),
  response: Schema.String,
  expiresAt: column(Schema.Number, "expires_at")
})
export const IdempotencyRecord: Schema.Schema<IdempotencyRecord, Schema.Schema.Encoded<typeof idempotencyRecordRow>> = idempotencyRecordRow

/** One caller's unit of work: everything in it commits atomically, or nothing does. */
export interface Write {
  readonly createLot?: LotRecord | undefined
  /** Lot id: marks the lot deleted and removes its events and snapshots. */
  readonly deleteLot?: string | undefined
  readonly events?: ReadonlyArray<EventRecord> | undefined
  /** Replaces the older snapshots of that lot (only the newest is kept). */
  readonly snapshot?: SnapshotRecord | undefined
  /** Keyed responses stored with the events (a run of commands may carry several). */
  readonly idempotency?: ReadonlyArray<IdempotencyRecord> | undefined
}

export interface RecoveredLot {
  readonly lot: LotRecord
  readonly snapshot: SnapshotRecord | undefined
  /** The events after the snapshot's seq (all of them without a snapshot), ascending. */
  readonly events: ReadonlyArray<EventRecord>
}
