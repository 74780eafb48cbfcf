import { Args, Command, Options } from "@effect/cli"
import { HttpClientRequest, HttpClientResponse } from "@effect/platform"
import * as Sse from "@effect/experimental/Sse"
import { Console, Effect, Option, Schema, Stream } from "effect"
import { InvalidInput } from "../../domain/Errors.ts"
import { StoredLotEvent } from "../../domain/Events.ts"
import { TicketId } from "../../domain/Ids.ts"
import { slotTypes } from "../../domain/SlotType.ts"
import { Registration } from "../../domain/Vehicle.ts"
import { CreateLotBody, LeaveBody, ParkBody } from "../../http/Api.ts"
import { authorizedHttpClient, describeFailure, makeApiClient, remoteOptions, resolveLot, runRemote } from "./RemoteClient.ts"
import { renderDeleted, renderEvent, renderLocation, renderLot, renderLots, renderTicket } from "./Render.ts"

/*
 * Remote admin against a running server: `lots list|create|show|delete`, `park`, `leave`, `where`,
 * `tickets show`, `events tail`. A lot is named by its id (L3) or its name.
 */

const lotArg = Args.text({ name: "LOT" }).pipe(Args.withDescription("The lot's id (e.g. L1) or its name"))

/** Inputs go through the API's own Schemas, so a bad value is refused here with the server's words. */
const decodeInput = <A, I>(schema: Schema.Schema<A, I>, input: unknown) =>
  Schema.decodeUnknown(schema)(input).pipe(Effect.mapError((error) => InvalidInput.of(error.message)))

const listLots = Command.make("list", remoteOptions, (settings) =>
  runRemote(settings, (client) => client.lots.listLots(), renderLots)
).pipe(Command.withDescription("List the lots"))

const slotsOption = Options.text("slots").pipe(
  Options.withDescription("A number of standard slots (e.g. 20), or groups TYPE:COUNT in order from the entrance (e.g. accessible:2,standard:18)")
)

const layoutOf = (text: string): number | ReadonlyArray<{ readonly type: string; readonly count: number }> =>
  /^\s*\d+\s*$/.test(text)
    ? Number(text)
    : text.split(",").map((group) => {
        const [type = "", count = ""] = group.split(":")
        return { type: type.trim(), count: Number(count) }
      })

const createLot = Command.make(
  "create",
  { ...remoteOptions, name: Args.text({ name: "NAME" }).pipe(Args.withDescription("The new lot's name")), slots: slotsOption },
  (settings) =>
    runRemote(
      settings,
      (client) =>
        Effect.flatMap(decodeInput(CreateLotBody, { name: settings.name, slots: layoutOf(settings.slots) }), (payload) =>
          client.lots.createLot({ payload, headers: {} })
        ),
      renderLot
    )
).pipe(Command.withDescription(`Create a lot; slot types are ${slotTypes.join(", ")}`))

const showLot = Command.make("show", { ...remoteOptions, lot: lotArg }, (settings) =>
  runRemote(
    settings,
    (client) => Effect.flatMap(resolveLot(client, settings.lot), (lotId) => client.lots.getLot({ path: { lotId } })),
    renderLot
  )
).pipe(Command.withDescription("Show a lot's capacity and counts, by slot type"))

const deleteLot = Command.make("delete", { ...remoteOptions, lot: lotArg }, (settings) =>
  runRemote(
    settings,
    (client) =>
      Effect.flatMap(resolveLot(client, settings.lot), (lotId) =>
        Effect.as(client.lots.deleteLot({ path: { lotId }, headers: {} }), lotId)
      ),
    renderDeleted
  )
).pipe(Command.withDescription("Delete a lot; only an empty lot can be deleted"))

export const lotsCommand = Command.make("lots").pipe(
  Command.withDescription("Lots on a running server: list, create, show, delete"),
  Command.withSubcommands([listLots, createLot, showLot, deleteLot])
)

export const parkCommand = Command.make(
  "park",
  {
    ...remoteOptions,
    lot: lotArg,
    registration: Args.text({ name: "REGISTRATION" }),
    color: Args.text({ name: "COLOUR" }),
    slotType: Options.choice("type", slotTypes).pipe(Options.withDescription("Only a slot of this type"), Options.optional)
  },
  (settings) =>
    runRemote(
      settings,
      (client) =>
        Effect.gen(function* () {
          const payload = yield* decodeInput(ParkBody, {
            registration: settings.registration,
            color: settings.color,
            slotType: Option.getOrUndefined(settings.slotType)
          })
          const lotId = yield* resolveLot(client, settings.lot)
          return yield* client.vehicles.park({ path: { lotId }, payload, headers: {} })
        }),
      renderTicket
    )
).pipe(Command.withDescription("Park a vehicle in the nearest free slot; prints its ticket"))

export const leaveCommand = Command.make(
  "leave",
  {
    ...remoteOptions,
    lot: lotArg,
    slot: Options.integer("slot").pipe(Options.withDescription("The slot the vehicle leaves"), Options.optional),
    ticket: Options.text("ticket").pipe(Options.withDescription("The vehicle's ticket id"), Options.optional),
    registration: Options.text("registration").pipe(Options.withDescription("The vehicle's registration"), Options.optional)
  },
  (settings) =>
    runRemote(
      settings,
      (client) =>
        Effect.gen(function* () {
          const payload = yield* decodeInput(LeaveBody, {
            slot: Option.getOrUndefined(settings.slot),
            ticketId: Option.getOrUndefined(settings.ticket),
            registration: Option.getOrUndefined(settings.registration)
          })
          const lotId = yield* resolveLot(client, settings.lot)
          return yield* client.vehicles.leave({ path: { lotId }, payload, headers: {} })
        }),
      renderTicket
    )
).pipe(Command.withDescription("A vehicle leaves, named by exactly one of --slot, --ticket, --registration; prints the closed ticket and fee"))

export const whereCommand = Command.make(
  "where",
  { ...remoteOptions, lot: lotArg, registration: Args.text({ name: "REGISTRATION" }) },
  (settings) =>
    runRemote(
      settings,
      (client) =>
        Effect.gen(function* () {
          const registration = yield* decodeInput(Registration, settings.registration)
          const lotId = yield* resolveLot(client, settings.lot)
          return yield* client.vehicles.locateVehicle({ path: { lotId, registration } })
        }),
      renderLocation
    )
).pipe(Command.withDescription("Where a vehicle is parked: its slot and ticket"))

const showTicket = Command.make("show", { ...remoteOptions, ticket: Args.text({ name: "TICKET" }) }, (settings) =>
  runRemote(
    settings,
    (client) =>
      Effect.flatMap(decodeInput(TicketId, settings.ticket), (ticketId) => client.tickets.getTicket({ path: { ticketId } })),
    renderTicket
  )
).pipe(Command.withDescription("Show an active or closed ticket"))

export const ticketsCommand = Command.make("tickets").pipe(
  Command.withDescription("Tickets on a running server"),
  Command.withSubcommands([showTicket])
)

const decodeStoredEvent = Schema.decode(Schema.parseJson(StoredLotEvent))

const tailEvents = Command.make(
  "tail",
  {
    ...remoteOptions,
    lot: lotArg,
    after: Options.integer("after").pipe(
      Options.withDescription("Start after this sequence number (0: the whole log)"),
      Options.withDefault(0)
    )
  },
  (settings) =>
    Effect.gen(function* () {
      const client = yield* authorizedHttpClient(settings)
      const api = yield* makeApiClient(settings)
      const lotId = yield* resolveLot(api, settings.lot)
      // The lot is checked through the typed client first, so a wrong lot is its 404, not a broken stream.
      yield* api.lots.getLot({ path: { lotId } })
      const request = HttpClientRequest.get(`${settings.url}/v1/lots/${lotId}/events/stream`).pipe(
        HttpClientRequest.setUrlParam("after", String(settings.after)),
        HttpClientRequest.acceptJson,
        HttpClientRequest.setHeader("accept", "text/event-stream")
      )
      const response = yield* client.execute(request).pipe(Effect.flatMap(HttpClientResponse.filterStatusOk))
      yield* response.stream.pipe(
        Stream.decodeText(),
        Stream.pipeThroughChannel(Sse.makeChannel()),
        Stream.mapEffect((event) => decodeStoredEvent(event.data)),
        Stream.runForEach((stored) => {
          const shown = renderEvent(stored)
          return Console.log(settings.json ? JSON.stringify(shown.json) : shown.human)
        })
      )
    }).pipe(
      Effect.scoped,
      Effect.catchAll((error) =>
        Effect.zipRight(
          Console.error(`Error: ${describeFailure(settings, error)}`),
          Effect.sync(() => {
            process.exitCode = 1
          })
        )
      )
    )
).pipe(Command.withDescription("Print a lot's events from --after on, then follow new ones live (Server-Sent Events) until interrupted"))

export const eventsCommand = Command.make("events").pipe(
  Command.withDescription("A lot's event log on a running server"),
  Command.withSubcommands([tailEvents])
)
