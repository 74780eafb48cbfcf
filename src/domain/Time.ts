import { ParseResult, Schema } from "effect"

/**
 * An instant: epoch milliseconds inside, an ISO-8601 UTC string on the wire and in the log.
 * Numbers keep the hot path free of Date objects; the domain reads no clock, time is an argument.
 */
export const Timestamp = Schema.transformOrFail(
  Schema.String.annotations({ description: "ISO-8601 UTC instant" }),
  Schema.Number,
  {
    strict: true,
    decode: (s, _, ast) => {
      const ms = Date.parse(s)
      return Number.isFinite(ms) && /^\d{4}-\d{2}-\d{2}T/.test(s)
        ? ParseResult.succeed(ms)
        : ParseResult.fail(new ParseResult.Type(ast, s, "an instant is an ISO-8601 UTC string such as 2026-11-22T08:00:00.000Z"))
    },
    encode: (ms) => ParseResult.succeed(new Date(ms).toISOString())
  }
).annotations({ identifier: "Timestamp" })

export const toIso = (ms: number): string => new Date(ms).toISOString()
