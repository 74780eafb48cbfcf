import { Schema } from "effect"
import { toIso } from "./Time.ts"
import { Ticket } from "./Views.ts"

/*
 * Every park and leave the fast lane answers is a ticket, and a keyed one is stored as one too
 * (runtime/Idempotency.ts). Its Schema encoding plus JSON text cost 5.2 us a ticket, this 0.5 us
 * (an open and a closed ticket in turn, 200,000 each, measured in session 4). A property test
 * holds this text to the Schema's output, key order included (as EventCodec does for the log's
 * events), so the Schema stays the definition of the wire form.
 */

const encodeTicket = Schema.encodeSync(Ticket)

/** The ticket's JSON text exactly as `JSON.stringify(Schema.encodeSync(Ticket)(ticket))` writes it. */
export const ticketJson = (t: Ticket): string => {
  let text = `{"id":${JSON.stringify(t.id)},"lotId":${JSON.stringify(t.lotId)},"slot":${JSON.stringify(t.slot)},"slotType":${JSON.stringify(t.slotType)},"registration":${JSON.stringify(t.registration)},"color":${JSON.stringify(t.color)},"enteredAt":"${toIso(t.enteredAt)}"`
  if (t.exitedAt !== undefined) text += `,"exitedAt":"${toIso(t.exitedAt)}"`
  if (t.fee !== undefined) text += `,"fee":{"amount":${JSON.stringify(t.fee.amount)},"currency":${JSON.stringify(t.fee.currency)}}`
  return `${text}}`
}

/** The same text through the Schema: the definition `ticketJson` is tested against. */
export const ticketJsonBySchema = (t: Ticket): string => JSON.stringify(encodeTicket(t))
