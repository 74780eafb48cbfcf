import { Schema } from "effect"

/**
 * A text as a person types it: normalised, then 1 to `maxLength` characters matching `pattern`.
 * The rules are stated once, here, for the Schema (`schema`) and for `from`, which gives what
 * decoding gives, or undefined where it fails, without the Schema's steps: the HTTP fast lane
 * decodes the usual request with it (test/http/LaneInputs.test.ts holds the two to each other).
 */
const normalisedText = <B extends string>(options: {
  readonly brand: B
  readonly normalise: (raw: string) => string
  readonly maxLength: number
  readonly pattern: RegExp
  readonly what: string
  readonly allowed: string
}) => {
  const { maxLength, normalise, pattern, what } = options
  const Normalised = Schema.String.pipe(
    Schema.minLength(1, { message: () => `${what} must not be empty` }),
    Schema.maxLength(maxLength, { message: () => `${what} has at most ${maxLength} characters` }),
    Schema.pattern(pattern, { message: () => `${what} has only ${options.allowed}` }),
    Schema.brand(options.brand)
  )
  return {
    schema: Schema.transform(Schema.String, Normalised, { strict: false, decode: normalise, encode: (s) => s }),
    from: (raw: string): Schema.Schema.Type<typeof Normalised> | undefined => {
      const normalised = normalise(raw)
      // The brand's own checks, just made: `make` cannot be typed for a brand left generic.
      return normalised.length >= 1 && normalised.length <= maxLength && pattern.test(normalised)
        ? (normalised as Schema.Schema.Type<typeof Normalised>)
        : undefined
    }
  }
}

const registration = normalisedText({
  brand: "Registration",
  normalise: (raw) => raw.trim().toUpperCase(),
  maxLength: 20,
  pattern: /^[A-Z0-9 -]+$/,
  what: "a registration",
  allowed: "letters, digits, spaces and '-'"
})

/**
 * A registration as given by a driver: trimmed and upper-cased, 1 to 20 letters, digits, spaces or `-`.
 * Decoding normalises; the encoded side is the normalised form.
 */
export const Registration = registration.schema.annotations({ identifier: "Registration", description: "Vehicle registration, e.g. KA-01-HH-1234" })
export type Registration = typeof Registration.Type

/** What decoding `Registration` gives for this text, or undefined where it fails. */
export const registrationFrom = registration.from

const color = normalisedText({
  brand: "Color",
  normalise: (raw) => raw.trim(),
  maxLength: 30,
  pattern: /^[A-Za-z ]+$/,
  what: "a colour",
  allowed: "letters and spaces"
})

/**
 * A colour as first given (trimmed, 1 to 30 letters or spaces). It is matched case-insensitively:
 * `colorKey` is the matching form, the value itself the display form.
 */
export const Color = color.schema.annotations({ identifier: "Color", description: "Vehicle colour, e.g. White" })
export type Color = typeof Color.Type

/** What decoding `Color` gives for this text, or undefined where it fails. */
export const colorFrom = color.from

/** The case-insensitive key a colour is matched by; inner runs of spaces count as one. */
export const colorKey = (color: string): string => color.trim().replace(/ +/g, " ").toLowerCase()
