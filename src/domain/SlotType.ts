import { Schema } from "effect"

export const slotTypes = ["standard", "compact", "large", "ev", "accessible", "motorcycle"] as const
export const SlotType = Schema.Literal(...slotTypes).annotations({
  identifier: "SlotType",
  // A union's own message is skipped for its members' unless it overrides them.
  message: () => ({ message: `a slot type is one of ${slotTypes.join(", ")}`, override: true })
})
export type SlotType = typeof SlotType.Type

/** Dense codes for the typed arrays of the lot. */
export const slotTypeCode: Readonly<Record<SlotType, number>> = {
  standard: 0,
  compact: 1,
  large: 2,
  ev: 3,
  accessible: 4,
  motorcycle: 5
}
export const slotTypeOfCode = (code: number): SlotType => slotTypes[code]

const slotTypeSet: ReadonlySet<string> = new Set(slotTypes)
/** What `Schema.is(SlotType)` says, without the Schema's steps (the HTTP fast lane's check). */
export const isSlotType = (value: unknown): value is SlotType => typeof value === "string" && slotTypeSet.has(value)

const maxSlotNumber = 10_000_000
/** A slot number, 1..capacity. */
export const SlotNumber = Schema.Int.pipe(
  Schema.greaterThanOrEqualTo(1, { message: () => "a slot number is a whole number from 1" }),
  Schema.lessThanOrEqualTo(maxSlotNumber, { message: () => `a slot number is at most ${maxSlotNumber}` })
).annotations({ identifier: "SlotNumber" })

/** What `Schema.is(SlotNumber)` says, without the Schema's steps (the HTTP fast lane's check). */
export const isSlotNumber = (value: unknown): value is number =>
  typeof value === "number" && Number.isSafeInteger(value) && value >= 1 && value <= maxSlotNumber
