import { hash } from "node:crypto"
import { Either, Schema } from "effect"
import { InvalidInput, LotNameTaken, LotNotEmpty } from "../domain/Errors.ts"
import { LotRuleErrorSchema } from "../domain/LotRuleErrorSchema.ts"
import { ticketJson } from "../domain/TicketJson.ts"
import { Ticket } from "../domain/Views.ts"

/** How long a keyed response is replayed (API.md: 24 h). */
export const idempotencyTtlMillis = 24 * 60 * 60 * 1000

/**
 * The answers worth replaying: outcomes of the request itself, not of the moment (429/503 are
 * retried). Lot commands replay `LotRuleErrorSchema` from the domain.
 */
export const CreateLotErrorSchema = Schema.Union(InvalidInput, LotNameTaken)
export const DeleteLotErrorSchema = Schema.Union(LotNotEmpty)

/** A request's fingerprint: the same key with another fingerprint is a different request. */
export const requestHash = (operation: string, target: string, body: unknown): string =>
  hash("sha256", JSON.stringify([operation, target, body]), "base64url")

/**
 * Stores a keyed command's answer as JSON and reads it back as the same success or error.
 * `successJson`, where given, writes a success's JSON exactly as its Schema would (a ticket's is
 * held to its Schema by a property test): through the Schema, storing keyed parks' and leaves'
 * tickets took 6.3% of the event loop's CPU samples at 10 connections (session 11, decision 0019).
 */
export const responseCodec = <A, I, E, EI>(success: Schema.Schema<A, I>, failure: Schema.Schema<E, EI>, successJson?: (value: A) => string) => {
  const schema = Schema.Either({ right: success, left: failure })
  const encode = Schema.encodeSync(schema)
  const decode = Schema.decodeUnknownEither(schema)
  const encodeBySchema = (answer: Either.Either<A, E>): string => JSON.stringify(encode(answer))
  return {
    encode: (answer: Either.Either<A, E>): string =>
      successJson !== undefined && Either.isRight(answer) ? `{"_tag":"Right","right":${successJson(answer.right)}}` : encodeBySchema(answer),
    /** The Schema's own encoding, which `encode` must equal. */
    encodeBySchema,
    decode: (stored: string) => decode(JSON.parse(stored))
  }
}

/** How park and leave store their answers: nearly every keyed command is one of them. */
export const ticketCodec = responseCodec(Ticket, LotRuleErrorSchema, ticketJson)
