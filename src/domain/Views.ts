import { Schema } from "effect"
import { LotId, ReservationId, TicketId } from "./Ids.ts"
import { SlotType } from "./SlotType.ts"
import { Money, Tariff } from "./Tariff.ts"
import { Timestamp } from "./Time.ts"
import { slotStates } from "./SlotState.ts"
import { uncheckedInstance } from "./UncheckedInstance.ts"

/** What callers see of a lot, its slots, tickets and reservations. */

export class Ticket extends Schema.Class<Ticket>("Ticket")({
  id: TicketId,
  lotId: LotId,
  slot: Schema.Number,
  slotType: SlotType,
  registration: Schema.String,
  color: Schema.String,
  enteredAt: Timestamp,
  exitedAt: Schema.optional(Timestamp),
  fee: Schema.optional(Money)
}) {
  /** Without validation, for the lot's own state (see `UncheckedInstance.ts` for why). */
  static of(fields: Ticket): Ticket {
    const ticket = uncheckedInstance(Ticket)
    ticket.id = fields.id
    ticket.lotId = fields.lotId
    ticket.slot = fields.slot
    ticket.slotType = fields.slotType
    ticket.registration = fields.registration
    ticket.color = fields.color
    ticket.enteredAt = fields.enteredAt
    if (fields.exitedAt !== undefined) ticket.exitedAt = fields.exitedAt
    if (fields.fee !== undefined) ticket.fee = fields.fee
    return ticket
  }
}

export class Reservation extends Schema.Class<Reservation>("Reservation")({
  id: ReservationId,
  lotId: LotId,
  slot: Schema.Number,
  slotType: SlotType,
  registration: Schema.String,
  createdAt: Timestamp,
  expiresAt: Timestamp
}) {}

export class SlotCounts extends Schema.Class<SlotCounts>("SlotCounts")({
  capacity: Schema.Number,
  free: Schema.Number,
  occupied: Schema.Number,
  reserved: Schema.Number,
  outOfService: Schema.Number
}) {}

export class LotSummary extends Schema.Class<LotSummary>("Lot")({
  id: LotId,
  name: Schema.String,
  capacity: Schema.Number,
  free: Schema.Number,
  occupied: Schema.Number,
  reserved: Schema.Number,
  outOfService: Schema.Number,
  byType: Schema.Record({ key: Schema.String, value: SlotCounts }),
  tariff: Schema.optional(Tariff),
  createdAt: Timestamp,
  version: Schema.Number
}) {}

export class SlotInfo extends Schema.Class<SlotInfo>("Slot")({
  slot: Schema.Number,
  type: SlotType,
  state: Schema.Literal(...slotStates),
  registration: Schema.optional(Schema.String),
  color: Schema.optional(Schema.String),
  ticketId: Schema.optional(TicketId),
  reservationId: Schema.optional(ReservationId)
}) {}

export class ParkedVehicle extends Schema.Class<ParkedVehicle>("ParkedVehicle")({
  slot: Schema.Number,
  registration: Schema.String,
  color: Schema.String,
  ticketId: TicketId
}) {
  /** Without validation: a colour query builds one per hit. */
  static of(fields: ParkedVehicle): ParkedVehicle {
    const vehicle = uncheckedInstance(ParkedVehicle)
    vehicle.slot = fields.slot
    vehicle.registration = fields.registration
    vehicle.color = fields.color
    vehicle.ticketId = fields.ticketId
    return vehicle
  }
}

export class VehicleLocation extends Schema.Class<VehicleLocation>("VehicleLocation")({
  slot: Schema.Number,
  ticket: Ticket
}) {
  static of(slot: number, ticket: Ticket): VehicleLocation {
    const location = uncheckedInstance(VehicleLocation)
    location.slot = slot
    location.ticket = ticket
    return location
  }
}
