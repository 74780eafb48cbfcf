import { Schema } from "effect"

/**
 * Free text for property tests of hand-written JSON (registrations and colours as stored or sent):
 * quotes, backslashes and control characters must survive.
 */
export const awkwardText = Schema.String.annotations({ arbitrary: () => (fc) => fc.string({ unit: "binary", maxLength: 12 }) })
