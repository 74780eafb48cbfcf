import { Schema } from "effect"

/** A tenant owns lots; without authentication there is one, `default`. */
export const TenantId = Schema.String.pipe(Schema.pattern(/^[A-Za-z0-9_.-]{1,64}$/), Schema.brand("TenantId"))
export type TenantId = typeof TenantId.Type
export const defaultTenant = TenantId.make("default")

/** Lot ids come from a durable sequence (`L1`, `L2`, ...) and are never reused. */
const lotIdPattern = /^L[1-9][0-9]{0,15}$/
export const LotId = Schema.String.pipe(
  Schema.pattern(lotIdPattern, { message: () => "a lot id looks like L1, L2, ..." }),
  Schema.brand("LotId")
)
export type LotId = typeof LotId.Type

/** What decoding `LotId` gives for this text, or undefined where it fails (the HTTP fast lane's check). */
export const lotIdFrom = (text: string): LotId | undefined => (lotIdPattern.test(text) ? LotId.make(text, { disableValidation: true }) : undefined)

/**
 * A ticket id is the lot id and the sequence number of the event that opened it (`L3-17`).
 * Both parts are durable and never reused, so the id is unique across restarts without a
 * second counter, and the lot can be found from the id alone.
 */
const ticketIdPattern = /^L[1-9][0-9]{0,15}-[1-9][0-9]{0,15}$/
export const TicketId = Schema.String.pipe(
  Schema.pattern(ticketIdPattern, { message: () => "a ticket id looks like L3-17" }),
  Schema.brand("TicketId")
)
export type TicketId = typeof TicketId.Type

/** What decoding `TicketId` gives for this text, or undefined where it fails (the HTTP fast lane's check). */
export const ticketIdFrom = (text: string): TicketId | undefined =>
  ticketIdPattern.test(text) ? TicketId.make(text, { disableValidation: true }) : undefined

/** Reservation ids follow the ticket scheme with an `R` (`L3-R18`). */
const reservationIdPattern = /^L[1-9][0-9]{0,15}-R[1-9][0-9]{0,15}$/
export const ReservationId = Schema.String.pipe(
  Schema.pattern(reservationIdPattern, { message: () => "a reservation id looks like L3-R18" }),
  Schema.brand("ReservationId")
)
export type ReservationId = typeof ReservationId.Type

/** What decoding `ReservationId` gives for this text, or undefined where it fails (the log's fast decoders' check). */
export const reservationIdFrom = (text: string): ReservationId | undefined =>
  reservationIdPattern.test(text) ? ReservationId.make(text, { disableValidation: true }) : undefined

export const ticketIdOf = (lotId: LotId, seq: number): TicketId => TicketId.make(`${lotId}-${seq}`, { disableValidation: true })
export const reservationIdOf = (lotId: LotId, seq: number): ReservationId =>
  ReservationId.make(`${lotId}-R${seq}`, { disableValidation: true })

/** The lot part and sequence number of a ticket or reservation id. */
export const parseEntityId = (id: string): { readonly lotId: LotId; readonly seq: number } | undefined => {
  const match = /^(L[1-9][0-9]{0,15})-R?([1-9][0-9]{0,15})$/.exec(id)
  if (match === null) return undefined
  return { lotId: LotId.make(match[1], { disableValidation: true }), seq: Number(match[2]) }
}

/**
 * The sequence number of a ticket id of this lot (`L3-17` in lot L3 is 17), or undefined for any
 * other text: `parseEntityId` with the lot compared and reservations refused, without a regular
 * expression (this runs on every leave by ticket).
 */
export const ticketSeqIn = (lotId: LotId, ticketId: string): number | undefined => {
  const from = lotId.length + 1
  const digits = ticketId.length - from
  if (digits < 1 || digits > 16 || ticketId.charCodeAt(lotId.length) !== 45 || !ticketId.startsWith(lotId)) return undefined
  let seq = 0
  for (let i = from; i < ticketId.length; i++) {
    const d = ticketId.charCodeAt(i) - 48
    if (d < 0 || d > 9 || (d === 0 && i === from)) return undefined
    seq = seq * 10 + d
  }
  return seq
}
