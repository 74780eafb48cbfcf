import { describe, expect, it } from "@effect/vitest"
import { Arbitrary, FastCheck as fc, Schema } from "effect"
import { feeFor, Money, Tariff } from "../../src/domain/Tariff.ts"
import { referenceFee } from "./referenceFee.ts"

const minute = 60_000
const hour = 60 * minute
const day = 24 * hour
const entered = Date.UTC(2026, 10, 22, 8, 0, 0)

const fee = (tariff: Tariff | undefined, stay: number) => feeFor(tariff, entered, entered + stay)

/*
 * Worked examples. The free minutes are a grace period: a stay within them costs nothing, a longer
 * one pays every started hour from entry. Days are 24-hour windows from entry, each capped.
 */
const city = Tariff.make({ currency: "EUR", freeMinutes: 15, perHour: 250, dailyCap: 1_500 })
const uncapped = Tariff.make({ currency: "USD", freeMinutes: 0, perHour: 100 })
const dayFree = Tariff.make({ currency: "GBP", freeMinutes: 1_440, perHour: 100, dailyCap: 2_000 })

const examples: ReadonlyArray<readonly [string, Tariff, number, number]> = [
  ["no time at all", city, 0, 0],
  ["exactly the 15 free minutes", city, 15 * minute, 0],
  ["one millisecond past the free minutes: the 16th minute starts hour 1", city, 15 * minute + 1, 250],
  ["one full hour", city, hour, 250],
  ["61 minutes: hour 2 has started", city, 61 * minute, 500],
  ["5 hours", city, 5 * hour, 1_250],
  ["6 hours reach the daily cap exactly", city, 6 * hour, 1_500],
  ["10 hours stay at the cap", city, 10 * hour, 1_500],
  ["a full day costs the cap", city, day, 1_500],
  ["one minute into day 2 starts its first hour", city, day + minute, 1_750],
  ["two full days", city, 2 * day, 3_000],
  ["3 days and 7 hours: the 4th day is capped too", city, 3 * day + 7 * hour, 6_000],
  ["uncapped, one millisecond is a started minute and a started hour", uncapped, 1, 100],
  ["uncapped, 25 hours", uncapped, 25 * hour, 2_500],
  ["uncapped, 59 seconds", uncapped, 59_000, 100],
  ["a whole free day costs nothing", dayFree, day, 0],
  ["past a free day, the stay pays from entry: a capped day and a started hour", dayFree, day + minute, 2_100]
]

describe("feeFor, worked examples", () => {
  it.each(examples)("%s", (_, tariff, stay, amount) => {
    expect(fee(tariff, stay)).toEqual(Money.make({ amount, currency: tariff.currency }))
    expect(referenceFee(tariff, entered, entered + stay).amount).toBe(amount)
  })

  it("charges nothing without a tariff, in the fallback currency", () => {
    expect(fee(undefined, 30 * day)).toEqual(Money.make({ amount: 0, currency: "EUR" }))
    expect(feeFor(undefined, entered, entered + day, "JPY")).toEqual(Money.make({ amount: 0, currency: "JPY" }))
  })

  it("charges nothing for an exit recorded before the entry", () => {
    expect(fee(uncapped, -hour).amount).toBe(0)
  })
})

const tariffArb = Arbitrary.make(Tariff)
const stayArb = fc.oneof(fc.integer({ min: 0, max: 3 * hour }), fc.integer({ min: 0, max: 40 * day }))

describe("feeFor, properties", () => {
  it.prop(
    "equals the hour-by-hour reference",
    { tariff: tariffArb, stay: stayArb },
    ({ stay, tariff }) => {
      expect(fee(tariff, stay)).toEqual(Money.make(referenceFee(tariff, entered, entered + stay), true))
    },
    { fastCheck: { numRuns: 300 } }
  )

  it.prop(
    "never falls as the stay grows",
    { tariff: tariffArb, a: stayArb, b: stayArb },
    ({ a, b, tariff }) => {
      const [short, long] = a <= b ? [a, b] : [b, a]
      expect(fee(tariff, short).amount).toBeLessThanOrEqual(fee(tariff, long).amount)
    },
    { fastCheck: { numRuns: 300 } }
  )

  it.prop(
    "never exceeds the daily cap per started day",
    { tariff: tariffArb, cap: fc.integer({ min: 0, max: 100_000 }), stay: stayArb },
    ({ cap, stay, tariff }) => {
      const capped = Tariff.make({ ...tariff, dailyCap: cap })
      const startedDays = Math.ceil(Math.ceil(stay / minute) / 1_440)
      expect(fee(capped, stay).amount).toBeLessThanOrEqual(cap * startedDays)
    },
    { fastCheck: { numRuns: 300 } }
  )

  it.prop(
    "is 0 within the free minutes",
    { tariff: tariffArb, fraction: fc.double({ min: 0, max: 1, noNaN: true }) },
    ({ fraction, tariff }) => {
      expect(fee(tariff, Math.floor(fraction * tariff.freeMinutes * minute)).amount).toBe(0)
    },
    { fastCheck: { numRuns: 200 } }
  )

  it.prop(
    "is a whole number of minor units in the tariff's currency",
    { tariff: tariffArb, stay: stayArb },
    ({ stay, tariff }) => {
      const money = fee(tariff, stay)
      expect(money.currency).toBe(tariff.currency)
      expect(Number.isSafeInteger(money.amount) && money.amount >= 0).toBe(true)
    },
    { fastCheck: { numRuns: 200 } }
  )

  it.prop(
    "is a Money the log can store: it encodes and decodes for every valid tariff and stay",
    { tariff: tariffArb, stay: stayArb },
    ({ stay, tariff }) => {
      const money = fee(tariff, stay)
      expect(Schema.decodeUnknownSync(Money)(Schema.encodeSync(Money)(money))).toEqual(money)
    },
    { fastCheck: { numRuns: 200 } }
  )

  it("a three-month stay at an uncapped rate of 500000 minor units an hour still prices into a valid Money", () => {
    const rupiah = Tariff.make({ currency: "IDR", freeMinutes: 0, perHour: 500_000 })
    const money = fee(rupiah, 90 * day)
    expect(money.amount).toBe(90 * 24 * 500_000)
    expect(Schema.decodeUnknownSync(Money)(Schema.encodeSync(Money)(money))).toEqual(money)
  })
})
