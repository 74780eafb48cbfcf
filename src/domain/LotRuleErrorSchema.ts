import { Schema } from "effect"
import {
  LotFull,
  ReservationNotFound,
  SlotAlreadyFree,
  SlotInService,
  SlotNotFound,
  SlotNotReserved,
  SlotOccupied,
  SlotOutOfService,
  SlotReserved,
  TicketNotFound,
  VehicleAlreadyParked,
  VehicleAlreadyReserved,
  VehicleNotFound
} from "./Errors.ts"

/** The domain's `LotRuleError` as a Schema: what HTTP declares for lot commands and what idempotency stores. */
export const LotRuleErrorSchema = Schema.Union(
  SlotNotFound,
  TicketNotFound,
  VehicleNotFound,
  ReservationNotFound,
  LotFull,
  VehicleAlreadyParked,
  VehicleAlreadyReserved,
  SlotAlreadyFree,
  SlotOccupied,
  SlotReserved,
  SlotOutOfService,
  SlotNotReserved,
  SlotInService
)
