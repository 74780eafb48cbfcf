import { Command } from "@effect/cli"
import type { HttpClient } from "@effect/platform"
import { Effect } from "effect"
import { slotTypes } from "../../domain/SlotType.ts"
import {
  createLotOptions,
  leaveOptions,
  lotOptions,
  parkOptions,
  remoteOptions,
  tailOptions,
  ticketOptions,
  whereOptions
} from "./RemoteOptions.ts"

/*
 * Remote admin against a running server: `lots list|create|show|delete`, `park`, `leave`, `where`,
 * `tickets show`, `events tail`. A lot is named by its id (L3) or its name.
 */

type Handlers = typeof import("./RemoteHandlers.ts")

/** The handlers (HTTP client, API definition) load only when a remote command runs. */
const handle = (run: (handlers: Handlers) => Effect.Effect<void, never, HttpClient.HttpClient>) =>
  Effect.flatMap(
    Effect.promise(() => import("./RemoteHandlers.ts")),
    run
  )

const listLots = Command.make("list", remoteOptions, (s) => handle((h) => h.listLots(s))).pipe(
  Command.withDescription("List the lots")
)
const createLot = Command.make("create", createLotOptions, (s) => handle((h) => h.createLot(s))).pipe(
  Command.withDescription(`Create a lot; slot types are ${slotTypes.join(", ")}`)
)
const showLot = Command.make("show", lotOptions, (s) => handle((h) => h.showLot(s))).pipe(
  Command.withDescription("Show a lot's capacity and counts, by slot type")
)
const deleteLot = Command.make("delete", lotOptions, (s) => handle((h) => h.deleteLot(s))).pipe(
  Command.withDescription("Delete a lot; only an empty lot can be deleted")
)

export const lotsCommand = Command.make("lots").pipe(
  Command.withDescription("Lots on a running server: list, create, show, delete"),
  Command.withSubcommands([listLots, createLot, showLot, deleteLot])
)

export const parkCommand = Command.make("park", parkOptions, (s) => handle((h) => h.park(s))).pipe(
  Command.withDescription("Park a vehicle in the nearest free slot; prints its ticket")
)

export const leaveCommand = Command.make("leave", leaveOptions, (s) => handle((h) => h.leave(s))).pipe(
  Command.withDescription(
    "A vehicle leaves, named by exactly one of --slot, --ticket, --registration; prints the closed ticket and fee"
  )
)

export const whereCommand = Command.make("where", whereOptions, (s) => handle((h) => h.where(s))).pipe(
  Command.withDescription("Where a vehicle is parked: its slot and ticket")
)

const showTicket = Command.make("show", ticketOptions, (s) => handle((h) => h.showTicket(s))).pipe(
  Command.withDescription("Show an active or closed ticket")
)

export const ticketsCommand = Command.make("tickets").pipe(
  Command.withDescription("Tickets on a running server"),
  Command.withSubcommands([showTicket])
)

const tailEvents = Command.make("tail", tailOptions, (s) => handle((h) => h.tailEvents(s))).pipe(
  Command.withDescription(
    "Print a lot's events from --after on, then follow new ones live (Server-Sent Events) until interrupted"
  )
)

export const eventsCommand = Command.make("events").pipe(
  Command.withDescription("A lot's event log on a running server"),
  Command.withSubcommands([tailEvents])
)
