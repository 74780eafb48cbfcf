import { HttpApi, HttpApiEndpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "@effect/platform"
import { Either, ParseResult, Schema } from "effect"
import {
  IdempotencyKeyReused,
  InvalidInput,
  LotNameTaken,
  LotNotEmpty,
  LotNotFound,
  LotUnavailable,
  Overloaded,
  SlotNotFound,
  StorageUnavailable,
  TicketNotFound,
  VehicleNotFound
} from "../domain/Errors.ts"
import { LotName, SlotGroup } from "../domain/Events.ts"
import { LotRuleErrorSchema } from "../domain/LotRuleErrorSchema.ts"
import { LotId, ReservationId, TicketId } from "../domain/Ids.ts"
import { SlotNumber, SlotType } from "../domain/SlotType.ts"
import { Tariff } from "../domain/Tariff.ts"
import { Color, Registration } from "../domain/Vehicle.ts"
import { LotSummary, ParkedVehicle, Reservation, SlotInfo, Ticket, VehicleLocation } from "../domain/Views.ts"
import { EventPage } from "../runtime/Parking.ts"
import { Authentication } from "./Authentication.ts"
import { InternalError, MethodNotAllowed, NotReady, PayloadTooLarge, RouteNotFound } from "./HttpErrors.ts"

/*
 * The one definition of parkplane's HTTP contract (/work/shared/API.md): the server, the typed
 * client and the OpenAPI document are all derived from it.
 */

// ---- inputs ---------------------------------------------------------------------------------

/*
 * The domain's Registration and Color normalise while they decode and are branded, so a typed
 * client would have to send them already normalised. On the wire we accept what a person types
 * (checked by the domain schema) and hand the normalised form to the handler.
 */
const asTyped = <A extends string>(domain: Schema.Schema<A, string>, identifier: string, description: string) => {
  // One decode of the domain schema per value: it both checks and normalises (a filter followed by
  // a transform decoded every registration and colour twice, on the hot path of park and leave).
  const decodeDomain = Schema.decodeEither(domain)
  return Schema.transformOrFail(Schema.String, Schema.String, {
    strict: true,
    decode: (raw, _, ast) =>
      Either.mapLeft(
        decodeDomain(raw),
        (error) => new ParseResult.Type(ast, raw, ParseResult.ArrayFormatter.formatErrorSync(error)[0]?.message ?? `not a valid ${identifier}`)
      ),
    encode: ParseResult.succeed
  }).annotations({ identifier, description })
}

export const RegistrationInput = asTyped(
  Registration,
  "Registration",
  "1 to 20 letters, digits, spaces or '-'; trimmed and upper-cased"
)
export const ColorInput = asTyped(Color, "Color", "1 to 30 letters or spaces; matched case-insensitively")

/** Visible ASCII only: such a value can be stored, logged and echoed in a header safely. */
const headerTokenPattern = /^[\x21-\x7e]{1,200}$/
const HeaderToken = (what: string) =>
  Schema.String.pipe(Schema.pattern(headerTokenPattern, { message: () => `${what} is 1 to 200 visible ASCII characters` }))

export const IdempotencyKey = HeaderToken("an Idempotency-Key").annotations({ identifier: "IdempotencyKey" })

/** What `Schema.is(IdempotencyKey)` says, without the Schema's steps (the HTTP fast lane's check). */
export const isIdempotencyKey = (value: unknown): value is string => typeof value === "string" && headerTokenPattern.test(value)

/** POST and DELETE accept an `Idempotency-Key`. */
export const CommandHeaders = Schema.Struct({ "idempotency-key": Schema.optional(IdempotencyKey) })

const NonNegativeInt = Schema.Int.pipe(
  Schema.between(0, Number.MAX_SAFE_INTEGER, { message: () => "a whole number from 0" })
)
const Seq = Schema.compose(Schema.NumberFromString, NonNegativeInt).annotations({
  identifier: "Seq",
  description: "An event sequence number; events after it are returned"
})
const PageLimit = Schema.compose(
  Schema.NumberFromString,
  Schema.Int.pipe(Schema.between(1, 1000, { message: () => "limit is a whole number from 1 to 1000" }))
)

export const LotPath = Schema.Struct({ lotId: LotId })
const SlotPath = Schema.Struct({ lotId: LotId, slot: Schema.compose(Schema.NumberFromString, SlotNumber) })

export const SlotCount = Schema.Int.pipe(
  Schema.between(1, 10_000_000, { message: () => "a slot count is a whole number from 1 to 10000000" })
).annotations({ identifier: "SlotCount", description: "A number of standard slots" })

/*
 * Bodies are plain structs (not classes) so that a client can send object literals; the handlers
 * build the domain's classes from them.
 */

export const SlotGroupBody = Schema.Struct(SlotGroup.fields).annotations({ identifier: "SlotGroupBody" })

export const LayoutBody = Schema.Array(SlotGroupBody).pipe(
  Schema.minItems(1, { message: () => "a lot needs at least one group of slots" }),
  Schema.maxItems(64, { message: () => "a lot has at most 64 groups of slots" })
)

export const CreateLotBody = Schema.Struct({
  name: LotName,
  slots: Schema.Union(SlotCount, LayoutBody).annotations({
    description: "A count of standard slots, or groups of {type, count} numbered in order from the entrance"
  }),
  tariff: Schema.optional(Schema.Struct(Tariff.fields).annotations({ identifier: "TariffBody" }))
}).annotations({ identifier: "CreateLotBody" })
export type CreateLotBody = typeof CreateLotBody.Type

export const ParkBody = Schema.Struct({
  registration: RegistrationInput,
  color: ColorInput,
  slotType: Schema.optional(SlotType)
}).annotations({ identifier: "ParkBody" })

/** Which vehicle leaves: exactly one of its slot, its ticket or its registration. */
export const LeaveBody = Schema.Struct({
    slot: Schema.optional(SlotNumber),
    ticketId: Schema.optional(TicketId),
    registration: Schema.optional(RegistrationInput)
  }).pipe(
    Schema.filter(
      (body) =>
        [body.slot, body.ticketId, body.registration].filter((v) => v !== undefined).length === 1 ||
        "give exactly one of slot, ticketId or registration"
    )
  )
  .annotations({ identifier: "LeaveBody" })
export type LeaveBody = typeof LeaveBody.Type

export const HoldSeconds = Schema.Int.pipe(
  Schema.between(1, 86_400, { message: () => "holdSeconds is a whole number from 1 to 86400" })
).annotations({ identifier: "HoldSeconds" })

export const ReserveBody = Schema.Struct({
  registration: RegistrationInput,
  slotType: Schema.optional(SlotType),
  holdSeconds: HoldSeconds
}).annotations({ identifier: "ReserveBody" })

// ---- outputs --------------------------------------------------------------------------------

export class Health extends Schema.Class<Health>("Health")({ status: Schema.Literal("ok") }) {}
export class Ready extends Schema.Class<Ready>("Ready")({ status: Schema.Literal("ready") }) {}

const PrometheusText = Schema.String.pipe(
  HttpApiSchema.withEncoding({ kind: "Text", contentType: "text/plain; version=0.0.4; charset=utf-8" })
)
const EventStreamText = Schema.String.pipe(
  HttpApiSchema.withEncoding({ kind: "Text", contentType: "text/event-stream" })
).annotations({
  description:
    "Server-Sent Events: `id:` the event's seq, `event:` its tag, `data:` the stored event as JSON; a comment every 15 s"
})

// ---- errors ---------------------------------------------------------------------------------

/** What any command can meet besides the lot's rules (Parking's DeliveryError). */
const DeliveryErrors = Schema.Union(LotNotFound, Overloaded, StorageUnavailable, LotUnavailable, IdempotencyKeyReused)
// ---- groups ---------------------------------------------------------------------------------

export class LotsGroup extends HttpApiGroup.make("lots")
  .add(
    HttpApiEndpoint.post("createLot", "/lots")
      .setPayload(CreateLotBody)
      .setHeaders(CommandHeaders)
      .addSuccess(LotSummary, { status: 201 })
      .addError(LotNameTaken)
      .addError(StorageUnavailable)
      .addError(IdempotencyKeyReused)
      // Also the capacity limit (PARKPLANE_MAX_SLOTS), which only the handler knows.
      .addError(InvalidInput)
  )
  .add(HttpApiEndpoint.get("listLots", "/lots").addSuccess(Schema.Array(LotSummary)))
  .add(HttpApiEndpoint.get("getLot", "/lots/:lotId").setPath(LotPath).addSuccess(LotSummary).addError(LotNotFound))
  .add(
    HttpApiEndpoint.del("deleteLot", "/lots/:lotId")
      .setPath(LotPath)
      .setHeaders(CommandHeaders)
      .addSuccess(HttpApiSchema.NoContent)
      .addError(LotNotEmpty)
      .addError(DeliveryErrors)
  )
  .middleware(Authentication)
  .prefix("/v1")
  .annotate(OpenApi.Description, "Create, list, inspect and delete lots") {}

export class VehiclesGroup extends HttpApiGroup.make("vehicles")
  .add(
    HttpApiEndpoint.post("park", "/lots/:lotId/park")
      .setPath(LotPath)
      .setPayload(ParkBody)
      .setHeaders(CommandHeaders)
      .addSuccess(Ticket, { status: 201 })
      .addError(LotRuleErrorSchema)
      .addError(DeliveryErrors)
  )
  .add(
    HttpApiEndpoint.post("leave", "/lots/:lotId/leave")
      .setPath(LotPath)
      .setPayload(LeaveBody)
      .setHeaders(CommandHeaders)
      .addSuccess(Ticket)
      .addError(LotRuleErrorSchema)
      .addError(DeliveryErrors)
  )
  .add(
    HttpApiEndpoint.get("listVehicles", "/lots/:lotId/vehicles")
      .setPath(LotPath)
      .setUrlParams(Schema.Struct({ color: Schema.optional(ColorInput) }))
      .addSuccess(Schema.Array(ParkedVehicle))
      .addError(LotNotFound)
  )
  .add(
    HttpApiEndpoint.get("locateVehicle", "/lots/:lotId/vehicles/:registration")
      .setPath(Schema.Struct({ lotId: LotId, registration: RegistrationInput }))
      .addSuccess(VehicleLocation)
      .addError(LotNotFound)
      .addError(VehicleNotFound)
  )
  .middleware(Authentication)
  .prefix("/v1")
  .annotate(OpenApi.Description, "Park, leave and find vehicles") {}

export class TicketsGroup extends HttpApiGroup.make("tickets")
  .add(
    HttpApiEndpoint.get("getTicket", "/tickets/:ticketId")
      .setPath(Schema.Struct({ ticketId: TicketId }))
      .addSuccess(Ticket)
      .addError(TicketNotFound)
      .addError(StorageUnavailable)
  )
  .middleware(Authentication)
  .prefix("/v1")
  .annotate(OpenApi.Description, "Active and closed tickets") {}

export class ReservationsGroup extends HttpApiGroup.make("reservations")
  .add(
    HttpApiEndpoint.post("reserve", "/lots/:lotId/reservations")
      .setPath(LotPath)
      .setPayload(ReserveBody)
      .setHeaders(CommandHeaders)
      .addSuccess(Reservation, { status: 201 })
      .addError(LotRuleErrorSchema)
      .addError(DeliveryErrors)
  )
  .add(
    HttpApiEndpoint.get("listReservations", "/lots/:lotId/reservations")
      .setPath(LotPath)
      .addSuccess(Schema.Array(Reservation))
      .addError(LotNotFound)
  )
  .add(
    HttpApiEndpoint.del("cancelReservation", "/lots/:lotId/reservations/:reservationId")
      .setPath(Schema.Struct({ lotId: LotId, reservationId: ReservationId }))
      .setHeaders(CommandHeaders)
      .addSuccess(HttpApiSchema.NoContent)
      .addError(LotRuleErrorSchema)
      .addError(DeliveryErrors)
  )
  .middleware(Authentication)
  .prefix("/v1")
  .annotate(OpenApi.Description, "Hold a slot for a vehicle for a while") {}

export class SlotsGroup extends HttpApiGroup.make("slots")
  .add(
    HttpApiEndpoint.get("listSlots", "/lots/:lotId/slots")
      .setPath(LotPath)
      .addSuccess(Schema.Array(SlotInfo))
      .addError(LotNotFound)
  )
  .add(
    HttpApiEndpoint.get("getSlot", "/lots/:lotId/slots/:slot")
      .setPath(SlotPath)
      .addSuccess(SlotInfo)
      .addError(LotNotFound)
      .addError(SlotNotFound)
  )
  .add(
    HttpApiEndpoint.post("setOutOfService", "/lots/:lotId/slots/:slot/out-of-service")
      .setPath(SlotPath)
      .setHeaders(CommandHeaders)
      .addSuccess(SlotInfo)
      .addError(LotRuleErrorSchema)
      .addError(DeliveryErrors)
  )
  .add(
    HttpApiEndpoint.post("setInService", "/lots/:lotId/slots/:slot/in-service")
      .setPath(SlotPath)
      .setHeaders(CommandHeaders)
      .addSuccess(SlotInfo)
      .addError(LotRuleErrorSchema)
      .addError(DeliveryErrors)
  )
  .middleware(Authentication)
  .prefix("/v1")
  .annotate(OpenApi.Description, "Slots and their maintenance") {}

export class EventsGroup extends HttpApiGroup.make("events")
  .add(
    HttpApiEndpoint.get("listEvents", "/lots/:lotId/events")
      .setPath(LotPath)
      .setUrlParams(Schema.Struct({ after: Schema.optional(Seq), limit: Schema.optional(PageLimit) }))
      .addSuccess(EventPage)
      .addError(LotNotFound)
      .addError(StorageUnavailable)
  )
  .add(
    HttpApiEndpoint.get("streamEvents", "/lots/:lotId/events/stream")
      .setPath(LotPath)
      .setUrlParams(Schema.Struct({ after: Schema.optional(Seq) }))
      .setHeaders(Schema.Struct({ "last-event-id": Schema.optional(Seq) }))
      .addSuccess(EventStreamText)
      .addError(LotNotFound)
  )
  .middleware(Authentication)
  .prefix("/v1")
  .annotate(OpenApi.Description, "A lot's event log, paged or live") {}

export class OpsGroup extends HttpApiGroup.make("ops")
  .add(HttpApiEndpoint.get("health", "/health").addSuccess(Health))
  .add(HttpApiEndpoint.get("ready", "/ready").addSuccess(Ready).addError(NotReady))
  .add(HttpApiEndpoint.get("metrics", "/metrics").addSuccess(PrometheusText))
  .annotate(OpenApi.Description, "Liveness, readiness and metrics; no key needed") {}

/**
 * The errors any request can meet before or around its handler (decoding, routing, limits,
 * defects); `ErrorTranslationLive` produces them. An app that mounts parkplane's groups in its own
 * `HttpApi` adds them with this too.
 */
export const withParkplaneErrors = <Id extends string, Groups extends HttpApiGroup.HttpApiGroup.Any, E, R>(
  api: HttpApi.HttpApi<Id, Groups, E, R>
) =>
  api
    .addError(InvalidInput)
    .addError(RouteNotFound)
    .addError(MethodNotAllowed)
    .addError(PayloadTooLarge)
    .addError(InternalError)

/** The parkplane API. */
export class Api extends withParkplaneErrors(
  HttpApi.make("parkplane")
    .add(LotsGroup)
    .add(VehiclesGroup)
    .add(TicketsGroup)
    .add(ReservationsGroup)
    .add(SlotsGroup)
    .add(EventsGroup)
    .add(OpsGroup)
)
  .annotate(OpenApi.Title, "parkplane")
  .annotate(OpenApi.Version, "1")
  .annotate(OpenApi.Description, "A parking-lot control plane") {}
