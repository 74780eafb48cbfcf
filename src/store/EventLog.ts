import { SqlClient, SqlSchema } from "@effect/sql"
import { Effect, Schema } from "effect"
import type { StorageUnavailable } from "../domain/Errors.ts"
import { EventRecord } from "./Records.ts"
import { storageCall } from "./Transient.ts"

/** Reads of the per-lot event log. */
export class EventLog extends Effect.Service<EventLog>()("parkplane/EventLog", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient

    const readPage = SqlSchema.findAll({
      Request: Schema.Struct({ lotId: Schema.String, afterSeq: Schema.Number, limit: Schema.Number }),
      Result: EventRecord,
      execute: ({ afterSeq, limit, lotId }) =>
        sql`SELECT lot_id, seq, type, payload, at, ticket_id FROM events
            WHERE lot_id = ${lotId} AND seq > ${afterSeq} ORDER BY seq LIMIT ${limit}`
    })

    const ticketRequest = Schema.Struct({ lotId: Schema.String, seq: Schema.Number, ticketId: Schema.String })
    const findOpening = SqlSchema.findAll({
      Request: ticketRequest,
      Result: EventRecord,
      execute: ({ lotId, seq, ticketId }) =>
        sql`SELECT lot_id, seq, type, payload, at, ticket_id FROM events
            WHERE lot_id = ${lotId} AND seq = ${seq} AND ticket_id = ${ticketId}`
    })
    // Walks the lot's key from the opening event to the next that names the ticket: as many rows as
    // the lot wrote while the ticket was open (decision 0022).
    const findNext = SqlSchema.findAll({
      Request: ticketRequest,
      Result: EventRecord,
      execute: ({ lotId, seq, ticketId }) =>
        sql`SELECT lot_id, seq, type, payload, at, ticket_id FROM events
            WHERE lot_id = ${lotId} AND seq > ${seq} AND ticket_id = ${ticketId} ORDER BY seq LIMIT 1`
    })
    const findByTicket = (request: typeof ticketRequest.Type) =>
      Effect.flatMap(findOpening(request), (opening) =>
        opening.length === 0 ? Effect.succeed(opening) : Effect.map(findNext(request), (next) => [...opening, ...next])
      )

    const findLastSeq = SqlSchema.single({
      Request: Schema.String,
      Result: Schema.Struct({ last: Schema.Number }),
      execute: (lotId) => sql`SELECT COALESCE(MAX(seq), 0) AS last FROM events WHERE lot_id = ${lotId}`
    })

    return {
      /** Events of a lot with seq > afterSeq, ascending, at most `limit`. */
      read: (lotId: string, afterSeq: number, limit: number): Effect.Effect<ReadonlyArray<EventRecord>, StorageUnavailable> =>
        storageCall(readPage({ lotId, afterSeq, limit }).pipe(Effect.catchTag("ParseError", Effect.die))),
      /**
       * The events of the ticket that the event at (lot, seq) opened, ascending: that event and the
       * next in the lot that names it (its close), or none when the event there does not name it.
       */
      byTicket: (lotId: string, seq: number, ticketId: string): Effect.Effect<ReadonlyArray<EventRecord>, StorageUnavailable> =>
        storageCall(findByTicket({ lotId, seq, ticketId }).pipe(Effect.catchTag("ParseError", Effect.die))),
      /** The lot's last seq, 0 if it has no events. */
      lastSeq: (lotId: string): Effect.Effect<number, StorageUnavailable> =>
        storageCall(
          findLastSeq(lotId).pipe(
            Effect.map((row) => row.last),
            Effect.catchTags({ ParseError: Effect.die, NoSuchElementException: Effect.die })
          )
        )
    }
  })
}) {}
