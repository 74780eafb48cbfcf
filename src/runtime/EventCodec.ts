import { Either, ParseResult, Schema } from "effect"
import {
  LotCreated,
  LotEvent,
  ReservationCancelled,
  ReservationExpired,
  SlotReserved,
  SlotReturnedToService,
  SlotWentOutOfService,
  VehicleLeft,
  VehicleParked
} from "../domain/Events.ts"
import type { LotId } from "../domain/Ids.ts"
import { Lot, type LotSnapshot, type VehicleColumns } from "../domain/Lot.ts"
import { SlotType } from "../domain/SlotType.ts"
import type { EventRecord, SnapshotRecord } from "../store/Records.ts"
import { toIso } from "../domain/Time.ts"

/*
 * How lot events and snapshots become rows and back. Events go through their Schemas in both
 * directions; a row that does not decode is a defect of the store, reported with its place.
 */

// Encoding through the member's own Schema skips the union's dispatch: about half the cost per event.
const encoders: { readonly [K in LotEvent["_tag"]]: (event: Extract<LotEvent, { _tag: K }>) => unknown } = {
  LotCreated: Schema.encodeSync(LotCreated),
  VehicleParked: Schema.encodeSync(VehicleParked),
  VehicleLeft: Schema.encodeSync(VehicleLeft),
  SlotReserved: Schema.encodeSync(SlotReserved),
  ReservationCancelled: Schema.encodeSync(ReservationCancelled),
  ReservationExpired: Schema.encodeSync(ReservationExpired),
  SlotWentOutOfService: Schema.encodeSync(SlotWentOutOfService),
  SlotReturnedToService: Schema.encodeSync(SlotReturnedToService)
}
const encodeEvent = <E extends LotEvent>(event: E): unknown => (encoders[event._tag] as (event: E) => unknown)(event)

/*
 * Parks and leaves are nearly every event written, and their Schema encoding cost ~40 us each
 * (profiled): these build the very same JSON by hand. A property test holds them to the Schema's
 * output, key order included, so the Schemas stay the definition of the log.
 */
const parkedJson = (e: VehicleParked): string =>
  e.reservationId === undefined
    ? `{"ticketId":${JSON.stringify(e.ticketId)},"slot":${e.slot},"slotType":${JSON.stringify(e.slotType)},"registration":${JSON.stringify(e.registration)},"color":${JSON.stringify(e.color)},"at":"${toIso(e.at)}","_tag":"VehicleParked"}`
    : `{"ticketId":${JSON.stringify(e.ticketId)},"slot":${e.slot},"slotType":${JSON.stringify(e.slotType)},"registration":${JSON.stringify(e.registration)},"color":${JSON.stringify(e.color)},"reservationId":${JSON.stringify(e.reservationId)},"at":"${toIso(e.at)}","_tag":"VehicleParked"}`

const leftJson = (e: VehicleLeft): string =>
  `{"ticketId":${JSON.stringify(e.ticketId)},"slot":${e.slot},"registration":${JSON.stringify(e.registration)},"enteredAt":"${toIso(e.enteredAt)}","fee":{"amount":${e.fee.amount},"currency":${JSON.stringify(e.fee.currency)}},"at":"${toIso(e.at)}","_tag":"VehicleLeft"}`

/** An event as the JSON text the log stores. */
export const eventJson = (event: LotEvent): string => {
  switch (event._tag) {
    case "VehicleParked":
      return parkedJson(event)
    case "VehicleLeft":
      return leftJson(event)
    default:
      return JSON.stringify(encodeEvent(event))
  }
}

/** The Schema's encoding of an event, as JSON: what `eventJson` must equal. */
export const eventJsonBySchema = (event: LotEvent): string => JSON.stringify(encodeEvent(event))
const decodeEvent = Schema.decodeUnknownEither(LotEvent)

export const toRecord = (lotId: LotId, seq: number, event: LotEvent): EventRecord => ({
  lotId,
  seq,
  type: event._tag,
  payload: eventJson(event),
  at: event.at,
  ticketId: event._tag === "VehicleParked" || event._tag === "VehicleLeft" ? event.ticketId : null
})

export class CorruptRecord extends Schema.TaggedError<CorruptRecord>()("CorruptRecord", {
  message: Schema.String
}) {}

export const fromRecord = (record: EventRecord): Either.Either<LotEvent, CorruptRecord> =>
  decodeEvent(JSON.parse(record.payload)).pipe(
    Either.mapLeft(
      (e) =>
        new CorruptRecord({
          message: `event ${record.lotId}#${record.seq} does not decode: ${ParseResult.TreeFormatter.formatErrorSync(e)}`
        })
    )
  )

const SnapshotSchema = Schema.Struct({
  // 1: vehicles as one array each (older files); 2: vehicles as columns.
  v: Schema.Literal(1, 2),
  created: Schema.Struct({
    lotId: Schema.String,
    name: Schema.String,
    layout: Schema.Array(Schema.Struct({ type: SlotType, count: Schema.Number })),
    tariff: Schema.optional(Schema.Struct({ currency: Schema.String, freeMinutes: Schema.Number, perHour: Schema.Number, dailyCap: Schema.optional(Schema.Number) })),
    at: Schema.Number
  }),
  version: Schema.Number,
  colors: Schema.Array(Schema.String),
  // The vehicle and hold rows are checked for shape by the lot as it rebuilds; decoding a million
  // tuples through Schema would dominate recovery.
  vehicles: Schema.Unknown,
  holds: Schema.Array(Schema.Unknown),
  outOfService: Schema.Array(Schema.Number)
})
const decodeSnapshotHeader = Schema.decodeUnknownEither(SnapshotSchema)

export const snapshotRecord = (lot: Lot): SnapshotRecord => ({
  lotId: lot.id,
  seq: lot.version,
  state: JSON.stringify(lot.toSnapshot())
})

const isVehicleRow = (row: unknown): row is readonly [number, number, string, number, number, string] =>
  Array.isArray(row) &&
  row.length === 6 &&
  typeof row[0] === "number" &&
  typeof row[1] === "number" &&
  typeof row[2] === "string" &&
  typeof row[3] === "number" &&
  typeof row[4] === "number" &&
  typeof row[5] === "string"

// Plain loops per element type: a million checks through a predicate callback cost more than the parse.
const numbers = (value: unknown, length: number): value is ReadonlyArray<number> => {
  if (!Array.isArray(value) || value.length !== length) return false
  for (let i = 0; i < length; i++) if (typeof value[i] !== "number") return false
  return true
}
const strings = (value: unknown, length: number): value is ReadonlyArray<string> => {
  if (!Array.isArray(value) || value.length !== length) return false
  for (let i = 0; i < length; i++) if (typeof value[i] !== "string") return false
  return true
}

/** The vehicles of a snapshot as columns, checked for shape; a version 1 snapshot's rows are turned into columns. */
const vehicleColumns = (version: 1 | 2, vehicles: unknown): VehicleColumns | undefined => {
  if (version === 1) {
    if (!Array.isArray(vehicles) || !vehicles.every(isVehicleRow)) return undefined
    const rows: ReadonlyArray<readonly [number, number, string, number, number, string]> = vehicles
    return {
      slot: rows.map((r) => r[0]),
      seq: rows.map((r) => r[1]),
      registration: rows.map((r) => r[2]),
      color: rows.map((r) => r[3]),
      enteredAt: rows.map((r) => r[4]),
      reservation: rows.map((r) => r[5])
    }
  }
  if (typeof vehicles !== "object" || vehicles === null || !("slot" in vehicles) || !Array.isArray(vehicles.slot)) return undefined
  const n = vehicles.slot.length
  const v: Record<string, unknown> = { ...vehicles }
  return numbers(v.slot, n) &&
    numbers(v.seq, n) &&
    strings(v.registration, n) &&
    numbers(v.color, n) &&
    numbers(v.enteredAt, n) &&
    strings(v.reservation, n)
    ? { slot: v.slot, seq: v.seq, registration: v.registration, color: v.color, enteredAt: v.enteredAt, reservation: v.reservation }
    : undefined
}

const isHoldRow = (row: unknown): row is readonly [string, number, string, number, number] =>
  Array.isArray(row) &&
  row.length === 5 &&
  typeof row[0] === "string" &&
  typeof row[1] === "number" &&
  typeof row[2] === "string" &&
  typeof row[3] === "number" &&
  typeof row[4] === "number"

/** A lot from its snapshot; the layout and tariff are decoded with the domain's Schemas. */
export const lotFromSnapshot = (record: SnapshotRecord): Either.Either<Lot, CorruptRecord> => {
  const corrupt = (why: string) => Either.left(new CorruptRecord({ message: `snapshot ${record.lotId}#${record.seq}: ${why}` }))
  const header = decodeSnapshotHeader(JSON.parse(record.state))
  if (Either.isLeft(header)) return corrupt(ParseResult.TreeFormatter.formatErrorSync(header.left))
  const s = header.right
  const { holds } = s
  const vehicles = vehicleColumns(s.v, s.vehicles)
  if (vehicles === undefined || !holds.every(isHoldRow)) return corrupt("vehicle or reservation rows are malformed")
  const created = Schema.decodeUnknownEither(LotCreated)({
    _tag: "LotCreated",
    lotId: s.created.lotId,
    name: s.created.name,
    layout: s.created.layout,
    tariff: s.created.tariff,
    at: new Date(s.created.at).toISOString()
  })
  if (Either.isLeft(created)) return corrupt(ParseResult.TreeFormatter.formatErrorSync(created.left))
  const snapshot: LotSnapshot = {
    v: 2,
    created: s.created,
    version: s.version,
    colors: s.colors,
    vehicles,
    holds,
    outOfService: s.outOfService
  }
  return Either.try({
    try: () => Lot.fromSnapshot(created.right, snapshot),
    catch: (e) => new CorruptRecord({ message: `snapshot ${record.lotId}#${record.seq} does not fit its lot: ${String(e)}` })
  })
}

