import { Context, type Effect, type Either, type Exit, Schema, type Stream } from "effect"
import type {
  IdempotencyKeyReused,
  InvalidInput,
  LotNameTaken,
  LotNotEmpty,
  LotNotFound,
  LotRuleError,
  LotUnavailable,
  Overloaded,
  ReservationNotFound,
  SlotNotFound,
  StorageUnavailable,
  TicketNotFound,
  VehicleNotFound
} from "../domain/Errors.ts"
import { type SlotGroup, StoredLotEvent } from "../domain/Events.ts"
import type { LotId, TenantId } from "../domain/Ids.ts"
import type { LeaveTarget } from "../domain/Lot.ts"
import type { SlotType } from "../domain/SlotType.ts"
import type { Tariff } from "../domain/Tariff.ts"
import type { LotSummary, ParkedVehicle, Reservation, SlotInfo, Ticket, VehicleLocation } from "../domain/Views.ts"

/** The commands `Parking.submit` takes: those whose answer is a ticket. */
export type TicketCommand =
  | { readonly _tag: "Park"; readonly input: ParkVehicle }
  | { readonly _tag: "Leave"; readonly target: LeaveTarget }

/** Who asks, for which request, and under which idempotency key. Every command carries one. */
export interface Envelope {
  readonly tenant: TenantId
  readonly correlationId: string
  readonly idempotencyKey?: string | undefined
}

export interface CreateLot {
  readonly name: string
  readonly layout: ReadonlyArray<SlotGroup>
  readonly tariff?: Tariff | undefined
}

export interface ParkVehicle {
  readonly registration: string
  readonly color: string
  readonly slotType?: SlotType | undefined
}

export interface ReserveSlot {
  readonly registration: string
  readonly slotType?: SlotType | undefined
  readonly holdSeconds: number
}

/** What a command can meet besides the lot's own rules: the lot, the mailbox, the storage, the key. */
/**
 * One step of a script run against one lot (`Parking.runScript`): a park, a leave, or a read that
 * sees the lot exactly as the steps before it left it.
 */
export type ScriptStep =
  | { readonly _tag: "Park"; readonly vehicle: ParkVehicle }
  | { readonly _tag: "Leave"; readonly target: LeaveTarget }
  | { readonly _tag: "Vehicles"; readonly color?: string | undefined }
  /** Only the slots (ascending) or only the registrations (by slot): no view per vehicle. */
  | { readonly _tag: "Slots"; readonly color?: string | undefined }
  | { readonly _tag: "Registrations"; readonly color?: string | undefined }
  | { readonly _tag: "Locate"; readonly registration: string }

/** What a step answered, in the step's place. */
export type ScriptAnswer =
  | { readonly _tag: "Ticket"; readonly ticket: Either.Either<Ticket, LotRuleError> }
  | { readonly _tag: "Vehicles"; readonly vehicles: ReadonlyArray<ParkedVehicle> }
  | { readonly _tag: "Slots"; readonly slots: ReadonlyArray<number> }
  | { readonly _tag: "Registrations"; readonly registrations: ReadonlyArray<string> }
  | { readonly _tag: "Located"; readonly location: Either.Either<VehicleLocation, VehicleNotFound> }

export type DeliveryError = LotNotFound | Overloaded | StorageUnavailable | LotUnavailable | IdempotencyKeyReused
export type CommandError = LotRuleError | DeliveryError

export class EventPage extends Schema.Class<EventPage>("EventPage")({
  events: Schema.Array(StoredLotEvent),
  /** The `after` for the next page, or null when the log has nothing more yet. */
  next: Schema.NullOr(Schema.Number)
}) {}

/**
 * The one service the faces (HTTP, CLI, library) call. Commands go through the lot's worker and are
 * answered only once durable; reads come from memory without queuing behind writes.
 */
export class Parking extends Context.Tag("parkplane/Parking")<
  Parking,
  {
    readonly createLot: (
      envelope: Envelope,
      input: CreateLot
    ) => Effect.Effect<LotSummary, InvalidInput | LotNameTaken | StorageUnavailable | IdempotencyKeyReused>
    readonly listLots: (tenant: TenantId) => Effect.Effect<ReadonlyArray<LotSummary>>
    readonly getLot: (tenant: TenantId, lotId: LotId) => Effect.Effect<LotSummary, LotNotFound>
    /** A lot by its name, for the CLI's convenience. */
    readonly findLotByName: (tenant: TenantId, name: string) => Effect.Effect<LotSummary, LotNotFound>
    readonly deleteLot: (envelope: Envelope, lotId: LotId) => Effect.Effect<void, LotNotEmpty | DeliveryError>
    readonly park: (envelope: Envelope, lotId: LotId, input: ParkVehicle) => Effect.Effect<Ticket, CommandError>
    /**
     * Runs steps in order as if one by one, and answers each (a refused step does not stop the rest).
     * They go into the lot's mailbox together, so the worker decides them in one run and makes them
     * durable in one write: for scripts and bulk loads, where a command each would pay a round trip
     * each. Every step or none is taken (Overloaded when the mailbox has no room for all of them).
     */
    readonly runScript: (
      envelope: Envelope,
      lotId: LotId,
      steps: ReadonlyArray<ScriptStep>
    ) => Effect.Effect<ReadonlyArray<ScriptAnswer>, Exclude<DeliveryError, IdempotencyKeyReused>>
    readonly leave: (envelope: Envelope, lotId: LotId, target: LeaveTarget) => Effect.Effect<Ticket, CommandError>
    /**
     * `park` or `leave` for a caller that is not a fiber (the HTTP fast lane): the same command,
     * answered once through `onExit`. Without an idempotency key it takes no Effect step at all;
     * with one it runs as the Effect does (a stored answer is looked up first).
     */
    readonly submit: (envelope: Envelope, lotId: LotId, command: TicketCommand, onExit: (exit: Exit.Exit<Ticket, CommandError>) => void) => void
    readonly reserve: (envelope: Envelope, lotId: LotId, input: ReserveSlot) => Effect.Effect<Reservation, CommandError>
    readonly cancelReservation: (
      envelope: Envelope,
      lotId: LotId,
      reservationId: string
    ) => Effect.Effect<void, ReservationNotFound | CommandError>
    readonly setOutOfService: (envelope: Envelope, lotId: LotId, slot: number) => Effect.Effect<SlotInfo, CommandError>
    readonly setInService: (envelope: Envelope, lotId: LotId, slot: number) => Effect.Effect<SlotInfo, CommandError>
    readonly slots: (tenant: TenantId, lotId: LotId) => Effect.Effect<ReadonlyArray<SlotInfo>, LotNotFound>
    readonly slot: (tenant: TenantId, lotId: LotId, slot: number) => Effect.Effect<SlotInfo, LotNotFound | SlotNotFound>
    readonly vehicles: (tenant: TenantId, lotId: LotId, color?: string) => Effect.Effect<ReadonlyArray<ParkedVehicle>, LotNotFound>
    readonly locate: (tenant: TenantId, lotId: LotId, registration: string) => Effect.Effect<VehicleLocation, LotNotFound | VehicleNotFound>
    readonly reservations: (tenant: TenantId, lotId: LotId) => Effect.Effect<ReadonlyArray<Reservation>, LotNotFound>
    readonly ticket: (tenant: TenantId, ticketId: string) => Effect.Effect<Ticket, TicketNotFound | StorageUnavailable>
    /** The lot's log after `after`, at most `limit` events. */
    readonly events: (
      tenant: TenantId,
      lotId: LotId,
      after: number,
      limit: number
    ) => Effect.Effect<EventPage, LotNotFound | StorageUnavailable>
    /**
     * The lot's log after `after`, then live. A subscriber that falls more than its buffer behind is
     * ended with `SubscriberTooSlow` rather than growing the server's memory.
     */
    readonly follow: (
      tenant: TenantId,
      lotId: LotId,
      after: number
    ) => Effect.Effect<Stream.Stream<StoredLotEvent, SubscriberTooSlow | StorageUnavailable>, LotNotFound>
  }
>() {}

export class SubscriberTooSlow extends Schema.TaggedError<SubscriberTooSlow>()("SubscriberTooSlow", {
  message: Schema.String
}) {}
