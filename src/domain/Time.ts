import { ParseResult, Schema } from "effect"

// Whole milliseconds of years 0000-9999: the instants `toISOString` writes in the form decode reads.
// Any other number would make encoding throw (RangeError) instead of failing as a ParseError.
const firstInstant = -62_167_219_200_000
const lastInstant = 253_402_300_799_999
const isoDateStart = /^\d{4}-\d{2}-\d{2}T/
/** The epoch milliseconds of an ISO-8601 text, NaN where it is none. */
const parseInstant = (s: string): number => (isoDateStart.test(s) ? Date.parse(s) : Number.NaN)

/**
 * An instant: epoch milliseconds inside, an ISO-8601 UTC string on the wire and in the log.
 * Numbers keep the hot path free of Date objects; the domain reads no clock, time is an argument.
 */
export const Timestamp = Schema.transformOrFail(
  Schema.String.annotations({ description: "ISO-8601 UTC instant" }),
  Schema.Int.pipe(Schema.between(firstInstant, lastInstant, { message: () => "an instant lies in the years 0000 to 9999" })),
  {
    strict: true,
    decode: (s, _, ast) => {
      const ms = parseInstant(s)
      return Number.isFinite(ms)
        ? ParseResult.succeed(ms)
        : ParseResult.fail(new ParseResult.Type(ast, s, "an instant is an ISO-8601 UTC string such as 2026-11-22T08:00:00.000Z"))
    },
    encode: (ms) => ParseResult.succeed(new Date(ms).toISOString())
  }
).annotations({ identifier: "Timestamp" })

/** What decoding `Timestamp` gives for this text, or undefined where it fails (the log's fast decoders' check). */
export const instantFrom = (text: string): number | undefined => {
  const ms = parseInstant(text)
  // Date.parse gives whole milliseconds or NaN, so the range is all of Schema.Int's check left.
  return ms >= firstInstant && ms <= lastInstant ? ms : undefined
}

/*
 * Every park and leave writes one or two instants, mostly within the same few seconds: the text up
 * to the second is remembered (two entries: a leave's entry and exit), so an instant costs a string
 * concatenation instead of a Date and its formatting (~2.5 us a command in a profile of the runtime).
 */
const secondPrefixes: Array<{ second: number; prefix: string }> = [
  { second: Number.NaN, prefix: "" },
  { second: Number.NaN, prefix: "" }
]
const millisText = (ms: number) => (ms < 10 ? `00${ms}` : ms < 100 ? `0${ms}` : `${ms}`)

export const toIso = (ms: number): string => {
  const second = Math.floor(ms / 1000)
  const rest = ms - second * 1000
  if (!Number.isInteger(rest)) return new Date(ms).toISOString()
  for (const entry of secondPrefixes) if (entry.second === second) return `${entry.prefix}${millisText(rest)}Z`
  const iso = new Date(ms).toISOString()
  secondPrefixes[1] = secondPrefixes[0]
  secondPrefixes[0] = { second, prefix: iso.slice(0, iso.length - 4) }
  return iso
}
