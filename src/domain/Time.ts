import { ParseResult, Schema } from "effect"

/**
 * An instant: epoch milliseconds inside, an ISO-8601 UTC string on the wire and in the log.
 * Numbers keep the hot path free of Date objects; the domain reads no clock, time is an argument.
 */
export const Timestamp = Schema.transformOrFail(
  Schema.String.annotations({ description: "ISO-8601 UTC instant" }),
  // Whole milliseconds of years 0000-9999: the instants `toISOString` writes in the form decode reads.
  // Any other number would make encoding throw (RangeError) instead of failing as a ParseError.
  Schema.Int.pipe(Schema.between(-62_167_219_200_000, 253_402_300_799_999, { message: () => "an instant lies in the years 0000 to 9999" })),
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
