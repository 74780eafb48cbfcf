/**
 * parkplane as a library: the `Parking` service and its layers, the HTTP API definition with its
 * groups and handler layers (to mount parkplane inside another Effect `HttpApi`), and a typed client.
 */
import { HttpApiClient } from "@effect/platform"
import { Api } from "./http/Api.ts"

export { Parking, EventPage, SubscriberTooSlow } from "./runtime/Parking.ts"
export type { Envelope, CreateLot, ParkVehicle, ReserveSlot, CommandError, DeliveryError, ScriptStep, ScriptAnswer } from "./runtime/Parking.ts"
export { ParkingLive } from "./runtime/ParkingLive.ts"
export { DatabaseLive, DatabaseFromConfig } from "./store/Database.ts"
export {
  Api,
  LotsGroup,
  VehiclesGroup,
  TicketsGroup,
  ReservationsGroup,
  SlotsGroup,
  EventsGroup,
  OpsGroup,
  CreateLotBody,
  ParkBody,
  LeaveBody,
  ReserveBody,
  withParkplaneErrors
} from "./http/Api.ts"
export {
  LotsLive,
  VehiclesLive,
  TicketsLive,
  ReservationsLive,
  SlotsLive,
  EventsLive,
  OpsLive,
  HandlersLive
} from "./http/Handlers.ts"
export { Authentication, AuthenticationLive, CurrentTenant, authenticationFor } from "./http/Authentication.ts"
export { ErrorTranslationLive } from "./http/ErrorTranslation.ts"
export { Draining } from "./http/Draining.ts"
export { Readiness } from "./http/Readiness.ts"
export { withRequestId } from "./http/RequestId.ts"
export { ApiLive, HttpLive, HttpServerLive } from "./http/server.ts"
export * from "./domain/Errors.ts"
export * from "./http/HttpErrors.ts"

/** A typed client of a parkplane server at `baseUrl` (needs an `HttpClient`, e.g. `FetchHttpClient.layer`). */
export const makeClient = (baseUrl: string) => HttpApiClient.make(Api, { baseUrl })

// The domain values a library user builds commands and reads answers with.
export { Layout, LotEvent, LotName, SlotGroup, StoredLotEvent } from "./domain/Events.ts"
export { defaultTenant, LotId, ReservationId, TenantId, TicketId } from "./domain/Ids.ts"
export { LeaveTarget } from "./domain/Lot.ts"
export { SlotType } from "./domain/SlotType.ts"
export { Money, Tariff } from "./domain/Tariff.ts"
export { Color, Registration } from "./domain/Vehicle.ts"
export { LotSummary, ParkedVehicle, Reservation, SlotCounts, SlotInfo, Ticket, VehicleLocation } from "./domain/Views.ts"
