import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { client, raw, testServer } from "./TestServer.ts"

const noKey = { headers: {} }

layer(testServer(), { excludeTestServices: true })("every endpoint's happy path through the typed client", (it) => {
  it.effect("lots: create (count and typed groups), list, get, delete", () =>
    Effect.gen(function* () {
      const api = yield* client
      const plain = yield* api.lots.createLot({ payload: { name: "  Plain  ", slots: 3 }, ...noKey })
      expect(plain).toMatchObject({ name: "Plain", capacity: 3, free: 3, occupied: 0 })
      const typed = yield* api.lots.createLot({
        payload: {
          name: "Typed",
          slots: [
            { type: "compact", count: 2 },
            { type: "ev", count: 1 }
          ],
          tariff: { currency: "EUR", freeMinutes: 15, perHour: 250 }
        },
        ...noKey
      })
      expect(typed.byType["compact"]?.capacity).toBe(2)
      expect(typed.byType["ev"]?.capacity).toBe(1)
      const lots = yield* api.lots.listLots()
      expect(lots.map((lot) => lot.name)).toEqual(expect.arrayContaining(["Plain", "Typed"]))
      expect((yield* api.lots.getLot({ path: { lotId: typed.id } })).capacity).toBe(3)
      yield* api.lots.deleteLot({ path: { lotId: plain.id }, ...noKey })
      const gone = yield* Effect.flip(api.lots.getLot({ path: { lotId: plain.id } }))
      expect(gone._tag).toBe("LotNotFound")
    }))

  it.effect("vehicles: park, list (by colour), locate, leave by slot, ticket and registration; tickets", () =>
    Effect.gen(function* () {
      const api = yield* client
      const lot = yield* api.lots.createLot({ payload: { name: "Vehicles", slots: 4 }, ...noKey })
      const path = { lotId: lot.id }
      const first = yield* api.vehicles.park({ path, payload: { registration: " ka-01-hh-1234 ", color: "White" }, ...noKey })
      expect(first).toMatchObject({ slot: 1, registration: "KA-01-HH-1234", color: "White", slotType: "standard" })
      const second = yield* api.vehicles.park({ path, payload: { registration: "B-2", color: "Black" }, ...noKey })
      const third = yield* api.vehicles.park({ path, payload: { registration: "C-3", color: "white" }, ...noKey })
      expect([second.slot, third.slot]).toEqual([2, 3])
      const whites = yield* api.vehicles.listVehicles({ path, urlParams: { color: "WHITE" } })
      expect(whites.map((v) => v.slot)).toEqual([1, 3])
      const all = yield* api.vehicles.listVehicles({ path, urlParams: {} })
      expect(all).toHaveLength(3)
      const where = yield* api.vehicles.locateVehicle({ path: { lotId: lot.id, registration: "B-2" } })
      expect(where.slot).toBe(2)
      expect(where.ticket.id).toBe(second.id)

      const bySlot = yield* api.vehicles.leave({ path, payload: { slot: 1 }, ...noKey })
      expect(bySlot.id).toBe(first.id)
      expect(bySlot.exitedAt).toBeDefined()
      expect(bySlot.fee).toBeDefined()
      const byTicket = yield* api.vehicles.leave({ path, payload: { ticketId: second.id }, ...noKey })
      expect(byTicket.slot).toBe(2)
      const byPlate = yield* api.vehicles.leave({ path, payload: { registration: "c-3" }, ...noKey })
      expect(byPlate.slot).toBe(3)

      const closed = yield* api.tickets.getTicket({ path: { ticketId: first.id } })
      expect(closed.exitedAt).toBeDefined()
      const after = yield* api.lots.getLot({ path })
      expect(after).toMatchObject({ free: 4, occupied: 0 })
    }))

  it.effect("reservations: reserve, list, cancel", () =>
    Effect.gen(function* () {
      const api = yield* client
      const lot = yield* api.lots.createLot({ payload: { name: "Reservations", slots: [{ type: "ev", count: 2 }] }, ...noKey })
      const path = { lotId: lot.id }
      const held = yield* api.reservations.reserve({
        path,
        payload: { registration: "EV-1", slotType: "ev", holdSeconds: 600 },
        ...noKey
      })
      expect(held).toMatchObject({ slot: 1, slotType: "ev", registration: "EV-1" })
      expect((yield* api.lots.getLot({ path })).reserved).toBe(1)
      expect((yield* api.reservations.listReservations({ path })).map((r) => r.id)).toEqual([held.id])
      yield* api.reservations.cancelReservation({ path: { lotId: lot.id, reservationId: held.id }, ...noKey })
      expect((yield* api.lots.getLot({ path })).reserved).toBe(0)
    }))

  it.effect("slots: list, get, out of service and back", () =>
    Effect.gen(function* () {
      const api = yield* client
      const lot = yield* api.lots.createLot({ payload: { name: "Slots", slots: 2 }, ...noKey })
      const slots = yield* api.slots.listSlots({ path: { lotId: lot.id } })
      expect(slots.map((s) => [s.slot, s.type, s.state])).toEqual([
        [1, "standard", "Free"],
        [2, "standard", "Free"]
      ])
      const down = yield* api.slots.setOutOfService({ path: { lotId: lot.id, slot: 2 }, ...noKey })
      expect(down.state).toBe("OutOfService")
      expect((yield* api.slots.getSlot({ path: { lotId: lot.id, slot: 2 } })).state).toBe("OutOfService")
      const up = yield* api.slots.setInService({ path: { lotId: lot.id, slot: 2 }, ...noKey })
      expect(up.state).toBe("Free")
    }))

  it.effect("events: paged log in order", () =>
    Effect.gen(function* () {
      const api = yield* client
      const lot = yield* api.lots.createLot({ payload: { name: "Events", slots: 2 }, ...noKey })
      const path = { lotId: lot.id }
      yield* api.vehicles.park({ path, payload: { registration: "E-1", color: "Red" }, ...noKey })
      yield* api.vehicles.park({ path, payload: { registration: "E-2", color: "Red" }, ...noKey })
      const first = yield* api.events.listEvents({ path, urlParams: { limit: 2 } })
      expect(first.events.map((e) => e.event._tag)).toEqual(["LotCreated", "VehicleParked"])
      expect(first.next).not.toBeNull()
      const rest = yield* api.events.listEvents({ path, urlParams: { after: first.next ?? 0 } })
      expect(rest.events.map((e) => e.seq)).toEqual([3])
    }))

  it.effect("ops: health, ready, metrics, openapi.json, docs and dashboard", () =>
    Effect.gen(function* () {
      const api = yield* client
      expect(yield* api.ops.health()).toEqual({ status: "ok" })
      expect(yield* api.ops.ready()).toEqual({ status: "ready" })
      const metrics = yield* raw("/metrics")
      expect(metrics.status).toBe(200)
      expect(metrics.headers.get("content-type")).toContain("text/plain")
      expect(metrics.text).toMatch(/parkplane_http_requests_total\{[^}]*route="\/v1\/lots\/:lotId"[^}]*\} \d+/)
      const openapi = yield* raw("/openapi.json")
      expect(openapi.status).toBe(200)
      const document = openapi.json as { paths: Record<string, unknown> }
      expect(Object.keys(document.paths)).toEqual(
        expect.arrayContaining(["/v1/lots", "/v1/lots/{lotId}/park", "/v1/lots/{lotId}/events/stream", "/health"])
      )
      expect((yield* raw("/docs")).text).toContain("swagger")
      const dashboard = yield* raw("/")
      expect(dashboard.headers.get("content-type")).toContain("text/html")
      expect(dashboard.text).toContain("/events/stream")
    }))
})

