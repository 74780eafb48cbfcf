import { SqlClient, SqlSchema } from "@effect/sql"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { Effect, Option, Schema } from "effect"
import type { StorageUnavailable } from "../domain/Errors.ts"
import { busyTimeoutMillis, isFile } from "./Database.ts"
import { IdempotencyRecord, type EventRecord, type LotRecord, type RecoveredLot, type SnapshotRecord } from "./Records.ts"
import { openConnection } from "./sqliteCommit.mjs"
import { storageCall } from "./Transient.ts"

/*
 * Recovery reads every live lot with three set-based queries (lots, newest snapshots, event tails)
 * instead of a few per lot. Rows come as arrays and are checked by hand: a million event rows
 * through Schema would cost more than the replay itself.
 */

class RowShapeError extends Error {}

const text = (value: unknown): string => {
  if (typeof value === "string") return value
  throw new RowShapeError(`expected text, got ${typeof value}`)
}
const integer = (value: unknown): number => {
  if (typeof value === "number") return value
  if (typeof value === "bigint") return Number(value)
  throw new RowShapeError(`expected an integer, got ${typeof value}`)
}
const textOrNull = (value: unknown): string | null => (value === null ? null : text(value))

const lotOf = (row: ReadonlyArray<unknown>): LotRecord => ({
  id: text(row[0]),
  tenant: text(row[1]),
  name: text(row[2]),
  createdAt: integer(row[3])
})
const snapshotOf = (row: ReadonlyArray<unknown>): SnapshotRecord => ({
  lotId: text(row[0]),
  seq: integer(row[1]),
  state: text(row[2])
})
const idempotencyOf = (row: ReadonlyArray<unknown>): IdempotencyRecord => ({
  tenant: text(row[0]),
  key: text(row[1]),
  requestHash: text(row[2]),
  response: text(row[3]),
  expiresAt: integer(row[4])
})
const eventOf = (row: ReadonlyArray<unknown>): EventRecord => ({
  lotId: text(row[0]),
  seq: integer(row[1]),
  type: text(row[2]),
  payload: text(row[3]),
  at: integer(row[4]),
  ticketId: textOrNull(row[5])
})

/** A row of an unexpected shape means the schema and the code disagree: a defect, not an outage. */
const decodeRows = <A>(rows: ReadonlyArray<ReadonlyArray<unknown>>, decode: (row: ReadonlyArray<unknown>) => A) =>
  Effect.try({ try: () => rows.map(decode), catch: (cause) => cause }).pipe(Effect.orDie)

const isAscending = (events: ReadonlyArray<EventRecord>) => {
  for (let i = 1; i < events.length; i++) if (events[i - 1].seq > events[i].seq) return false
  return true
}

const assemble = (
  lots: ReadonlyArray<LotRecord>,
  snapshots: ReadonlyArray<SnapshotRecord>,
  events: ReadonlyArray<EventRecord>
): ReadonlyArray<RecoveredLot> => {
  const snapshotByLot = new Map<string, SnapshotRecord>()
  for (const s of snapshots) snapshotByLot.set(s.lotId, s)
  const eventsByLot = new Map<string, Array<EventRecord>>()
  for (const e of events) {
    const tail = eventsByLot.get(e.lotId)
    if (tail === undefined) eventsByLot.set(e.lotId, [e])
    else tail.push(e)
  }
  for (const tail of eventsByLot.values()) {
    // Usually in order already (the key's order); sorting is then a single pass.
    if (!isAscending(tail)) tail.sort((a, b) => a.seq - b.seq)
  }
  return lots.map((lot) => ({ lot, snapshot: snapshotByLot.get(lot.id), events: eventsByLot.get(lot.id) ?? [] }))
}

const lotSequence = "lot"

const findIdempotencyText = "SELECT tenant, key, request_hash, response, expires_at FROM idempotency WHERE tenant = ? AND key = ? AND expires_at > ?"

/*
 * A keyed command looks its key up before anything else, so the lookup is on the path of every
 * keyed request. Through the client (its statement cache, a fiber's steps, the row's Schema) it
 * cost ~60 us of CPU a request at 10 connections, where SQLite's own work is ~2-6 (session 11,
 * decision 0019). With a database file it runs on a connection of its own instead, a prepared
 * statement run at once (WAL: a reader never waits for the writers); ":memory:" has only the
 * client's connection.
 */
const openIdempotencyReader = (filename: string) =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const db = openConnection(filename, { busyTimeoutMillis })
      db.pragma("query_only = ON")
      return { db, select: db.prepare(findIdempotencyText).raw(true) }
    }),
    ({ db }) => Effect.sync(() => db.close())
  ).pipe(
    Effect.map(({ select }) => (tenant: string, key: string, now: number): ReadonlyArray<unknown> | undefined => {
      const row: unknown = select.get(tenant, key, now)
      return Array.isArray(row) ? row : undefined
    })
  )

/** Lots, their recovery, the lot-id sequence and idempotency lookups. */
export class LotStore extends Effect.Service<LotStore>()("parkplane/LotStore", {
  scoped: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const client = yield* Effect.serviceOption(SqliteClient.SqliteClient)
    const readIdempotency =
      Option.isSome(client) && isFile(client.value.config.filename) ? yield* openIdempotencyReader(client.value.config.filename) : undefined

    /*
     * `lotId` undefined: every live lot. The queries are shaped so SQLite drives them from the live
     * lots and seeks each lot's tail in the (lot_id, seq) key (`seq > after_seq` on a plain column),
     * reading no event at or before the snapshot. No ORDER BY: it would make SQLite scan the whole
     * key instead; `assemble` orders each lot's tail.
     */
    const recover = (lotId: string | undefined) => {
      const onLot = lotId === undefined ? sql`` : sql`AND l.id = ${lotId}`
      return Effect.gen(function* () {
        const lotRows = yield* sql`SELECT l.id, l.tenant, l.name, l.created_at FROM lots l
                                   WHERE l.deleted_at IS NULL ${onLot} ORDER BY l.created_at, l.id`.values
        const snapshotRows = yield* sql`SELECT s.lot_id, s.seq, s.state FROM lots l
                                        JOIN snapshots s ON s.lot_id = l.id
                                         AND s.seq = (SELECT MAX(x.seq) FROM snapshots x WHERE x.lot_id = l.id)
                                        WHERE l.deleted_at IS NULL ${onLot}`.values
        const eventRows = yield* sql`WITH tail AS (
                                       SELECT l.id AS lot_id,
                                              COALESCE((SELECT MAX(s.seq) FROM snapshots s WHERE s.lot_id = l.id), 0) AS after_seq
                                       FROM lots l WHERE l.deleted_at IS NULL ${onLot}
                                     )
                                     SELECT e.lot_id, e.seq, e.type, e.payload, e.at, e.ticket_id
                                     FROM tail t JOIN events e ON e.lot_id = t.lot_id AND e.seq > t.after_seq`.values
        return assemble(
          yield* decodeRows(lotRows, lotOf),
          yield* decodeRows(snapshotRows, snapshotOf),
          yield* decodeRows(eventRows, eventOf)
        )
      }).pipe(sql.withTransaction)
    }

    const findIdempotencyRecord = SqlSchema.findOne({
      Request: Schema.Struct({ tenant: Schema.String, key: Schema.String, now: Schema.Number }),
      Result: IdempotencyRecord,
      execute: ({ key, now, tenant }) => sql.unsafe(findIdempotencyText, [tenant, key, now])
    })

    /** The reader's answer; None with no reader, or when it failed or read a row of another shape. */
    const findIdempotencyNow = (tenant: string, key: string, now: number): Option.Option<IdempotencyRecord | undefined> => {
      if (readIdempotency === undefined) return Option.none()
      try {
        const row = readIdempotency(tenant, key, now)
        return Option.some(row === undefined ? undefined : idempotencyOf(row))
      } catch {
        return Option.none()
      }
    }

    return {
      /** A fresh lot id ("L1", "L2", ...), durable before it is returned so it is never handed out twice. */
      nextLotId: (): Effect.Effect<string, StorageUnavailable> =>
        storageCall(
          sql`INSERT INTO sequences (name, value) VALUES (${lotSequence}, 1)
              ON CONFLICT (name) DO UPDATE SET value = sequences.value + 1
              RETURNING value`.values.pipe(
            sql.withTransaction,
            Effect.flatMap((rows) => decodeRows(rows, (row) => integer(row[0]))),
            Effect.map((values) => `L${values[0]}`)
          )
        ),
      /** Every live lot with its newest snapshot and the events after it. */
      recoverAll: (): Effect.Effect<ReadonlyArray<RecoveredLot>, StorageUnavailable> => storageCall(recover(undefined)),
      /** One live lot as recoverAll sees it; undefined if it does not exist or was deleted. */
      recoverOne: (lotId: string): Effect.Effect<RecoveredLot | undefined, StorageUnavailable> =>
        storageCall(Effect.map(recover(lotId), (lots) => lots[0])),
      /**
       * The unexpired record under the tenant's key, if any: by the store's reader, or else through
       * the client, which retries a lock, reports an outage and dies on a row of another shape.
       */
      findIdempotency: (tenant: string, key: string, now: number): Effect.Effect<IdempotencyRecord | undefined, StorageUnavailable> =>
        Effect.suspend(() =>
          Option.match(findIdempotencyNow(tenant, key, now), {
            onSome: Effect.succeed,
            onNone: () => storageCall(findIdempotencyRecord({ tenant, key, now }).pipe(Effect.map(Option.getOrUndefined), Effect.catchTag("ParseError", Effect.die)))
          })
        ),
      /**
       * `findIdempotency` at once, for a caller that is not a fiber: Some with the reader's answer,
       * None when there is no reader or it could not answer (then `findIdempotency` will).
       */
      findIdempotencyNow,
      /** Deletes the records expired at `now`. */
      purgeIdempotency: (now: number): Effect.Effect<void, StorageUnavailable> =>
        storageCall(sql`DELETE FROM idempotency WHERE expires_at <= ${now}`.pipe(sql.withTransaction, Effect.asVoid))
    }
  })
}) {}
