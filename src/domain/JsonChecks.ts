/*
 * Checks of values straight from JSON.parse, for the decoders that read the usual input by the
 * domain's rules before any Schema (the HTTP lane, decision 0018; the log's rows, decision 0026).
 */

/** A JSON object, as a Struct's decoder takes it (an array has none of its keys either). */
export const isJsonObject = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** A text decoded by one of the domain's `...From` rules; anything but a string is undefined. */
export const stringFrom = <A>(value: unknown, decode: (text: string) => A | undefined): A | undefined =>
  typeof value === "string" ? decode(value) : undefined
