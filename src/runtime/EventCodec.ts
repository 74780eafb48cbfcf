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
import { type LotId, reservationIdFrom, ticketIdFrom } from "../domain/Ids.ts"
import { isJsonObject, stringFrom } from "../domain/JsonChecks.ts"
import { Lot, type LotSnapshot, type VehicleColumns } from "../domain/Lot.ts"
import type { EventRecord, SnapshotRecord } from "../store/Records.ts"
import { decodeColumns, encodeColumns } from "./SnapshotBinary.ts"
import { isSlotType } from "../domain/SlotType.ts"
import { isCurrency, Money } from "../domain/Tariff.ts"
import { instantFrom, toIso } from "../domain/Time.ts"

/*
 * How lot events and snapshots become rows and back. Events are defined by their Schemas in both
 * directions (parks and leaves, nearly every row, by hand to the same rules, held to the Schemas by
 * property tests); a row that does not decode is a defect of the store, reported with its place.
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

/*
 * Parks and leaves are nearly every event a start replays after a crash (up to K a lot, as no
 * snapshot was written at shutdown), and their Schema decoding cost 12-26 us each against 1.2-2 us
 * for JSON.parse alone; decoding through the member's own Schema instead of the union's saved only
 * 13-18% (session 19, decision 0026). These take a payload only where every field is what the
 * Schema would accept and give back unchanged, and build the same event; anything else, every
 * error included, goes to the Schema, which stays the one judge of the log. A property test holds
 * them to the Schema's result on written and on mangled payloads.
 */
const isWholeFrom = (value: unknown, least: number): value is number => typeof value === "number" && Number.isSafeInteger(value) && value >= least

const parkedFrom = (json: Readonly<Record<string, unknown>>): VehicleParked | undefined => {
  const { color, registration, reservationId, slot, slotType, ticketId } = json
  const at = stringFrom(json.at, instantFrom)
  const ticket = stringFrom(ticketId, ticketIdFrom)
  const reservation = stringFrom(reservationId, reservationIdFrom)
  if (
    ticket === undefined || at === undefined || !isWholeFrom(slot, 1) || !isSlotType(slotType) || typeof registration !== "string" ||
    typeof color !== "string" || (reservationId !== undefined && reservation === undefined)
  ) {
    return undefined
  }
  return VehicleParked.of({ ticketId: ticket, slot, slotType, registration, color, reservationId: reservation, at })
}

const leftFrom = (json: Readonly<Record<string, unknown>>): VehicleLeft | undefined => {
  const { fee, registration, slot, ticketId } = json
  const at = stringFrom(json.at, instantFrom)
  const enteredAt = stringFrom(json.enteredAt, instantFrom)
  const ticket = stringFrom(ticketId, ticketIdFrom)
  if (ticket === undefined || at === undefined || enteredAt === undefined || !isWholeFrom(slot, 1) || typeof registration !== "string" || !isJsonObject(fee)) {
    return undefined
  }
  const { amount, currency } = fee
  if (!isWholeFrom(amount, 0) || !isCurrency(currency)) return undefined
  return VehicleLeft.of({ ticketId: ticket, slot, registration, enteredAt, fee: Money.of(amount, currency), at })
}

const eventFrom = (json: unknown): LotEvent | undefined =>
  !isJsonObject(json) ? undefined : json._tag === "VehicleParked" ? parkedFrom(json) : json._tag === "VehicleLeft" ? leftFrom(json) : undefined

const corrupt = (record: EventRecord, why: string) => new CorruptRecord({ message: `event ${record.lotId}#${record.seq} does not decode: ${why}` })

const payloadOf = (record: EventRecord): Either.Either<unknown, CorruptRecord> =>
  Either.try({ try: (): unknown => JSON.parse(record.payload), catch: (e) => corrupt(record, `its payload is not JSON (${String(e)})`) })

const bySchema = (record: EventRecord, json: unknown): Either.Either<LotEvent, CorruptRecord> =>
  decodeEvent(json).pipe(Either.mapLeft((e) => corrupt(record, ParseResult.TreeFormatter.formatErrorSync(e))))

/** A row's event, through its Schema alone: what `fromRecord` must equal. */
export const fromRecordBySchema = (record: EventRecord): Either.Either<LotEvent, CorruptRecord> =>
  Either.flatMap(payloadOf(record), (json) => bySchema(record, json))

export const fromRecord = (record: EventRecord): Either.Either<LotEvent, CorruptRecord> =>
  Either.flatMap(payloadOf(record), (json) => {
    const event = eventFrom(json)
    return event !== undefined ? Either.right(event) : bySchema(record, json)
  })

/** The header of a snapshot as JSON holds it; the vehicle and hold rows are checked separately. */
interface SnapshotHeader {
  readonly v: 1 | 2 | 3
  readonly created: Readonly<Record<string, unknown>> & { readonly at: number }
  readonly version: number
  readonly colors: ReadonlyArray<string>
  /** Rows (v1), columns (v2), or how many vehicles the binary part holds (v3). */
  readonly vehicles: unknown
  readonly holds: ReadonlyArray<unknown>
  readonly outOfService: ReadonlyArray<number>
  /** v3 only. */
  readonly registrationBytes: unknown
  readonly claims: unknown
}

/*
 * Checked by hand, not through a Schema: a cold start decodes one per lot, and in a profile of a
 * 300-lot start Schema's parse frames came to several hundred milliseconds. `created` is decoded
 * with the domain's `LotCreated` below. Version 3 is a JSON header line and a binary part, versions
 * 1 and 2 one JSON text.
 */
const snapshotHeader = (json: unknown, binary: boolean): SnapshotHeader | string => {
  if (!isJsonObject(json)) return "not an object"
  const { colors, created, holds, outOfService, v, version } = json
  const known = binary ? (v === 3 ? v : undefined) : v === 1 || v === 2 ? v : undefined
  if (known === undefined) return `unknown version ${String(v)}${binary ? " for a binary snapshot" : ""}`
  if (typeof version !== "number") return "no version"
  if (!isJsonObject(created) || typeof created.at !== "number") return "no LotCreated"
  if (!Array.isArray(colors) || !strings(colors, colors.length)) return "colours are malformed"
  if (!Array.isArray(holds)) return "holds are malformed"
  if (!Array.isArray(outOfService) || !numbers(outOfService, outOfService.length)) return "out-of-service slots are malformed"
  return {
    v: known,
    created: { ...created, at: created.at },
    version,
    colors,
    vehicles: json.vehicles,
    holds,
    outOfService,
    registrationBytes: json.registrationBytes,
    claims: json.claims
  }
}

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** A lot's snapshot, version 3: a JSON header line, then the vehicle columns as base64 (SnapshotBinary.ts). */
export const snapshotRecord = (lot: Lot): SnapshotRecord => {
  const s = lot.toSnapshot()
  const { bytes, shape } = encodeColumns(s.vehicles, s.colors.length)
  const header = {
    v: 3,
    created: s.created,
    version: s.version,
    colors: s.colors,
    holds: s.holds,
    outOfService: s.outOfService,
    vehicles: shape.vehicles,
    registrationBytes: shape.registrationBytes,
    claims: shape.claims
  }
  return { lotId: lot.id, seq: lot.version, state: `${JSON.stringify(header)}\n${bytes.toString("base64")}` }
}

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

const isClaim = (x: unknown): x is readonly [number, string] => Array.isArray(x) && x.length === 2 && typeof x[0] === "number" && typeof x[1] === "string"

/** A version 3 snapshot's columns from its binary part, every value checked; or why not. */
const binaryColumns = (s: SnapshotHeader, base64: string, capacity: number): VehicleColumns | string => {
  const { claims, registrationBytes, vehicles } = s
  if (typeof vehicles !== "number" || !Number.isSafeInteger(vehicles) || vehicles < 0 || vehicles > capacity) {
    return `${String(vehicles)} vehicles in a lot of ${capacity} slots`
  }
  if (typeof registrationBytes !== "number" || !Number.isSafeInteger(registrationBytes) || registrationBytes < 0) return "no registration length"
  if (!Array.isArray(claims) || !claims.every(isClaim)) return "reservations of vehicles are malformed"
  return decodeColumns(base64, { vehicles, registrationBytes, colors: s.colors.length, claims }, { capacity, version: s.version })
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

// Made once: made per call, it came to ~70 us a lot in a profile of a 1,000-lot start.
const decodeCreated = Schema.decodeUnknownEither(LotCreated)

/** A lot from its snapshot; the layout and tariff are decoded with the domain's Schemas. */
export const lotFromSnapshot = (record: SnapshotRecord): Either.Either<Lot, CorruptRecord> => {
  const corrupt = (why: string) => Either.left(new CorruptRecord({ message: `snapshot ${record.lotId}#${record.seq}: ${why}` }))
  // JSON text never holds a raw line break: one marks a version 3 header.
  const lineEnd = record.state.indexOf("\n")
  const binary = lineEnd >= 0
  const json = parseJson(binary ? record.state.slice(0, lineEnd) : record.state)
  if (json === undefined) return corrupt(binary ? "the header is not JSON" : "not JSON")
  const s = snapshotHeader(json, binary)
  if (typeof s === "string") return corrupt(s)
  const { holds } = s
  if (!holds.every(isHoldRow)) return corrupt("reservation rows are malformed")
  const created = decodeCreated({
    _tag: "LotCreated",
    lotId: s.created.lotId,
    name: s.created.name,
    layout: s.created.layout,
    tariff: s.created.tariff,
    at: new Date(s.created.at).toISOString()
  })
  if (Either.isLeft(created)) return corrupt(ParseResult.TreeFormatter.formatErrorSync(created.left))
  const c = created.right
  const capacity = c.layout.reduce((n, g) => n + g.count, 0)
  const vehicles = s.v === 3 ? binaryColumns(s, record.state.slice(lineEnd + 1), capacity) : (vehicleColumns(s.v, s.vehicles) ?? "vehicle rows are malformed")
  if (typeof vehicles === "string") return corrupt(vehicles)
  const snapshot: LotSnapshot = {
    v: 2,
    created: { lotId: c.lotId, name: c.name, layout: c.layout, tariff: c.tariff, at: c.at },
    version: s.version,
    colors: s.colors,
    vehicles,
    holds,
    outOfService: s.outOfService
  }
  const lot = Either.try({
    try: () => Lot.fromSnapshot(c, snapshot),
    catch: (e) => new CorruptRecord({ message: `snapshot ${record.lotId}#${record.seq} does not fit its lot: ${String(e)}` })
  })
  // The registration index keeps one slot per registration: a repeated one would vanish silently.
  if (Either.isRight(lot) && lot.right.occupiedCount !== vehicles.slot.length) return corrupt("two vehicles share a registration")
  return lot
}
