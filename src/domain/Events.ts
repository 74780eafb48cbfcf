import { Schema } from "effect"
import { LotId, ReservationId, TicketId } from "./Ids.ts"
import { SlotType } from "./SlotType.ts"
import { Money, Tariff } from "./Tariff.ts"
import { Timestamp } from "./Time.ts"
import { uncheckedInstance } from "./UncheckedInstance.ts"

/** A lot's name: trimmed, 1 to 100 printable characters. */
export const LotName = Schema.transform(
  Schema.String,
  Schema.String.pipe(
    Schema.minLength(1, { message: () => "a lot name must not be empty" }),
    Schema.maxLength(100, { message: () => "a lot name has at most 100 characters" }),
    Schema.pattern(/^[^\p{Cc}\p{Cf}]+$/u, { message: () => "a lot name must not contain control characters" })
  ),
  { strict: true, decode: (s) => s.trim(), encode: (s) => s }
).annotations({ identifier: "LotName" })

export class SlotGroup extends Schema.Class<SlotGroup>("SlotGroup")({
  type: SlotType,
  count: Schema.Int.pipe(Schema.between(1, 10_000_000, { message: () => "a slot count is a whole number from 1" }))
}) {}

/** Slots are numbered in the order of the groups: the first group's slots are nearest the entrance. */
export const Layout = Schema.Array(SlotGroup).pipe(
  Schema.minItems(1, { message: () => "a lot needs at least one group of slots" }),
  Schema.maxItems(64, { message: () => "a lot has at most 64 groups of slots" })
)

const plate = Schema.String
// A whole slot number: the log is JSON, which cannot carry NaN or Infinity.
const slot = Schema.Int.pipe(Schema.greaterThanOrEqualTo(1))

export class LotCreated extends Schema.TaggedClass<LotCreated>()("LotCreated", {
  lotId: LotId,
  name: Schema.String,
  layout: Layout,
  tariff: Schema.optional(Tariff),
  at: Timestamp
}) {}

export class VehicleParked extends Schema.TaggedClass<VehicleParked>()("VehicleParked", {
  ticketId: TicketId,
  slot,
  slotType: SlotType,
  registration: plate,
  color: Schema.String,
  reservationId: Schema.optional(ReservationId),
  at: Timestamp
}) {
  static of(fields: Omit<VehicleParked, "_tag">): VehicleParked {
    const event = uncheckedInstance(VehicleParked)
    event.ticketId = fields.ticketId
    event.slot = fields.slot
    event.slotType = fields.slotType
    event.registration = fields.registration
    event.color = fields.color
    if (fields.reservationId !== undefined) event.reservationId = fields.reservationId
    event.at = fields.at
    event._tag = "VehicleParked"
    return event
  }
}

export class VehicleLeft extends Schema.TaggedClass<VehicleLeft>()("VehicleLeft", {
  ticketId: TicketId,
  slot,
  registration: plate,
  enteredAt: Timestamp,
  fee: Money,
  at: Timestamp
}) {
  static of(fields: Omit<VehicleLeft, "_tag">): VehicleLeft {
    const event = uncheckedInstance(VehicleLeft)
    event.ticketId = fields.ticketId
    event.slot = fields.slot
    event.registration = fields.registration
    event.enteredAt = fields.enteredAt
    event.fee = fields.fee
    event.at = fields.at
    event._tag = "VehicleLeft"
    return event
  }
}

export class SlotReserved extends Schema.TaggedClass<SlotReserved>()("SlotReserved", {
  reservationId: ReservationId,
  slot,
  slotType: SlotType,
  registration: plate,
  expiresAt: Timestamp,
  at: Timestamp
}) {
  static of(fields: Omit<SlotReserved, "_tag">): SlotReserved {
    const event = uncheckedInstance(SlotReserved)
    event.reservationId = fields.reservationId
    event.slot = fields.slot
    event.slotType = fields.slotType
    event.registration = fields.registration
    event.expiresAt = fields.expiresAt
    event.at = fields.at
    event._tag = "SlotReserved"
    return event
  }
}

export class ReservationCancelled extends Schema.TaggedClass<ReservationCancelled>()("ReservationCancelled", {
  reservationId: ReservationId,
  slot,
  at: Timestamp
}) {}

export class ReservationExpired extends Schema.TaggedClass<ReservationExpired>()("ReservationExpired", {
  reservationId: ReservationId,
  slot,
  at: Timestamp
}) {}

export class SlotWentOutOfService extends Schema.TaggedClass<SlotWentOutOfService>()("SlotWentOutOfService", {
  slot,
  at: Timestamp
}) {}

export class SlotReturnedToService extends Schema.TaggedClass<SlotReturnedToService>()("SlotReturnedToService", {
  slot,
  at: Timestamp
}) {}

export const LotEvent = Schema.Union(
  LotCreated,
  VehicleParked,
  VehicleLeft,
  SlotReserved,
  ReservationCancelled,
  ReservationExpired,
  SlotWentOutOfService,
  SlotReturnedToService
)
export type LotEvent = typeof LotEvent.Type

/** An event as it sits in a lot's log: its place in the lot's sequence and what happened. */
export class StoredLotEvent extends Schema.Class<StoredLotEvent>("StoredLotEvent")({
  lotId: LotId,
  seq: Schema.Int,
  event: LotEvent
}) {}
