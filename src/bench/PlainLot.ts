import { FreeSlots } from "../domain/FreeSlots.ts"

/**
 * The reference point of the target: "a plain JavaScript lot with Maps" (PERFORMANCE.md: a
 * lowest-free allocator, a ticket object, a registration Map and a colour Map of Sets, no events, no
 * rules beyond the duplicate check). The machine is shared and noisy, so the bench runs it side by
 * side with the real lot and reports the ratio as well as the absolute figures.
 */
interface PlainTicket {
  readonly id: string
  readonly slot: number
  readonly registration: string
  readonly color: string
  readonly enteredAt: number
}

export class PlainLot {
  readonly #free: FreeSlots
  readonly #bySlot: Array<PlainTicket | undefined>
  readonly #byRegistration = new Map<string, PlainTicket>()
  readonly #byColor = new Map<string, Set<number>>()
  #seq = 0

  constructor(readonly capacity: number) {
    this.#free = new FreeSlots(capacity)
    for (let slot = 1; slot <= capacity; slot++) this.#free.add(slot)
    this.#bySlot = new Array<PlainTicket | undefined>(capacity + 1)
  }

  /** The slot taken, or 0 when the car is already in or the lot is full. */
  park(registration: string, color: string, now: number): number {
    if (this.#byRegistration.has(registration)) return 0
    const slot = this.#free.lowest()
    if (slot === 0) return 0
    this.#free.delete(slot)
    const ticket: PlainTicket = { id: `L1-${++this.#seq}`, slot, registration, color, enteredAt: now }
    this.#bySlot[slot] = ticket
    this.#byRegistration.set(registration, ticket)
    let slots = this.#byColor.get(color)
    if (slots === undefined) this.#byColor.set(color, (slots = new Set()))
    slots.add(slot)
    return slot
  }

  leave(slot: number): PlainTicket | undefined {
    const ticket = this.#bySlot[slot]
    if (ticket === undefined) return undefined
    this.#bySlot[slot] = undefined
    this.#byRegistration.delete(ticket.registration)
    this.#byColor.get(ticket.color)?.delete(slot)
    this.#free.add(slot)
    return ticket
  }
}
