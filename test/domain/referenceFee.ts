/**
 * The tariff rule written the slow, obvious way, as a reference for `feeFor`: a stay within the free
 * minutes costs nothing; otherwise every started hour from entry costs `perHour`, and the hours of
 * each 24-hour day of the stay (counted from entry) cost at most `dailyCap` together.
 */
export interface ReferenceTariff {
  readonly currency: string
  readonly freeMinutes: number
  readonly perHour: number
  readonly dailyCap?: number | undefined
}

export const referenceFee = (
  tariff: ReferenceTariff | undefined,
  enteredAt: number,
  exitedAt: number
): { readonly amount: number; readonly currency: string } => {
  if (tariff === undefined) return { amount: 0, currency: "EUR" }
  const startedMinutes = exitedAt <= enteredAt ? 0 : Math.ceil((exitedAt - enteredAt) / 60_000)
  if (startedMinutes <= tariff.freeMinutes) return { amount: 0, currency: tariff.currency }
  const startedHours = Math.ceil(startedMinutes / 60)
  let amount = 0
  let today = 0
  for (let hour = 0; hour < startedHours; hour++) {
    if (hour % 24 === 0) {
      amount += today
      today = 0
    }
    today += tariff.perHour
    if (tariff.dailyCap !== undefined && today > tariff.dailyCap) today = tariff.dailyCap
  }
  return { amount: amount + today, currency: tariff.currency }
}
