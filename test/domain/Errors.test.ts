import { HttpApiSchema } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Schema } from "effect"
import * as Errors from "../../src/domain/Errors.ts"

/*
 * One row per error class: the instance the code builds, the tag and message a caller reads, and the
 * HTTP status the API derives from the class's schema annotations.
 */
const rows: ReadonlyArray<{
  readonly error: { readonly _tag: string; readonly message: string }
  readonly schema: Schema.Schema.All
  readonly tag: string
  readonly message: string
  readonly status: number
  readonly fields: Record<string, unknown>
}> = [
  {
    error: Errors.InvalidInput.of("a registration must not be empty", "registration"),
    schema: Errors.InvalidInput,
    tag: "InvalidInput",
    message: "a registration must not be empty",
    status: 400,
    fields: { field: "registration" }
  },
  {
    error: new Errors.Unauthorized({ message: "a Bearer key is required" }),
    schema: Errors.Unauthorized,
    tag: "Unauthorized",
    message: "a Bearer key is required",
    status: 401,
    fields: {}
  },
  {
    error: Errors.LotNotFound.of("L7"),
    schema: Errors.LotNotFound,
    tag: "LotNotFound",
    message: "There is no lot L7",
    status: 404,
    fields: { lotId: "L7" }
  },
  {
    error: Errors.SlotNotFound.of(12, 10),
    schema: Errors.SlotNotFound,
    tag: "SlotNotFound",
    message: "Slot 12 does not exist; this lot has slots 1 to 10",
    status: 404,
    fields: { slot: 12, capacity: 10 }
  },
  {
    error: Errors.TicketNotFound.of("L1-99"),
    schema: Errors.TicketNotFound,
    tag: "TicketNotFound",
    message: "There is no ticket L1-99",
    status: 404,
    fields: { ticketId: "L1-99" }
  },
  {
    error: Errors.VehicleNotFound.of("KA-01-HH-1234"),
    schema: Errors.VehicleNotFound,
    tag: "VehicleNotFound",
    message: "No vehicle KA-01-HH-1234 is parked in this lot",
    status: 404,
    fields: { registration: "KA-01-HH-1234" }
  },
  {
    error: Errors.ReservationNotFound.of("L1-R5"),
    schema: Errors.ReservationNotFound,
    tag: "ReservationNotFound",
    message: "There is no active reservation L1-R5",
    status: 404,
    fields: { reservationId: "L1-R5" }
  },
  {
    error: Errors.LotFull.of("ev"),
    schema: Errors.LotFull,
    tag: "LotFull",
    message: "No ev slot is free in this lot",
    status: 409,
    fields: { slotType: "ev" }
  },
  {
    error: Errors.VehicleAlreadyParked.of("AB 12", 3),
    schema: Errors.VehicleAlreadyParked,
    tag: "VehicleAlreadyParked",
    message: "Vehicle AB 12 is already parked in slot 3",
    status: 409,
    fields: { registration: "AB 12", slot: 3 }
  },
  {
    error: Errors.VehicleAlreadyReserved.of("AB 12", "L1-R4"),
    schema: Errors.VehicleAlreadyReserved,
    tag: "VehicleAlreadyReserved",
    message: "Vehicle AB 12 already holds reservation L1-R4 in this lot",
    status: 409,
    fields: { registration: "AB 12", reservationId: "L1-R4" }
  },
  {
    error: Errors.SlotAlreadyFree.of(4),
    schema: Errors.SlotAlreadyFree,
    tag: "SlotAlreadyFree",
    message: "Slot 4 is already free",
    status: 409,
    fields: { slot: 4 }
  },
  {
    error: Errors.SlotOccupied.of(4),
    schema: Errors.SlotOccupied,
    tag: "SlotOccupied",
    message: "Slot 4 is occupied",
    status: 409,
    fields: { slot: 4 }
  },
  {
    error: Errors.SlotReserved.of(4),
    schema: Errors.SlotReserved,
    tag: "SlotReserved",
    message: "Slot 4 is held by a reservation",
    status: 409,
    fields: { slot: 4 }
  },
  {
    error: Errors.SlotOutOfService.of(4),
    schema: Errors.SlotOutOfService,
    tag: "SlotOutOfService",
    message: "Slot 4 is out of service",
    status: 409,
    fields: { slot: 4 }
  },
  {
    error: Errors.SlotNotReserved.of(4),
    schema: Errors.SlotNotReserved,
    tag: "SlotNotReserved",
    message: "Slot 4 is not reserved",
    status: 409,
    fields: { slot: 4 }
  },
  {
    error: Errors.SlotInService.of(4),
    schema: Errors.SlotInService,
    tag: "SlotInService",
    message: "Slot 4 is already in service",
    status: 409,
    fields: { slot: 4 }
  },
  {
    error: Errors.LotNameTaken.of("Airport"),
    schema: Errors.LotNameTaken,
    tag: "LotNameTaken",
    message: `A lot named "Airport" already exists`,
    status: 409,
    fields: { name: "Airport" }
  },
  {
    error: Errors.LotNotEmpty.of("L2", 3, 1),
    schema: Errors.LotNotEmpty,
    tag: "LotNotEmpty",
    message: "Lot L2 still has 3 parked vehicle(s) and 1 reservation(s); only an empty lot can be deleted",
    status: 409,
    fields: { lotId: "L2", occupied: 3, reserved: 1 }
  },
  {
    error: Errors.IdempotencyKeyReused.of("k-1"),
    schema: Errors.IdempotencyKeyReused,
    tag: "IdempotencyKeyReused",
    message: `Idempotency-Key "k-1" was already used with a different request; use a new key for a new request`,
    status: 422,
    fields: { key: "k-1" }
  },
  {
    error: Errors.Overloaded.of("L3"),
    schema: Errors.Overloaded,
    tag: "Overloaded",
    message: "Lot L3 has too many commands waiting; retry shortly",
    status: 429,
    fields: { lotId: "L3", retryAfterSeconds: 1 }
  },
  {
    error: Errors.StorageUnavailable.of("SQLITE_BUSY"),
    schema: Errors.StorageUnavailable,
    tag: "StorageUnavailable",
    message: "The change could not be made durable (SQLITE_BUSY); nothing was changed, retry shortly",
    status: 503,
    fields: { retryAfterSeconds: 2 }
  },
  {
    error: Errors.LotUnavailable.of("L4"),
    schema: Errors.LotUnavailable,
    tag: "LotUnavailable",
    message:
      "Lot L4 is restarting after a fault; the command may not have been applied, retry it (with the same Idempotency-Key) shortly",
    status: 503,
    fields: { lotId: "L4", retryAfterSeconds: 1 }
  }
]

/** Every exported class of Errors.ts, so a new error without a row here fails the suite. */
const exportedErrorClasses = Object.entries(Errors).filter(
  ([, value]) => typeof value === "function" && "ast" in value && Schema.isSchema(value)
)

describe("Errors", () => {
  it("has a row for every exported error class", () => {
    expect(exportedErrorClasses.map(([name]) => name).sort()).toEqual(rows.map((r) => r.tag).sort())
  })

  for (const row of rows) {
    describe(row.tag, () => {
      it("carries its tag, message and fields", () => {
        expect(row.error._tag).toBe(row.tag)
        expect(row.error.message).toBe(row.message)
        expect(row.error).toMatchObject(row.fields)
        expect(row.error).toBeInstanceOf(Error)
      })

      it(`answers HTTP ${row.status}`, () => {
        expect(HttpApiSchema.getStatusErrorAST(row.schema.ast)).toBe(row.status)
        expect(HttpApiSchema.getStatusError(row.schema)).toBe(row.status)
      })

      it("round-trips through its schema as the JSON body the API sends", () => {
        const schema = row.schema as Schema.Schema<unknown, unknown, never>
        const encoded = Schema.encodeSync(schema)(row.error)
        expect(encoded).toMatchObject({ _tag: row.tag, message: row.message, ...row.fields })
        const decoded = Schema.decodeUnknownSync(schema)(JSON.parse(JSON.stringify(encoded)))
        expect(decoded).toEqual(row.error)
      })
    })
  }

  it("an error class without a status annotation would answer 500, so the statuses above are the classes' own", () => {
    class Unannotated extends Schema.TaggedError<Unannotated>()("Unannotated", { message: Schema.String }) {}
    expect(HttpApiSchema.getStatusError(Unannotated)).toBe(500)
  })

  it("slotRefusals names each slot refusal by its own tag", () => {
    for (const [tag, ErrorClass] of Object.entries(Errors.slotRefusals)) {
      expect(ErrorClass.of(1)._tag).toBe(tag)
    }
  })
})
