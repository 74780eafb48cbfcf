import { Effect } from "effect"
import type { Client } from "./Client.ts"
import { expiryMarginMs, type Ledger } from "./Ledger.ts"
import { ReferenceLot, type WireEvent, type WireSlot } from "./ReferenceModel.ts"

/** What one check of the whole server found; each list holds one line per finding. */
export interface Findings {
  readonly violations: Array<string>
  readonly lost: Array<string>
  readonly reused: Array<string>
}

interface WireLot {
  readonly capacity: number
  readonly free: number
  readonly occupied: number
  readonly reserved: number
  readonly outOfService: number
  readonly version: number
}

interface WireReservation {
  readonly id: string
  readonly slot: number
  readonly expiresAt: string
}

const isObject = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null

const asLot = (u: unknown): WireLot | undefined =>
  isObject(u) && typeof u.capacity === "number" && typeof u.version === "number"
    ? {
        capacity: u.capacity,
        free: Number(u.free),
        occupied: Number(u.occupied),
        reserved: Number(u.reserved),
        outOfService: Number(u.outOfService),
        version: u.version
      }
    : undefined

const asSlots = (u: unknown): Array<WireSlot> | undefined =>
  Array.isArray(u) ? u.filter((s): s is WireSlot => isObject(s) && typeof s.slot === "number" && typeof s.state === "string") : undefined

/** An overdue reservation is one this long past its expiry and still held. */
export const overdueMs = 3_000

/**
 * Holds the server to the ledger and to its own log, lot by lot, while no load runs. Reservation
 * expiry still runs meanwhile, so a lot is read between two reads of its version, until they agree.
 */
export const makeChecker = (client: Client, ledger: Ledger, lotIds: ReadonlyArray<string>) => {
  const models = new Map(lotIds.map((id) => [id, new ReferenceLot(id)]))
  let reportedReuse = 0
  let reportedDouble = 0
  let reportedIllegal = new Map<string, number>()

  const snapshot = (lotId: string) =>
    Effect.gen(function* () {
      for (let attempt = 0; attempt < 5; attempt++) {
        const before = asLot((yield* client.get(`/v1/lots/${lotId}`)).body)
        const slotsAnswer = yield* client.get(`/v1/lots/${lotId}/slots`)
        const after = asLot((yield* client.get(`/v1/lots/${lotId}`)).body)
        const slots = asSlots(slotsAnswer.body)
        if (before !== undefined && after !== undefined && slots !== undefined && before.version === after.version) {
          return { lot: before, slots }
        }
      }
      return undefined
    })

  const replayTo = (model: ReferenceLot, version: number) =>
    Effect.gen(function* () {
      while (model.seq < version) {
        const page = yield* client.get(`/v1/lots/${model.lotId}/events?after=${model.seq}&limit=1000`)
        const events = isObject(page.body) && Array.isArray(page.body.events) ? (page.body.events as Array<WireEvent>) : []
        const before = model.seq
        for (const e of events) if (e.seq <= version) model.apply(e)
        if (model.seq === before) return false
      }
      return model.seq === version
    })

  const checkLot = (lotId: string, findings: Findings, now: number) =>
    Effect.gen(function* () {
      const model = models.get(lotId) ?? new ReferenceLot(lotId)
      models.set(lotId, model)
      const read = yield* snapshot(lotId)
      if (read === undefined) {
        findings.violations.push(`${lotId}: could not read a consistent lot and slot list`)
        return
      }
      const { lot, slots } = read

      // Counts add up, and agree with the slot list.
      if (lot.free + lot.occupied + lot.reserved + lot.outOfService !== lot.capacity) {
        findings.violations.push(`${lotId}: free ${lot.free} + occupied ${lot.occupied} + reserved ${lot.reserved} + out of service ${lot.outOfService} != capacity ${lot.capacity}`)
      }
      const tally = (state: string) => slots.filter((s) => s.state === state).length
      const tallied = { free: tally("Free"), occupied: tally("Occupied"), reserved: tally("Reserved"), outOfService: tally("OutOfService") }
      if (slots.length !== lot.capacity || tallied.free !== lot.free || tallied.occupied !== lot.occupied || tallied.reserved !== lot.reserved || tallied.outOfService !== lot.outOfService) {
        findings.violations.push(`${lotId}: summary ${JSON.stringify(lot)} disagrees with its slots ${JSON.stringify(tallied)}`)
      }

      // No vehicle, ticket or reservation in two slots.
      const holders = new Map<string, number>()
      for (const s of slots) {
        for (const id of [s.ticketId, s.reservationId, s.state === "Occupied" ? `vehicle ${s.registration ?? ""}` : undefined]) {
          if (id === undefined) continue
          const other = holders.get(id)
          if (other !== undefined) findings.violations.push(`${lotId}: ${id} holds slots ${other} and ${s.slot}`)
          holders.set(id, s.slot)
        }
        if (s.state === "Occupied" && s.ticketId === undefined) findings.violations.push(`${lotId} slot ${s.slot}: occupied without a ticket`)
        if (s.state === "Reserved" && s.reservationId === undefined) findings.violations.push(`${lotId} slot ${s.slot}: reserved without a reservation`)
      }

      // The log replayed gives the same slots.
      if (!(yield* replayTo(model, lot.version))) {
        findings.violations.push(`${lotId}: the log ends at seq ${model.seq}, the lot is at version ${lot.version}`)
      } else {
        findings.violations.push(...model.differences(slots))
      }
      const illegalSeen = reportedIllegal.get(lotId) ?? 0
      findings.violations.push(...model.illegal.slice(illegalSeen))
      reportedIllegal = new Map(reportedIllegal).set(lotId, model.illegal.length)

      // Every acknowledged write is there.
      const byTicket = new Map<string, WireSlot>()
      const byReservation = new Map<string, WireSlot>()
      for (const s of slots) {
        if (s.ticketId !== undefined) byTicket.set(s.ticketId, s)
        if (s.reservationId !== undefined) byReservation.set(s.reservationId, s)
      }
      for (const ticket of ledger.openIn(lotId)) {
        const served = byTicket.get(ticket.id)
        if (served === undefined) {
          if (ticket.leave === "inDoubt") ledger.resolveLeft(ticket)
          else findings.lost.push(`${lotId}: acknowledged park ${ticket.id} (${ticket.registration}, slot ${ticket.slot}) is gone`)
        } else {
          if (served.slot !== ticket.slot) findings.violations.push(`${lotId}: ticket ${ticket.id} acknowledged in slot ${ticket.slot} is in slot ${served.slot}`)
          if (ticket.leave === "inDoubt") ticket.leave = "none"
        }
      }
      for (const s of byTicket.values()) {
        if (s.ticketId === undefined) continue
        const closed = ledger.closed.get(s.ticketId)
        if (closed !== undefined) findings.lost.push(`${lotId}: acknowledged leave of ${s.ticketId} is undone (parked in slot ${s.slot})`)
        else if (!ledger.open.has(s.ticketId)) ledger.adopt({ id: s.ticketId, lotId, slot: s.slot, registration: s.registration ?? "" })
      }
      for (const r of ledger.reservationsIn(lotId)) {
        const served = byReservation.get(r.id)
        if (served !== undefined) {
          if (r.cancel === "cancelled") findings.lost.push(`${lotId}: acknowledged cancel of ${r.id} is undone`)
          else if (r.expiresAt < now - overdueMs) findings.violations.push(`${lotId}: reservation ${r.id} still held ${Math.round((now - r.expiresAt) / 1000)} s after its expiry`)
          if (r.cancel === "inDoubt") r.cancel = "none"
        } else if (r.cancel === "cancelled" || r.cancel === "inDoubt" || r.expiresAt <= now + expiryMarginMs) {
          ledger.forgetReservation(r)
        } else {
          findings.lost.push(`${lotId}: acknowledged reservation ${r.id} (slot ${r.slot}) is gone before its expiry`)
          ledger.forgetReservation(r)
        }
      }
      const unknown = [...byReservation.keys()].filter((id) => !ledger.reservations.has(id))
      if (unknown.length > 0) {
        const list = yield* client.get(`/v1/lots/${lotId}/reservations`)
        const held = Array.isArray(list.body) ? (list.body as Array<WireReservation>) : []
        for (const r of held) {
          if (unknown.includes(r.id)) ledger.adoptReservation({ id: r.id, lotId, slot: r.slot, expiresAt: Date.parse(r.expiresAt) })
        }
      }
    })

  /** Checks every lot; the ledger's own findings (ids reused, double allocations) since the last check join in. */
  const check: Effect.Effect<Findings> = Effect.gen(function* () {
    const findings: Findings = { violations: [], lost: [], reused: [] }
    const now = Date.now()
    yield* Effect.forEach(lotIds, (lotId) => checkLot(lotId, findings, now), { concurrency: 4, discard: true })
    findings.reused.push(...ledger.reused.slice(reportedReuse))
    reportedReuse = ledger.reused.length
    findings.violations.push(...ledger.doubleAllocations.slice(reportedDouble).map((d) => `double allocation: ${d}`))
    reportedDouble = ledger.doubleAllocations.length
    return findings
  })

  return { check } as const
}
