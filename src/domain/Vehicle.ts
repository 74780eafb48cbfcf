import { Schema } from "effect"

/**
 * A registration as given by a driver: trimmed and upper-cased, 1 to 20 letters, digits, spaces or `-`.
 * Decoding normalises; the encoded side is the normalised form.
 */
export const Registration = Schema.transform(
  Schema.String,
  Schema.String.pipe(
    Schema.minLength(1, { message: () => "a registration must not be empty" }),
    Schema.maxLength(20, { message: () => "a registration has at most 20 characters" }),
    Schema.pattern(/^[A-Z0-9 -]+$/, { message: () => "a registration has only letters, digits, spaces and '-'" }),
    Schema.brand("Registration")
  ),
  { strict: false, decode: (s) => s.trim().toUpperCase(), encode: (s) => s }
).annotations({ identifier: "Registration", description: "Vehicle registration, e.g. KA-01-HH-1234" })
export type Registration = typeof Registration.Type

/**
 * A colour as first given (trimmed, 1 to 30 letters or spaces). It is matched case-insensitively:
 * `colorKey` is the matching form, the value itself the display form.
 */
export const Color = Schema.transform(
  Schema.String,
  Schema.String.pipe(
    Schema.minLength(1, { message: () => "a colour must not be empty" }),
    Schema.maxLength(30, { message: () => "a colour has at most 30 characters" }),
    Schema.pattern(/^[A-Za-z ]+$/, { message: () => "a colour has only letters and spaces" }),
    Schema.brand("Color")
  ),
  { strict: false, decode: (s) => s.trim(), encode: (s) => s }
).annotations({ identifier: "Color", description: "Vehicle colour, e.g. White" })
export type Color = typeof Color.Type

/** The case-insensitive key a colour is matched by; inner runs of spaces count as one. */
export const colorKey = (color: string): string => color.trim().replace(/ +/g, " ").toLowerCase()
