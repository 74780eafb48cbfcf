import { expect, layer } from "@effect/vitest"
import { Context, Effect, Layer } from "effect"
import { client, raw, testServer } from "./TestServer.ts"

/** A lot with one parked vehicle (slot 1, ticket `ticketId`), slots 1-2 standard and 3 ev. */
class Fixture extends Context.Tag("test/Fixture")<Fixture, { readonly lotId: string; readonly ticketId: string }>() {}

const fixture = Layer.effect(
  Fixture,
  Effect.gen(function* () {
    const api = yield* client
    const lot = yield* api.lots.createLot({
      payload: { name: "Hostile", slots: [{ type: "standard", count: 2 }, { type: "ev", count: 1 }] },
      headers: {}
    })
    const ticket = yield* api.vehicles.park({
      path: { lotId: lot.id },
      payload: { registration: "HOLD-1", color: "Grey" },
      headers: {}
    })
    return { lotId: lot.id, ticketId: ticket.id }
  })
)

interface Case {
  readonly name: string
  readonly method: string
  /** `{lot}` and `{ticket}` are replaced by the fixture's ids. */
  readonly path: string
  /** A string is sent as is; anything else as JSON. */
  readonly body?: unknown
  readonly headers?: Record<string, string>
  readonly status: number
  readonly tag: string
  /** Words the message must contain, e.g. the field it names. */
  readonly mentions?: string
}

const post = (name: string, path: string, body: unknown, status: number, tag: string, mentions?: string): Case => ({
  name,
  method: "POST",
  path,
  body,
  status,
  tag,
  ...(mentions === undefined ? {} : { mentions })
})
const get = (name: string, path: string, status: number, tag: string, mentions?: string): Case => ({
  name,
  method: "GET",
  path,
  status,
  tag,
  ...(mentions === undefined ? {} : { mentions })
})

const lots = "/v1/lots"
const park = "/v1/lots/{lot}/park"
const leave = "/v1/lots/{lot}/leave"
const reserve = "/v1/lots/{lot}/reservations"
const long = (n: number) => "A".repeat(n)

const cases: ReadonlyArray<Case> = [
  // bodies that are not what a lot is made of
  post("malformed JSON", lots, "{bad", 400, "InvalidInput", "JSON"),
  post("truncated JSON", lots, '{"name":"x","slots":', 400, "InvalidInput", "JSON"),
  post("JSON array instead of object", lots, [], 400, "InvalidInput"),
  post("JSON null", lots, "null", 400, "InvalidInput"),
  post("empty body", lots, "", 400, "InvalidInput"),
  post("deeply nested JSON", lots, "[".repeat(20_000) + "]".repeat(20_000), 400, "InvalidInput"),
  post("name missing", lots, { slots: 3 }, 400, "InvalidInput", "name"),
  post("name empty", lots, { name: "", slots: 3 }, 400, "InvalidInput", "name"),
  post("name only spaces", lots, { name: "   ", slots: 3 }, 400, "InvalidInput", "name"),
  post("name too long", lots, { name: long(101), slots: 3 }, 400, "InvalidInput", "name"),
  post("name with control character", lots, { name: "bell\u0007", slots: 3 }, 400, "InvalidInput", "control"),
  post("name a number", lots, { name: 7, slots: 3 }, 400, "InvalidInput", "name"),
  post("slots zero", lots, { name: "z", slots: 0 }, 400, "InvalidInput", "slots"),
  post("slots negative", lots, { name: "z", slots: -1 }, 400, "InvalidInput", "slots"),
  post("slots fractional", lots, { name: "z", slots: 1.5 }, 400, "InvalidInput", "slots"),
  post("slots a string", lots, { name: "z", slots: "3" }, 400, "InvalidInput", "slots"),
  post("slots beyond any lot", lots, { name: "z", slots: 1e12 }, 400, "InvalidInput", "slots"),
  post("slots over PARKPLANE_MAX_SLOTS", lots, { name: "z", slots: 200_000 }, 400, "InvalidInput", "at most"),
  post("slot groups empty", lots, { name: "z", slots: [] }, 400, "InvalidInput", "slots"),
  post("unknown slot type", lots, { name: "z", slots: [{ type: "bus", count: 1 }] }, 400, "InvalidInput", "motorcycle"),
  post("slot group count zero", lots, { name: "z", slots: [{ type: "ev", count: 0 }] }, 400, "InvalidInput", "count"),
  post("tariff currency lower case", lots, { name: "z", slots: 1, tariff: { currency: "eur", freeMinutes: 0, perHour: 1 } }, 400, "InvalidInput", "currency"),
  post("tariff negative price", lots, { name: "z", slots: 1, tariff: { currency: "EUR", freeMinutes: 0, perHour: -1 } }, 400, "InvalidInput", "perHour"),
  post("body over 64 KiB", lots, { name: "z", slots: 1, padding: "x".repeat(70_000) }, 413, "PayloadTooLarge", "65536"),
  post("idempotency key too long", lots, { name: "z", slots: 1 }, 400, "InvalidInput", "Idempotency-Key"),
  post("lot name already taken", lots, { name: "Hostile", slots: 1 }, 409, "LotNameTaken", "Hostile"),
  // parking
  post("registration missing", park, { color: "Red" }, 400, "InvalidInput", "registration"),
  post("registration empty", park, { registration: "", color: "Red" }, 400, "InvalidInput", "registration"),
  post("registration too long", park, { registration: long(21), color: "Red" }, 400, "InvalidInput", "registration"),
  post("registration with NUL", park, { registration: "AB\u0000", color: "Red" }, 400, "InvalidInput", "registration"),
  post("registration with symbols", park, { registration: "AB$1", color: "Red" }, 400, "InvalidInput", "registration"),
  post("registration a number", park, { registration: 1234, color: "Red" }, 400, "InvalidInput", "registration"),
  post("colour with digits", park, { registration: "OK-1", color: "Wh1te" }, 400, "InvalidInput", "color"),
  post("colour too long", park, { registration: "OK-1", color: long(31) }, 400, "InvalidInput", "color"),
  post("unknown slot type to park", park, { registration: "OK-1", color: "Red", slotType: "spaceship" }, 400, "InvalidInput", "slotType"),
  post("malformed lot id", "/v1/lots/nope/park", { registration: "OK-1", color: "Red" }, 400, "InvalidInput", "lotId"),
  post("lot id L0", "/v1/lots/L0/park", { registration: "OK-1", color: "Red" }, 400, "InvalidInput", "lotId"),
  post("missing lot", "/v1/lots/L999/park", { registration: "OK-1", color: "Red" }, 404, "LotNotFound", "L999"),
  post("vehicle already parked", park, { registration: "hold-1", color: "Grey" }, 409, "VehicleAlreadyParked", "HOLD-1"),
  // leaving
  post("leave with nothing", leave, {}, 400, "InvalidInput", "exactly one"),
  post("leave with two targets", leave, { slot: 1, registration: "HOLD-1" }, 400, "InvalidInput", "exactly one"),
  post("leave slot zero", leave, { slot: 0 }, 400, "InvalidInput", "slot"),
  post("leave slot beyond the lot", leave, { slot: 99 }, 404, "SlotNotFound", "99"),
  post("leave a free slot", leave, { slot: 3 }, 409, "SlotAlreadyFree", "3"),
  post("leave with a malformed ticket", leave, { ticketId: "bogus" }, 400, "InvalidInput", "ticketId"),
  post("leave a vehicle that is not here", leave, { registration: "NOT-HERE" }, 404, "VehicleNotFound", "NOT-HERE"),
  // reservations
  post("hold zero seconds", reserve, { registration: "R-1", holdSeconds: 0 }, 400, "InvalidInput", "holdSeconds"),
  post("hold over a day", reserve, { registration: "R-1", holdSeconds: 86_401 }, 400, "InvalidInput", "holdSeconds"),
  post("hold as a string", reserve, { registration: "R-1", holdSeconds: "10" }, 400, "InvalidInput", "holdSeconds"),
  { name: "cancel a malformed reservation id", method: "DELETE", path: "/v1/lots/{lot}/reservations/xyz", status: 400, tag: "InvalidInput", mentions: "reservationId" },
  { name: "cancel a missing reservation", method: "DELETE", path: "/v1/lots/{lot}/reservations/L1-R999", status: 404, tag: "ReservationNotFound" },
  // slots
  get("slot zero", "/v1/lots/{lot}/slots/0", 400, "InvalidInput", "slot"),
  get("slot not a number", "/v1/lots/{lot}/slots/abc", 400, "InvalidInput", "slot"),
  get("slot beyond the lot", "/v1/lots/{lot}/slots/99", 404, "SlotNotFound", "99"),
  post("out of service beyond the lot", "/v1/lots/{lot}/slots/99/out-of-service", undefined, 404, "SlotNotFound"),
  post("in service when already in service", "/v1/lots/{lot}/slots/2/in-service", undefined, 409, "SlotInService"),
  post("out of service an occupied slot", "/v1/lots/{lot}/slots/1/out-of-service", undefined, 409, "SlotOccupied"),
  // queries
  get("events after negative", "/v1/lots/{lot}/events?after=-1", 400, "InvalidInput", "after"),
  get("events after not a number", "/v1/lots/{lot}/events?after=abc", 400, "InvalidInput", "after"),
  get("events limit zero", "/v1/lots/{lot}/events?limit=0", 400, "InvalidInput", "limit"),
  get("events limit too big", "/v1/lots/{lot}/events?limit=5000", 400, "InvalidInput", "limit"),
  get("vehicles by a colour with digits", "/v1/lots/{lot}/vehicles?color=123", 400, "InvalidInput", "color"),
  get("locate a registration with a control character", "/v1/lots/{lot}/vehicles/AB%01", 400, "InvalidInput", "registration"),
  get("malformed ticket id", "/v1/tickets/xyz", 400, "InvalidInput", "ticketId"),
  get("missing ticket", "/v1/tickets/L1-999999", 404, "TicketNotFound", "L1-999999"),
  get("stream resumed from a bad Last-Event-ID", "/v1/lots/{lot}/events/stream?after=x", 400, "InvalidInput", "after"),
  // routes and methods
  get("unknown route", "/v1/nope", 404, "RouteNotFound", "/v1/nope"),
  { name: "wrong method on a collection", method: "PUT", path: lots, status: 405, tag: "MethodNotAllowed", mentions: "PUT" },
  { name: "wrong method on a lot", method: "PATCH", path: "/v1/lots/{lot}", status: 405, tag: "MethodNotAllowed", mentions: "PATCH" },
  { name: "delete a lot that is not empty", method: "DELETE", path: "/v1/lots/{lot}", status: 409, tag: "LotNotEmpty" }
]

const headersOf = (c: Case): Record<string, string> =>
  c.name === "idempotency key too long"
    ? { "content-type": "application/json", "idempotency-key": long(300) }
    : { "content-type": "application/json", ...c.headers }

/** What a client can observe of the lot: counts, every slot and the length of its log. */
const observe = (lotId: string) =>
  Effect.all([raw(`/v1/lots/${lotId}`), raw(`/v1/lots/${lotId}/slots`), raw(`/v1/lots/${lotId}/events?limit=1000`)]).pipe(
    Effect.map(([lot, slots, events]) => ({ lot: lot.json, slots: slots.json, events: events.json }))
  )

layer(Layer.provideMerge(fixture, testServer()), { excludeTestServices: true })("hostile requests", (it) => {
  it("has at least 40 cases", () => {
    expect(cases.length).toBeGreaterThanOrEqual(40)
  })

  for (const c of cases) {
    it.effect(`${c.name}: ${c.status} ${c.tag}`, () =>
      Effect.gen(function* () {
        const { lotId, ticketId } = yield* Fixture
        const path = c.path.replace("{lot}", lotId).replace("{ticket}", ticketId)
        const before = yield* observe(lotId)
        const init: RequestInit = { method: c.method, headers: headersOf(c) }
        if (c.body !== undefined) init.body = typeof c.body === "string" ? c.body : JSON.stringify(c.body)
        const response = yield* raw(path, init)

        expect(response.status, response.text).toBe(c.status)
        expect(response.headers.get("content-type")).toContain("application/json")
        const body = response.json as { _tag: string; message: string }
        expect(body._tag).toBe(c.tag)
        expect(typeof body.message).toBe("string")
        expect(body.message.length).toBeGreaterThan(3)
        if (c.mentions !== undefined) expect(body.message).toContain(c.mentions)
        expect(response.text).not.toMatch(/\bat .*\.(ts|js):\d+/)

        expect(yield* observe(lotId)).toEqual(before)
      }))
  }
})
