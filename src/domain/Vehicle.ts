import { Schema } from "effect"

/*
 * The rules are stated once, here, for the Schemas below and for `registrationFrom` and `colorFrom`,
 * which the HTTP fast lane uses to decode the usual request without the Schema's steps
 * (test/http/LaneInputs.test.ts holds the two to each other).
 */
const registrationMaxLength = 20
const registrationPattern = /^[A-Z0-9 -]+$/
const normaliseRegistration = (raw: string): string => raw.trim().toUpperCase()
const colorMaxLength = 30
const colorPattern = /^[A-Za-z ]+$/
const normaliseColor = (raw: string): string => raw.trim()

const NormalisedRegistration = Schema.String.pipe(
  Schema.minLength(1, { message: () => "a registration must not be empty" }),
  Schema.maxLength(registrationMaxLength, { message: () => `a registration has at most ${registrationMaxLength} characters` }),
  Schema.pattern(registrationPattern, { message: () => "a registration has only letters, digits, spaces and '-'" }),
  Schema.brand("Registration")
)
/**
 * A registration as given by a driver: trimmed and upper-cased, 1 to 20 letters, digits, spaces or `-`.
 * Decoding normalises; the encoded side is the normalised form.
 */
export const Registration = Schema.transform(Schema.String, NormalisedRegistration, {
  strict: false,
  decode: normaliseRegistration,
  encode: (s) => s
}).annotations({ identifier: "Registration", description: "Vehicle registration, e.g. KA-01-HH-1234" })
export type Registration = typeof Registration.Type

/** What decoding `Registration` gives for this text, or undefined where it fails. */
export const registrationFrom = (raw: string): Registration | undefined => {
  const normalised = normaliseRegistration(raw)
  return normalised.length >= 1 && normalised.length <= registrationMaxLength && registrationPattern.test(normalised)
    ? NormalisedRegistration.make(normalised, { disableValidation: true })
    : undefined
}

const NormalisedColor = Schema.String.pipe(
  Schema.minLength(1, { message: () => "a colour must not be empty" }),
  Schema.maxLength(colorMaxLength, { message: () => `a colour has at most ${colorMaxLength} characters` }),
  Schema.pattern(colorPattern, { message: () => "a colour has only letters and spaces" }),
  Schema.brand("Color")
)
/**
 * A colour as first given (trimmed, 1 to 30 letters or spaces). It is matched case-insensitively:
 * `colorKey` is the matching form, the value itself the display form.
 */
export const Color = Schema.transform(Schema.String, NormalisedColor, {
  strict: false,
  decode: normaliseColor,
  encode: (s) => s
}).annotations({ identifier: "Color", description: "Vehicle colour, e.g. White" })
export type Color = typeof Color.Type

/** What decoding `Color` gives for this text, or undefined where it fails. */
export const colorFrom = (raw: string): Color | undefined => {
  const normalised = normaliseColor(raw)
  return normalised.length >= 1 && normalised.length <= colorMaxLength && colorPattern.test(normalised)
    ? NormalisedColor.make(normalised, { disableValidation: true })
    : undefined
}

/** The case-insensitive key a colour is matched by; inner runs of spaces count as one. */
export const colorKey = (color: string): string => color.trim().replace(/ +/g, " ").toLowerCase()
