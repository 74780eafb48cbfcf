import { HttpApiBuilder, type HttpServerRequest } from "@effect/platform"
import { Config, Effect, Layer } from "effect"
import { AppConfig } from "../config.ts"
import { InvalidInput } from "../domain/Errors.ts"
import { SlotGroup } from "../domain/Events.ts"
import { LeaveTarget } from "../domain/Lot.ts"
import { Tariff } from "../domain/Tariff.ts"
import { type Envelope, Parking } from "../runtime/Parking.ts"
import { PrometheusMetrics } from "../telemetry/Prometheus.ts"
import { Api, type CreateLotBody, Health, type LeaveBody, Ready } from "./Api.ts"
import { CurrentTenant } from "./Authentication.ts"
import { Draining } from "./Draining.ts"
import { eventStreamResponse } from "./EventStream.ts"
import { Readiness } from "./Readiness.ts"
import { correlationIdOf } from "./RequestId.ts"

/*
 * Handlers translate HTTP into `Parking` calls and nothing more: the tenant comes from
 * Authentication, the correlation id from X-Request-Id, the idempotency key from its header.
 */

const envelopeOf = (request: HttpServerRequest.HttpServerRequest, headers: { readonly "idempotency-key"?: string | undefined }) =>
  Effect.zipWith(
    CurrentTenant,
    correlationIdOf(request),
    (tenant, correlationId): Envelope => ({ tenant, correlationId, idempotencyKey: headers["idempotency-key"] })
  )

const layoutOf = (slots: CreateLotBody["slots"]): ReadonlyArray<SlotGroup> =>
  typeof slots === "number"
    ? [SlotGroup.make({ type: "standard", count: slots })]
    : slots.map((group) => SlotGroup.make(group))

export const leaveTargetOf = (body: LeaveBody): LeaveTarget =>
  body.slot !== undefined
    ? LeaveTarget.BySlot({ slot: body.slot })
    : body.ticketId !== undefined
      ? LeaveTarget.ByTicket({ ticketId: body.ticketId })
      : LeaveTarget.ByRegistration({ registration: body.registration ?? "" })

export const LotsLive = HttpApiBuilder.group(Api, "lots", (handlers) =>
  Effect.gen(function* () {
    const parking = yield* Parking
    const maxSlots = yield* AppConfig.pipe(Config.map((config) => config.maxSlots))
    return handlers
      .handle("createLot", ({ payload, headers, request }) =>
        Effect.gen(function* () {
          const layout = layoutOf(payload.slots)
          const capacity = layout.reduce((sum, group) => sum + group.count, 0)
          if (capacity > maxSlots) {
            return yield* InvalidInput.of(`slots: a lot has at most ${maxSlots} slots, this one would have ${capacity}`, "slots")
          }
          const envelope = yield* envelopeOf(request, headers)
          return yield* parking.createLot(envelope, { name: payload.name, layout, tariff: payload.tariff && Tariff.make(payload.tariff) })
        })
      )
      .handle("listLots", () => Effect.flatMap(CurrentTenant, parking.listLots))
      .handle("getLot", ({ path }) => Effect.flatMap(CurrentTenant, (tenant) => parking.getLot(tenant, path.lotId)))
      .handle("deleteLot", ({ path, headers, request }) =>
        Effect.flatMap(envelopeOf(request, headers), (envelope) => parking.deleteLot(envelope, path.lotId))
      )
  })
)

export const VehiclesLive = HttpApiBuilder.group(Api, "vehicles", (handlers) =>
  Effect.gen(function* () {
    const parking = yield* Parking
    return handlers
      .handle("park", ({ path, payload, headers, request }) =>
        Effect.flatMap(envelopeOf(request, headers), (envelope) => parking.park(envelope, path.lotId, payload))
      )
      .handle("leave", ({ path, payload, headers, request }) =>
        Effect.flatMap(envelopeOf(request, headers), (envelope) => parking.leave(envelope, path.lotId, leaveTargetOf(payload)))
      )
      // POST park and leave are usually answered by the fast lane (FastLane.ts), with the same calls.
      .handle("listVehicles", ({ path, urlParams }) =>
        Effect.flatMap(CurrentTenant, (tenant) => parking.vehicles(tenant, path.lotId, urlParams.color))
      )
      .handle("locateVehicle", ({ path }) =>
        Effect.flatMap(CurrentTenant, (tenant) => parking.locate(tenant, path.lotId, path.registration))
      )
  })
)

export const TicketsLive = HttpApiBuilder.group(Api, "tickets", (handlers) =>
  Effect.map(Parking, (parking) =>
    handlers.handle("getTicket", ({ path }) => Effect.flatMap(CurrentTenant, (tenant) => parking.ticket(tenant, path.ticketId)))
  )
)

export const ReservationsLive = HttpApiBuilder.group(Api, "reservations", (handlers) =>
  Effect.map(Parking, (parking) =>
    handlers
      .handle("reserve", ({ path, payload, headers, request }) =>
        Effect.flatMap(envelopeOf(request, headers), (envelope) => parking.reserve(envelope, path.lotId, payload))
      )
      .handle("listReservations", ({ path }) =>
        Effect.flatMap(CurrentTenant, (tenant) => parking.reservations(tenant, path.lotId))
      )
      .handle("cancelReservation", ({ path, headers, request }) =>
        Effect.flatMap(envelopeOf(request, headers), (envelope) =>
          parking.cancelReservation(envelope, path.lotId, path.reservationId)
        )
      )
  )
)

export const SlotsLive = HttpApiBuilder.group(Api, "slots", (handlers) =>
  Effect.map(Parking, (parking) =>
    handlers
      .handle("listSlots", ({ path }) => Effect.flatMap(CurrentTenant, (tenant) => parking.slots(tenant, path.lotId)))
      .handle("getSlot", ({ path }) => Effect.flatMap(CurrentTenant, (tenant) => parking.slot(tenant, path.lotId, path.slot)))
      .handle("setOutOfService", ({ path, headers, request }) =>
        Effect.flatMap(envelopeOf(request, headers), (envelope) => parking.setOutOfService(envelope, path.lotId, path.slot))
      )
      .handle("setInService", ({ path, headers, request }) =>
        Effect.flatMap(envelopeOf(request, headers), (envelope) => parking.setInService(envelope, path.lotId, path.slot))
      )
  )
)

export const defaultPageSize = 100

export const EventsLive = HttpApiBuilder.group(Api, "events", (handlers) =>
  Effect.gen(function* () {
    const parking = yield* Parking
    const draining = yield* Draining
    return handlers
      .handle("listEvents", ({ path, urlParams }) =>
        Effect.flatMap(CurrentTenant, (tenant) =>
          parking.events(tenant, path.lotId, urlParams.after ?? 0, urlParams.limit ?? defaultPageSize)
        )
      )
      .handle("streamEvents", ({ path, urlParams, headers }) =>
        Effect.gen(function* () {
          const tenant = yield* CurrentTenant
          // A reconnecting EventSource sends Last-Event-ID; it wins over the `after` of the first URL.
          const after = headers["last-event-id"] ?? urlParams.after ?? 0
          const events = yield* parking.follow(tenant, path.lotId, after)
          return yield* eventStreamResponse(events, draining.started)
        })
      )
  })
)

export const OpsLive = HttpApiBuilder.group(Api, "ops", (handlers) =>
  Effect.gen(function* () {
    const readiness = yield* Readiness
    const metrics = yield* PrometheusMetrics
    return handlers
      .handle("health", () => Effect.succeed(Health.make({ status: "ok" })))
      .handle("ready", () => Effect.as(readiness.check, Ready.make({ status: "ready" })))
      .handle("metrics", () => metrics.render)
  })
)

/** Every group's handlers; needs Parking, Readiness, PrometheusMetrics and Draining. */
export const HandlersLive = Layer.mergeAll(LotsLive, VehiclesLive, TicketsLive, ReservationsLive, SlotsLive, EventsLive, OpsLive)
