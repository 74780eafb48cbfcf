import type { SqlClient } from "@effect/sql"
import type { EventRecord } from "./Records.ts"

/** A statement compiled by the client (its dialect's placeholders), to run on a reserved connection. */
export type Compiled = readonly [sql: string, params: ReadonlyArray<unknown>]

/*
 * Rows per INSERT. SQLite costs less per row with few rows per statement than with one statement
 * for the whole group commit: better-sqlite3 alone, 200 event rows a transaction, medians of 7
 * alternating runs (session 5): 7.4 us a row at one row a statement, 6.8 at four, 8.5 at six, 9.1
 * at eight and sixteen. Four rows a statement also keep the driver's cost per statement (2.0-2.2 us
 * through @effect/sql, measured) small.
 */
export const eventRowsPerInsert = 4

/** The row of an event, with the columns in the order the statements bind them. */
export const eventRow = (e: EventRecord) => ({
  lot_id: e.lotId,
  seq: e.seq,
  type: e.type,
  payload: e.payload,
  at: e.at,
  ticket_id: e.ticketId
})

/**
 * Event inserts, `eventRowsPerInsert` rows a statement. The SQL text is the client's own compiled
 * `sql.insert`, compiled once per row count; only the parameters are built per write (compiling
 * each commit's statements afresh was ~1 KB of garbage and ~1.5 us per command).
 */
export const makeEventInserts = (sql: SqlClient.SqlClient) => {
  const texts: Array<string> = []
  const textFor = (rows: number): string => {
    let text = texts[rows]
    if (text === undefined) {
      const placeholder: EventRecord = { lotId: "", seq: 0, type: "", payload: "", at: 0, ticketId: null }
      text = sql`INSERT INTO events ${sql.insert(Array.from({ length: rows }, () => eventRow(placeholder)))}`.compile()[0]
      texts[rows] = text
    }
    return text
  }
  return (events: ReadonlyArray<EventRecord>, into: Array<Compiled>): void => {
    for (let from = 0; from < events.length; from += eventRowsPerInsert) {
      const rows = Math.min(eventRowsPerInsert, events.length - from)
      // Pushed, not preallocated: a holey array costs ~40% more to copy to the commit thread.
      const params: Array<unknown> = []
      for (let i = 0; i < rows; i++) {
        const e = events[from + i]
        params.push(e.lotId, e.seq, e.type, e.payload, e.at, e.ticketId)
      }
      into.push([textFor(rows), params])
    }
  }
}
