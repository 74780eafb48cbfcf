import { Schema } from "effect"
import { StoredLotEvent } from "../../domain/Events.ts"
import type { Money } from "../../domain/Tariff.ts"
import { toIso } from "../../domain/Time.ts"
import { LotSummary, Ticket, VehicleLocation } from "../../domain/Views.ts"
import { fields, table } from "./Table.ts"

/** How each answer of the remote commands reads: `human` for a terminal, `json` as the API sends it. */
export interface Rendered {
  readonly human: string
  readonly json: unknown
}

const time = (ms: number | undefined) => (ms === undefined ? undefined : toIso(ms))
const money = (fee: Money | undefined) => (fee === undefined ? undefined : `${(fee.amount / 100).toFixed(2)} ${fee.currency}`)

const encodeLot = Schema.encodeSync(LotSummary)
const encodeLots = Schema.encodeSync(Schema.Array(LotSummary))
const encodeTicket = Schema.encodeSync(Ticket)
const encodeLocation = Schema.encodeSync(VehicleLocation)
const encodeEvent = Schema.encodeSync(StoredLotEvent)

export const renderLots = (lots: ReadonlyArray<LotSummary>): Rendered => ({
  human:
    lots.length === 0
      ? "No lots yet."
      : table(
          ["ID", "NAME", "CAPACITY", "FREE", "OCCUPIED", "RESERVED", "OUT OF SERVICE", "CREATED"],
          lots.map((lot) => [lot.id, lot.name, lot.capacity, lot.free, lot.occupied, lot.reserved, lot.outOfService, time(lot.createdAt)])
        ),
  json: encodeLots(lots)
})

export const renderLot = (lot: LotSummary): Rendered => ({
  human: [
    fields([
      ["id", lot.id],
      ["name", lot.name],
      ["capacity", lot.capacity],
      ["free", lot.free],
      ["occupied", lot.occupied],
      ["reserved", lot.reserved],
      ["out of service", lot.outOfService],
      ["tariff", lot.tariff === undefined ? "none" : `${money({ amount: lot.tariff.perHour, currency: lot.tariff.currency })} per hour after ${lot.tariff.freeMinutes} free minutes`],
      ["created", time(lot.createdAt)]
    ]),
    "",
    table(
      ["TYPE", "CAPACITY", "FREE", "OCCUPIED", "RESERVED", "OUT OF SERVICE"],
      Object.entries(lot.byType).map(([type, counts]) => [type, counts.capacity, counts.free, counts.occupied, counts.reserved, counts.outOfService])
    )
  ].join("\n"),
  json: encodeLot(lot)
})

const ticketEntries = (ticket: Ticket) =>
  [
    ["ticket", ticket.id],
    ["lot", ticket.lotId],
    ["slot", ticket.slot],
    ["slot type", ticket.slotType],
    ["registration", ticket.registration],
    ["colour", ticket.color],
    ["entered", time(ticket.enteredAt)],
    ["exited", time(ticket.exitedAt)],
    ["fee", money(ticket.fee)]
  ] as const

export const renderTicket = (ticket: Ticket): Rendered => ({ human: fields(ticketEntries(ticket)), json: encodeTicket(ticket) })

export const renderLocation = (location: VehicleLocation): Rendered => ({
  human: fields(ticketEntries(location.ticket)),
  json: encodeLocation(location)
})

export const renderDeleted = (lotId: string): Rendered => ({ human: `Deleted lot ${lotId}`, json: { deleted: lotId } })

/** One line per event: its place in the log, when, what, and the facts that matter. */
export const renderEvent = (stored: StoredLotEvent): Rendered => {
  const { _tag, at, ...facts } = encodeEvent(stored).event
  const details = Object.entries(facts)
    .map(([key, value]) => `${key}=${typeof value === "string" ? value : JSON.stringify(value)}`)
    .join(" ")
  return {
    human: `${String(stored.seq).padStart(6)}  ${at}  ${_tag.padEnd(21)}  ${details}`.trimEnd(),
    json: encodeEvent(stored)
  }
}
