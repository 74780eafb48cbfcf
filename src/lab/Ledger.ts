import { inDoubt, type Answer } from "./Client.ts"

/*
 * What the server acknowledged, as the lab saw it: the reference the checks hold the server to.
 * A request with no answer (refused, reset, timed out) is in doubt: it may or may not have
 * happened, and only the server's state after the fact says which.
 */

export type Release = "none" | "inFlight" | "inDoubt"

export interface OpenTicket {
  readonly id: string
  readonly lotId: string
  readonly slot: number
  readonly registration: string
  leave: Release
}

export interface HeldReservation {
  readonly id: string
  readonly lotId: string
  readonly slot: number
  readonly expiresAt: number
  cancel: Release | "cancelled"
}

const slotKey = (lotId: string, slot: number) => `${lotId}/${slot}`

/** Margin for clocks and timers when deciding whether a reservation may have expired by now. */
export const expiryMarginMs = 1_000

export class Ledger {
  /** Acknowledged parks not (yet) acknowledged as left, by ticket id. */
  readonly open = new Map<string, OpenTicket>()
  /** Tickets acknowledged as left: the server must not show them parked. */
  readonly closed = new Map<string, OpenTicket>()
  readonly reservations = new Map<string, HeldReservation>()
  /** Ids acknowledged twice for different writes. */
  readonly reused: Array<string> = []
  /** A slot acknowledged to a second holder while the first still held it. */
  readonly doubleAllocations: Array<string> = []
  private readonly seen = new Set<string>()
  private readonly holders = new Map<string, string>()
  /** Ticket id whose leave is in flight -> descriptions of slots given away before its answer. */
  private readonly pending = new Map<string, Array<string>>()

  openIn(lotId: string): Array<OpenTicket> {
    const tickets: Array<OpenTicket> = []
    for (const ticket of this.open.values()) if (ticket.lotId === lotId) tickets.push(ticket)
    return tickets
  }

  reservationsIn(lotId: string): Array<HeldReservation> {
    const held: Array<HeldReservation> = []
    for (const r of this.reservations.values()) if (r.lotId === lotId) held.push(r)
    return held
  }

  private acknowledgeId(id: string, what: string) {
    if (this.seen.has(id)) this.reused.push(`${id} acknowledged again for ${what}`)
    this.seen.add(id)
  }

  /** A slot was acknowledged to `id`: whoever the lab knows held it must have let go. `now` is wall-clock ms. */
  private take(lotId: string, slot: number, id: string, now: number) {
    const key = slotKey(lotId, slot)
    const holder = this.holders.get(key)
    if (holder !== undefined) {
      const ticket = this.open.get(holder)
      const reservation = this.reservations.get(holder)
      const conflict = `slot ${key} given to ${id} while ${holder} held it`
      if (ticket !== undefined) {
        if (ticket.leave === "none") this.doubleAllocations.push(conflict)
        else if (ticket.leave === "inFlight") this.pending.set(holder, [...(this.pending.get(holder) ?? []), conflict])
      } else if (reservation !== undefined && reservation.cancel === "none" && reservation.expiresAt > now + expiryMarginMs) {
        this.doubleAllocations.push(conflict)
      }
    }
    this.holders.set(key, id)
  }

  private release(lotId: string, slot: number, id: string) {
    const key = slotKey(lotId, slot)
    if (this.holders.get(key) === id) this.holders.delete(key)
  }

  parked(ticket: { id: string; lotId: string; slot: number; registration: string }, now: number) {
    this.acknowledgeId(ticket.id, `the park of ${ticket.registration}`)
    this.take(ticket.lotId, ticket.slot, ticket.id, now)
    this.open.set(ticket.id, { ...ticket, leave: "none" })
  }

  leaveSent(ticket: OpenTicket) {
    ticket.leave = "inFlight"
  }

  leaveAnswered(ticket: OpenTicket, answer: Answer) {
    const conflicts = this.pending.get(ticket.id) ?? []
    this.pending.delete(ticket.id)
    if (answer.status === 200) {
      this.open.delete(ticket.id)
      this.closed.set(ticket.id, ticket)
      this.release(ticket.lotId, ticket.slot, ticket.id)
    } else if (inDoubt(answer)) {
      ticket.leave = "inDoubt"
    } else {
      // The leave was refused, so the vehicle never left: its slot must not have been given away.
      ticket.leave = "none"
      this.doubleAllocations.push(...conflicts)
    }
  }

  reserved(reservation: { id: string; lotId: string; slot: number; expiresAt: number }, now: number) {
    this.acknowledgeId(reservation.id, `a reservation of slot ${reservation.slot}`)
    this.take(reservation.lotId, reservation.slot, reservation.id, now)
    this.reservations.set(reservation.id, { ...reservation, cancel: "none" })
  }

  cancelSent(reservation: HeldReservation) {
    reservation.cancel = "inFlight"
  }

  cancelAnswered(reservation: HeldReservation, answer: Answer) {
    if (answer.status === 204) reservation.cancel = "cancelled"
    else if (inDoubt(answer)) reservation.cancel = "inDoubt"
    else reservation.cancel = "none"
  }

  /** The server showed this ticket gone: an in-doubt leave happened. */
  resolveLeft(ticket: OpenTicket) {
    this.open.delete(ticket.id)
    this.release(ticket.lotId, ticket.slot, ticket.id)
  }

  forgetReservation(reservation: HeldReservation) {
    this.reservations.delete(reservation.id)
    this.release(reservation.lotId, reservation.slot, reservation.id)
  }

  /** A vehicle the server holds from a park whose answer never arrived: from now on it is known. */
  adopt(ticket: { id: string; lotId: string; slot: number; registration: string }) {
    this.seen.add(ticket.id)
    this.holders.set(slotKey(ticket.lotId, ticket.slot), ticket.id)
    this.open.set(ticket.id, { ...ticket, leave: "none" })
  }

  /** Same for a reservation whose answer never arrived. */
  adoptReservation(reservation: { id: string; lotId: string; slot: number; expiresAt: number }) {
    this.seen.add(reservation.id)
    this.holders.set(slotKey(reservation.lotId, reservation.slot), reservation.id)
    this.reservations.set(reservation.id, { ...reservation, cancel: "none" })
  }
}
