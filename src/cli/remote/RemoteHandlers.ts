import { HttpClientRequest, HttpClientResponse } from "@effect/platform"
import * as Sse from "@effect/experimental/Sse"
import { Console, Effect, Option, ParseResult, Schema, Stream } from "effect"
import { InvalidInput } from "../../domain/Errors.ts"
import { StoredLotEvent } from "../../domain/Events.ts"
import { TicketId } from "../../domain/Ids.ts"
import { Registration } from "../../domain/Vehicle.ts"
import { CreateLotBody, LeaveBody, ParkBody } from "../../http/Api.ts"
import { authorizedHttpClient, describeFailure, makeApiClient, resolveLot, runRemote } from "./RemoteClient.ts"
import type {
  createLotOptions,
  leaveOptions,
  lotOptions,
  parkOptions,
  RemoteSettings,
  Settings,
  tailOptions,
  ticketOptions,
  whereOptions
} from "./RemoteOptions.ts"
import { renderDeleted, renderEvent, renderLocation, renderLot, renderLots, renderTicket } from "./Render.ts"

/*
 * What the remote commands do, through the typed client derived from `Api`. Loaded only when a
 * remote command runs.
 */

/** Inputs go through the API's own Schemas, so a bad value is refused here with the server's words. */
const decodeInput = <A, I>(schema: Schema.Schema<A, I>, input: unknown) =>
  Schema.decodeUnknown(schema)(input).pipe(
    Effect.mapError((error) => {
      const issue = ParseResult.ArrayFormatter.formatErrorSync(error)[0]
      if (issue === undefined) return InvalidInput.of(error.message)
      const field = issue.path.join(".")
      return field === "" ? InvalidInput.of(issue.message) : InvalidInput.of(`${field}: ${issue.message}`, field)
    })
  )

/** `20` is twenty standard slots; `accessible:2,standard:18` is groups in order from the entrance. */
const layoutOf = (text: string): number | ReadonlyArray<{ readonly type: string; readonly count: number }> =>
  /^\s*\d+\s*$/.test(text)
    ? Number(text)
    : text.split(",").map((group) => {
        const [type = "", count = ""] = group.split(":")
        return { type: type.trim(), count: Number(count) }
      })

export const listLots = (settings: RemoteSettings) => runRemote(settings, (client) => client.lots.listLots(), renderLots)

export const createLot = (settings: Settings<typeof createLotOptions>) =>
  runRemote(
    settings,
    (client) =>
      Effect.flatMap(decodeInput(CreateLotBody, { name: settings.name, slots: layoutOf(settings.slots) }), (payload) =>
        client.lots.createLot({ payload, headers: {} })
      ),
    renderLot
  )

export const showLot = (settings: Settings<typeof lotOptions>) =>
  runRemote(
    settings,
    (client) => Effect.flatMap(resolveLot(client, settings.lot), (lotId) => client.lots.getLot({ path: { lotId } })),
    renderLot
  )

export const deleteLot = (settings: Settings<typeof lotOptions>) =>
  runRemote(
    settings,
    (client) =>
      Effect.flatMap(resolveLot(client, settings.lot), (lotId) =>
        Effect.as(client.lots.deleteLot({ path: { lotId }, headers: {} }), lotId)
      ),
    renderDeleted
  )

export const park = (settings: Settings<typeof parkOptions>) =>
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

export const leave = (settings: Settings<typeof leaveOptions>) =>
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

export const where = (settings: Settings<typeof whereOptions>) =>
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

export const showTicket = (settings: Settings<typeof ticketOptions>) =>
  runRemote(
    settings,
    (client) =>
      Effect.flatMap(decodeInput(TicketId, settings.ticket), (ticketId) => client.tickets.getTicket({ path: { ticketId } })),
    renderTicket
  )

const decodeStoredEvent = Schema.decode(Schema.parseJson(StoredLotEvent))

/** Prints the log from `after` on, then follows the server's SSE stream until interrupted. */
export const tailEvents = (settings: Settings<typeof tailOptions>) =>
  Effect.gen(function* () {
    const client = yield* authorizedHttpClient(settings)
    const api = yield* makeApiClient(settings)
    const lotId = yield* resolveLot(api, settings.lot)
    // The lot is checked through the typed client first, so a wrong lot is its 404, not a broken stream.
    yield* api.lots.getLot({ path: { lotId } })
    const request = HttpClientRequest.get(`${settings.url}/v1/lots/${lotId}/events/stream`).pipe(
      HttpClientRequest.setUrlParam("after", String(settings.after)),
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
