import { Schema } from "effect"
import { LotId, ReservationId, TicketId } from "./Ids.ts"
import { SlotType } from "./SlotType.ts"
import { Money, Tariff } from "./Tariff.ts"
import { Timestamp } from "./Time.ts"
import { slotStates } from "./SlotState.ts"

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
}) {}

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
}) {}

export class VehicleLocation extends Schema.Class<VehicleLocation>("VehicleLocation")({
  slot: Schema.Number,
  ticket: Ticket
}) {}
