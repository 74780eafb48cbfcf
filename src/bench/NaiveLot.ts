import { colorKey } from "../domain/Vehicle.ts"

/**
 * The seed design, ported as it is, so the benchmark has an honest baseline: the lot keeps a sorted
 * list of free slots and a list of parked cars, and every question is a walk over one of them.
 * (The seed is a GenServer over Elixir lists; here the lists are arrays, which only helps it.)
 *
 * - park: walk the parked cars to refuse a registration already in, then take the head of the free list;
 * - leave: walk the parked cars to find the slot's car, drop it, walk the free list to put the slot
 *   back in order;
 * - queries: walk the parked cars.
 *
 * It answers what `Lot` answers for a lot of standard slots, which `test/bench/NaiveLot.test.ts` checks.
 */

export interface NaiveCar {
  readonly slot: number
  readonly registration: string
  readonly color: string
  /** The matching form of `color`, computed once at park as the seed keeps its colours normalised. */
  readonly colorKey: string
}

/** The refusals the naive lot can answer, named as the domain's errors are. */
export type NaiveRefusal = "VehicleAlreadyParked" | "LotFull" | "SlotNotFound" | "SlotAlreadyFree" | "VehicleNotFound"

export type NaiveAnswer<A> = { readonly ok: A } | { readonly refused: NaiveRefusal }

export class NaiveLot {
  readonly #free: Array<number> = []
  readonly #parked: Array<NaiveCar> = []

  constructor(readonly capacity: number) {
    for (let slot = 1; slot <= capacity; slot++) this.#free.push(slot)
  }

  get occupiedCount(): number {
    return this.#parked.length
  }

  /** The slot the car got. */
  park(registration: string, color: string): NaiveAnswer<number> {
    for (const car of this.#parked) {
      if (car.registration === registration) return { refused: "VehicleAlreadyParked" }
    }
    const slot = this.#free.shift()
    if (slot === undefined) return { refused: "LotFull" }
    this.#parked.push({ slot, registration, color, colorKey: colorKey(color) })
    return { ok: slot }
  }

  /**
   * Benchmark setup: parks distinct cars in order, as `park` one by one would, without walking the
   * parked list for each (O(n^2) to fill). Returns their slots.
   */
  load(cars: ReadonlyArray<{ readonly registration: string; readonly color: string }>): ReadonlyArray<number> {
    const slots = this.#free.splice(0, Math.min(cars.length, this.#free.length))
    slots.forEach((slot, i) => {
      const { registration, color } = cars[i]
      this.#parked.push({ slot, registration, color, colorKey: colorKey(color) })
    })
    return slots
  }

  /** The car that left the slot. */
  leave(slot: number): NaiveAnswer<NaiveCar> {
    if (!Number.isInteger(slot) || slot < 1 || slot > this.capacity) return { refused: "SlotNotFound" }
    const at = this.#parked.findIndex((car) => car.slot === slot)
    if (at === -1) return { refused: "SlotAlreadyFree" }
    const [car] = this.#parked.splice(at, 1)
    let place = 0
    while (place < this.#free.length && this.#free[place] < slot) place++
    this.#free.splice(place, 0, slot)
    return { ok: car }
  }

  /** The slot of a parked car. */
  locate(registration: string): NaiveAnswer<NaiveCar> {
    const car = this.#parked.find((c) => c.registration === registration)
    return car === undefined ? { refused: "VehicleNotFound" } : { ok: car }
  }

  /** Parked cars, ordered by slot as the lot's `vehicles` orders them, optionally of one colour. */
  vehicles(color?: string): ReadonlyArray<NaiveCar> {
    const key = color === undefined ? undefined : colorKey(color)
    const found = key === undefined ? [...this.#parked] : this.#parked.filter((car) => car.colorKey === key)
    return found.sort((a, b) => a.slot - b.slot)
  }

  /** The lowest free slot, or 0 when the lot is full. */
  get lowestFree(): number {
    return this.#free[0] ?? 0
  }
}
