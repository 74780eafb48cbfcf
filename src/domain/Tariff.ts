import { Schema } from "effect"
import { uncheckedInstance } from "./UncheckedInstance.ts"

const currencyPattern = /^[A-Z]{3}$/
export const Currency = Schema.String.pipe(
  Schema.pattern(currencyPattern, { message: () => "a currency is a three-letter ISO 4217 code such as EUR" })
).annotations({ identifier: "Currency" })
/** What `Schema.is(Currency)` says, without the Schema's steps (the log's fast decoders' check). */
export const isCurrency = (value: unknown): value is string => typeof value === "string" && currencyPattern.test(value)

const MinorUnits = Schema.Int.pipe(
  Schema.greaterThanOrEqualTo(0, { message: () => "an amount is a whole number of minor units, 0 or more" }),
  Schema.lessThanOrEqualTo(1_000_000_000, { message: () => "an amount is at most 1000000000 minor units" })
)

/** A fee sums many hours of a tariff's prices, so it may exceed the bound of a single price. */
const FeeUnits = Schema.Int.pipe(
  Schema.greaterThanOrEqualTo(0, { message: () => "an amount is a whole number of minor units, 0 or more" }),
  Schema.lessThanOrEqualTo(Number.MAX_SAFE_INTEGER, { message: () => "an amount is at most 9007199254740991 minor units" })
)

export class Money extends Schema.Class<Money>("Money")({
  amount: FeeUnits,
  currency: Currency
}) {
  /** Without validation, for amounts the tariff computed: every leave prices its stay. */
  static of(amount: number, currency: string): Money {
    const money = uncheckedInstance(Money)
    money.amount = amount
    money.currency = currency
    return money
  }
}

/**
 * A lot's price list: the first `freeMinutes` of a stay cost nothing; past them every started hour
 * costs `perHour`, and no 24-hour day of the stay costs more than `dailyCap`.
 */
export class Tariff extends Schema.Class<Tariff>("Tariff")({
  currency: Currency,
  freeMinutes: Schema.Int.pipe(Schema.between(0, 1440, { message: () => "freeMinutes is between 0 and 1440" })),
  perHour: MinorUnits,
  dailyCap: Schema.optional(MinorUnits)
}) {}

const minuteMs = 60_000
const dayMinutes = 1440

/**
 * The fee of a stay from `enteredAt` to `exitedAt` (epoch ms). Whole days cost the day price
 * (24 hours, capped); the rest of the stay costs its started hours, capped. A stay within the free
 * minutes costs nothing. No tariff: nothing is charged.
 */
export const feeFor = (tariff: Tariff | undefined, enteredAt: number, exitedAt: number, fallbackCurrency = "EUR"): Money => {
  if (tariff === undefined) return Money.of(0, fallbackCurrency)
  const minutes = Math.max(0, Math.ceil((exitedAt - enteredAt) / minuteMs))
  if (minutes <= tariff.freeMinutes) return Money.of(0, tariff.currency)
  const cap = tariff.dailyCap ?? Number.POSITIVE_INFINITY
  const dayPrice = Math.min(cap, 24 * tariff.perHour)
  const days = Math.floor(minutes / dayMinutes)
  const rest = minutes - days * dayMinutes
  const amount = days * dayPrice + Math.min(cap, Math.ceil(rest / 60) * tariff.perHour)
  return Money.of(amount, tariff.currency)
}
