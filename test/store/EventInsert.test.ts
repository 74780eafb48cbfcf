import { SqlClient } from "@effect/sql"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import { DatabaseLive } from "../../src/store/Database.ts"
import { eventRow, eventRowsPerInsert, makeEventInserts, type Compiled } from "../../src/store/EventInsert.ts"
import type { EventRecord } from "../../src/store/Records.ts"
import { awkwardText } from "../freeText.ts"

const Record = Schema.Struct({
  lotId: awkwardText,
  seq: Schema.Int,
  type: awkwardText,
  payload: awkwardText,
  at: Schema.Int,
  ticketId: Schema.NullOr(awkwardText)
})

describe("EventInsert", () => {
  it.effect.prop(
    "builds the statements the client's own sql.insert compiles, a few rows each, all rows in order",
    [Schema.Array(Record)],
    ([events]) =>
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        const built: Array<Compiled> = []
        makeEventInserts(sql)(events, built)
        const expected: Array<Compiled> = []
        for (let i = 0; i < events.length; i += eventRowsPerInsert) {
          const rows = events.slice(i, i + eventRowsPerInsert).map((e: EventRecord) => eventRow(e))
          expected.push(sql`INSERT INTO events ${sql.insert(rows)}`.compile())
        }
        expect(built).toEqual(expected)
      }).pipe(Effect.provide(DatabaseLive({ filename: ":memory:" }))),
    { fastCheck: { numRuns: 50 } }
  )

  it.effect("writes rows that read back as they were written", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const events: Array<EventRecord> = Array.from({ length: 11 }, (_, i) => ({
        lotId: "L1",
        seq: i + 1,
        type: i % 2 === 0 ? "VehicleParked" : "VehicleLeft",
        payload: JSON.stringify({ i, text: "it's \"quoted\"" }),
        at: 1_000 + i,
        ticketId: i % 3 === 0 ? null : `L1-${i}`
      }))
      const built: Array<Compiled> = []
      makeEventInserts(sql)(events, built)
      expect(built.length).toBe(Math.ceil(events.length / eventRowsPerInsert))
      for (const [text, params] of built) yield* sql.unsafe(text, params)
      const rows = yield* sql<{ lot_id: string; seq: number; type: string; payload: string; at: number; ticket_id: string | null }>`SELECT * FROM events ORDER BY seq`
      expect(rows).toEqual(events.map(eventRow))
    }).pipe(Effect.provide(DatabaseLive({ filename: ":memory:" })))
  )
})
