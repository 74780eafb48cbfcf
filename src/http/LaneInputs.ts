import type { IncomingHttpHeaders } from "node:http"
import { lotIdFrom, ticketIdFrom } from "../domain/Ids.ts"
import { isJsonObject, stringFrom } from "../domain/JsonChecks.ts"
import { isSlotNumber, isSlotType } from "../domain/SlotType.ts"
import { colorFrom, registrationFrom } from "../domain/Vehicle.ts"
import { type CommandHeaders, isIdempotencyKey, type LeaveBody, type LotPath, type ParkBody } from "./Api.ts"

/*
 * The fast lane's inputs decoded without the Schemas' steps, for what nearly every request sends.
 * Each function gives what the lane's Schema decode gives, or undefined; then the lane decodes with
 * the Schema, which also words the error, so a request the rules refuse is still answered by the
 * Schema alone. Through the Schemas, the path, body and headers of a park or leave cost ~6 us of
 * CPU a request at 10 connections, an eighth of the server's (decision 0018). The rules themselves
 * are the domain's (`registrationFrom` and the Schemas share them); test/http/LaneInputs.test.ts
 * holds each function to its Schema.
 */

type Body = Readonly<Record<string, unknown>>


const has = (body: Body, key: string): boolean => Object.prototype.hasOwnProperty.call(body, key)

/** `LotPath` decoded from the path's lot segment. */
export const lotPathFrom = (segment: string): typeof LotPath.Type | undefined => {
  const lotId = lotIdFrom(segment)
  return lotId === undefined ? undefined : { lotId }
}

const withoutKey: typeof CommandHeaders.Type = {}

/** `CommandHeaders` decoded from Node's request headers. */
export const commandHeadersFrom = (headers: IncomingHttpHeaders): typeof CommandHeaders.Type | undefined => {
  if (!has(headers, "idempotency-key")) return withoutKey
  const key = headers["idempotency-key"]
  return isIdempotencyKey(key) ? { "idempotency-key": key } : undefined
}

/** `ParkBody` decoded from the parsed JSON body. */
export const parkBodyFrom = (body: unknown): typeof ParkBody.Type | undefined => {
  if (!isJsonObject(body) || !has(body, "registration") || !has(body, "color")) return undefined
  const registration = stringFrom(body.registration, registrationFrom)
  const color = stringFrom(body.color, colorFrom)
  if (registration === undefined || color === undefined) return undefined
  if (!has(body, "slotType")) return { registration, color }
  const slotType = body.slotType
  return isSlotType(slotType) ? { registration, color, slotType } : undefined
}

/** `LeaveBody` decoded from the parsed JSON body: exactly one of its keys, valid. */
export const leaveBodyFrom = (body: unknown): LeaveBody | undefined => {
  if (!isJsonObject(body)) return undefined
  const bySlot = has(body, "slot")
  const byTicket = has(body, "ticketId")
  const byRegistration = has(body, "registration")
  if (Number(bySlot) + Number(byTicket) + Number(byRegistration) !== 1) return undefined
  if (bySlot) {
    const slot = body.slot
    return isSlotNumber(slot) ? { slot } : undefined
  }
  if (byTicket) {
    const ticketId = stringFrom(body.ticketId, ticketIdFrom)
    return ticketId === undefined ? undefined : { ticketId }
  }
  const registration = stringFrom(body.registration, registrationFrom)
  return registration === undefined ? undefined : { registration }
}
