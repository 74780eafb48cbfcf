import { createHash } from "node:crypto"
import { Either, Schema } from "effect"
import { InvalidInput, LotNameTaken, LotNotEmpty } from "../domain/Errors.ts"

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
  createHash("sha256").update(JSON.stringify([operation, target, body])).digest("base64url")

/** Stores a keyed command's answer as JSON and reads it back as the same success or error. */
export const responseCodec = <A, I, E, EI>(success: Schema.Schema<A, I>, failure: Schema.Schema<E, EI>) => {
  const schema = Schema.Either({ right: success, left: failure })
  const encode = Schema.encodeSync(schema)
  const decode = Schema.decodeUnknownEither(schema)
  return {
    encode: (answer: Either.Either<A, E>): string => JSON.stringify(encode(answer)),
    decode: (stored: string) => decode(JSON.parse(stored))
  }
}
