import { HttpApiSchema } from "@effect/platform"
import { Schema } from "effect"

/*
 * Every error a caller can meet. Each carries a `message` a person understands plus the fields a
 * program needs; the HTTP status travels with the class so the API and the client agree on it.
 * Constructors are the static `of` functions, which write the message once.
 */

const status = <A>(code: number) => HttpApiSchema.annotations<A>({ status: code })

export class InvalidInput extends Schema.TaggedError<InvalidInput>()(
  "InvalidInput",
  { message: Schema.String, field: Schema.optional(Schema.String) },
  status(400)
) {
  static of(message: string, field?: string) {
    return new InvalidInput(field === undefined ? { message } : { message, field })
  }
}

export class Unauthorized extends Schema.TaggedError<Unauthorized>()("Unauthorized", { message: Schema.String }, status(401)) {}

export class LotNotFound extends Schema.TaggedError<LotNotFound>()(
  "LotNotFound",
  { message: Schema.String, lotId: Schema.String },
  status(404)
) {
  static of(lotId: string) {
    return new LotNotFound({ lotId, message: `There is no lot ${lotId}` })
  }
}

export class SlotNotFound extends Schema.TaggedError<SlotNotFound>()(
  "SlotNotFound",
  { message: Schema.String, slot: Schema.Number, capacity: Schema.Number },
  status(404)
) {
  static of(slot: number, capacity: number) {
    return new SlotNotFound({ slot, capacity, message: `Slot ${slot} does not exist; this lot has slots 1 to ${capacity}` })
  }
}

export class TicketNotFound extends Schema.TaggedError<TicketNotFound>()(
  "TicketNotFound",
  { message: Schema.String, ticketId: Schema.String },
  status(404)
) {
  static of(ticketId: string) {
    return new TicketNotFound({ ticketId, message: `There is no ticket ${ticketId}` })
  }
}

export class VehicleNotFound extends Schema.TaggedError<VehicleNotFound>()(
  "VehicleNotFound",
  { message: Schema.String, registration: Schema.String },
  status(404)
) {
  static of(registration: string) {
    return new VehicleNotFound({ registration, message: `No vehicle ${registration} is parked in this lot` })
  }
}

export class ReservationNotFound extends Schema.TaggedError<ReservationNotFound>()(
  "ReservationNotFound",
  { message: Schema.String, reservationId: Schema.String },
  status(404)
) {
  static of(reservationId: string) {
    return new ReservationNotFound({ reservationId, message: `There is no active reservation ${reservationId}` })
  }
}

export class LotFull extends Schema.TaggedError<LotFull>()(
  "LotFull",
  { message: Schema.String, slotType: Schema.String },
  status(409)
) {
  static of(slotType: string) {
    return new LotFull({ slotType, message: `No ${slotType} slot is free in this lot` })
  }
}

export class VehicleAlreadyParked extends Schema.TaggedError<VehicleAlreadyParked>()(
  "VehicleAlreadyParked",
  { message: Schema.String, registration: Schema.String, slot: Schema.Number },
  status(409)
) {
  static of(registration: string, slot: number) {
    return new VehicleAlreadyParked({ registration, slot, message: `Vehicle ${registration} is already parked in slot ${slot}` })
  }
}

export class VehicleAlreadyReserved extends Schema.TaggedError<VehicleAlreadyReserved>()(
  "VehicleAlreadyReserved",
  { message: Schema.String, registration: Schema.String, reservationId: Schema.String },
  status(409)
) {
  static of(registration: string, reservationId: string) {
    return new VehicleAlreadyReserved({
      registration,
      reservationId,
      message: `Vehicle ${registration} already holds reservation ${reservationId} in this lot`
    })
  }
}

const slotFields = { message: Schema.String, slot: Schema.Number }

export class SlotAlreadyFree extends Schema.TaggedError<SlotAlreadyFree>()("SlotAlreadyFree", slotFields, status(409)) {
  static of(slot: number) {
    return new SlotAlreadyFree({ slot, message: `Slot ${slot} is already free` })
  }
}
export class SlotOccupied extends Schema.TaggedError<SlotOccupied>()("SlotOccupied", slotFields, status(409)) {
  static of(slot: number) {
    return new SlotOccupied({ slot, message: `Slot ${slot} is occupied` })
  }
}
export class SlotReserved extends Schema.TaggedError<SlotReserved>()("SlotReserved", slotFields, status(409)) {
  static of(slot: number) {
    return new SlotReserved({ slot, message: `Slot ${slot} is held by a reservation` })
  }
}
export class SlotOutOfService extends Schema.TaggedError<SlotOutOfService>()("SlotOutOfService", slotFields, status(409)) {
  static of(slot: number) {
    return new SlotOutOfService({ slot, message: `Slot ${slot} is out of service` })
  }
}
export class SlotNotReserved extends Schema.TaggedError<SlotNotReserved>()("SlotNotReserved", slotFields, status(409)) {
  static of(slot: number) {
    return new SlotNotReserved({ slot, message: `Slot ${slot} is not reserved` })
  }
}
export class SlotInService extends Schema.TaggedError<SlotInService>()("SlotInService", slotFields, status(409)) {
  static of(slot: number) {
    return new SlotInService({ slot, message: `Slot ${slot} is already in service` })
  }
}

export class LotNameTaken extends Schema.TaggedError<LotNameTaken>()(
  "LotNameTaken",
  { message: Schema.String, name: Schema.String },
  status(409)
) {
  static of(name: string) {
    return new LotNameTaken({ name, message: `A lot named "${name}" already exists` })
  }
}

export class LotNotEmpty extends Schema.TaggedError<LotNotEmpty>()(
  "LotNotEmpty",
  { message: Schema.String, lotId: Schema.String, occupied: Schema.Number, reserved: Schema.Number },
  status(409)
) {
  static of(lotId: string, occupied: number, reserved: number) {
    return new LotNotEmpty({
      lotId,
      occupied,
      reserved,
      message: `Lot ${lotId} still has ${occupied} parked vehicle(s) and ${reserved} reservation(s); only an empty lot can be deleted`
    })
  }
}

export class IdempotencyKeyReused extends Schema.TaggedError<IdempotencyKeyReused>()(
  "IdempotencyKeyReused",
  { message: Schema.String, key: Schema.String },
  status(422)
) {
  static of(key: string) {
    return new IdempotencyKeyReused({
      key,
      message: `Idempotency-Key "${key}" was already used with a different request; use a new key for a new request`
    })
  }
}

export class Overloaded extends Schema.TaggedError<Overloaded>()(
  "Overloaded",
  { message: Schema.String, lotId: Schema.String, retryAfterSeconds: Schema.Number },
  status(429)
) {
  static of(lotId: string) {
    return new Overloaded({ lotId, retryAfterSeconds: 1, message: `Lot ${lotId} has too many commands waiting; retry shortly` })
  }
}

export class StorageUnavailable extends Schema.TaggedError<StorageUnavailable>()(
  "StorageUnavailable",
  { message: Schema.String, retryAfterSeconds: Schema.Number },
  status(503)
) {
  static of(reason: string) {
    return new StorageUnavailable({
      retryAfterSeconds: 2,
      message: `The change could not be made durable (${reason}); nothing was changed, retry shortly`
    })
  }
}

export class LotUnavailable extends Schema.TaggedError<LotUnavailable>()(
  "LotUnavailable",
  { message: Schema.String, lotId: Schema.String, retryAfterSeconds: Schema.Number },
  status(503)
) {
  static of(lotId: string) {
    return new LotUnavailable({
      lotId,
      retryAfterSeconds: 1,
      message: `Lot ${lotId} is restarting after a fault; the command may not have been applied, retry it (with the same Idempotency-Key) shortly`
    })
  }
}

/** The refusals of the slot state machine, by the tag the table names. */
export const slotRefusals = {
  SlotAlreadyFree,
  SlotOccupied,
  SlotReserved,
  SlotOutOfService,
  SlotNotReserved,
  SlotInService
} as const

export type SlotRefusalError = InstanceType<(typeof slotRefusals)[keyof typeof slotRefusals]>

/** Every rule of a lot that a command can break (409/404 answers of the domain). */
export type LotRuleError =
  | SlotNotFound
  | TicketNotFound
  | VehicleNotFound
  | ReservationNotFound
  | LotFull
  | VehicleAlreadyParked
  | VehicleAlreadyReserved
  | SlotRefusalError
