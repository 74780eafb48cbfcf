import { Data, Either } from "effect"
import {
  type LotRuleError,
  LotFull,
  ReservationNotFound,
  SlotNotFound,
  slotRefusals,
  TicketNotFound,
  VehicleAlreadyParked,
  VehicleAlreadyReserved,
  VehicleNotFound
} from "./Errors.ts"
import {
  type LotEvent,
  LotCreated,
  ReservationCancelled,
  ReservationExpired,
  SlotGroup,
  SlotReserved,
  SlotReturnedToService,
  SlotWentOutOfService,
  VehicleLeft,
  VehicleParked
} from "./Events.ts"
import { FreeSlots } from "./FreeSlots.ts"
import { RegistrationIndex } from "./RegistrationIndex.ts"
import { SlotIndex } from "./SlotIndex.ts"
import { type LotId, ReservationId, reservationIdOf, type TicketId, ticketIdOf, ticketSeqIn } from "./Ids.ts"
import { type SlotAction, type SlotState, slotStateCode, slotStateOfCode, transition } from "./SlotState.ts"
import { type SlotType, slotTypeCode, slotTypeOfCode, slotTypes } from "./SlotType.ts"
import { feeFor, type Tariff } from "./Tariff.ts"
import { LotSummary, ParkedVehicle, Reservation, SlotCounts, SlotInfo, Ticket, VehicleLocation } from "./Views.ts"
import { colorKey } from "./Vehicle.ts"

/** What a lot can be asked to do. Registrations and colours arrive already validated. */
export type LeaveTarget = Data.TaggedEnum<{
  BySlot: { readonly slot: number }
  ByTicket: { readonly ticketId: string }
  ByRegistration: { readonly registration: string }
}>
const leaveTargets = Data.taggedEnum<LeaveTarget>()
/**
 * The constructors of `Data.taggedEnum` read once: the enum is a Proxy that makes a new constructor
 * on every property read, and a lot's callers build a command or two per request.
 */
export const LeaveTarget = {
  BySlot: leaveTargets.BySlot,
  ByTicket: leaveTargets.ByTicket,
  ByRegistration: leaveTargets.ByRegistration,
  $is: leaveTargets.$is,
  $match: leaveTargets.$match
}

export type LotCommand = Data.TaggedEnum<{
  Park: { readonly registration: string; readonly color: string; readonly slotType?: SlotType | undefined }
  Leave: { readonly target: LeaveTarget }
  Reserve: { readonly registration: string; readonly slotType?: SlotType | undefined; readonly expiresAt: number }
  CancelReservation: { readonly reservationId: string }
  ExpireReservations: {}
  SetOutOfService: { readonly slot: number }
  SetInService: { readonly slot: number }
}>
const lotCommands = Data.taggedEnum<LotCommand>()
/** Read once, as `LeaveTarget` is. */
export const LotCommand = {
  Park: lotCommands.Park,
  Leave: lotCommands.Leave,
  Reserve: lotCommands.Reserve,
  CancelReservation: lotCommands.CancelReservation,
  ExpireReservations: lotCommands.ExpireReservations,
  SetOutOfService: lotCommands.SetOutOfService,
  SetInService: lotCommands.SetInService,
  $is: lotCommands.$is,
  $match: lotCommands.$match
}

export type Decision = Either.Either<ReadonlyArray<LotEvent>, LotRuleError>

/**
 * A colour as the lot knows it: the display form first given, and its slots as a list linked through
 * the lot's `#colorNext`/`#colorPrev` arrays (no hashing per park or leave, no set per colour).
 */
interface ColorEntry {
  readonly display: string
  readonly key: string
  /** The first slot of the list, 0 when it is empty. */
  head: number
  size: number
}

/** `colorKey` runs two regular expressions; a lot sees few distinct colours, so remember them. */
const colorKeys = new Map<string, string>()
const colorKeyOf = (color: string): string => {
  let key = colorKeys.get(color)
  if (key === undefined) {
    if (colorKeys.size >= 4_096) colorKeys.clear()
    key = colorKey(color)
    colorKeys.set(color, key)
  }
  return key
}

interface Hold {
  readonly id: ReservationId
  readonly slot: number
  readonly registration: string
  readonly createdAt: number
  readonly expiresAt: number
}

/** A hold's place in the order holds were made: the sequence number in its id (`<lot>-R<seq>`). */
const holdSeq = (hold: Hold): number => Number(hold.id.slice(hold.id.lastIndexOf("-R") + 2))

/** A vehicle as it stood in its slot before it left: where it was in its colour's list, too. */
interface VacatedVehicle {
  readonly registration: string
  readonly seq: number
  readonly enteredAt: number
  readonly color: ColorEntry
  readonly prev: number
  readonly next: number
  readonly claimed: ReservationId | undefined
}

/** One event `Lot.apply` applied and what it replaced: only `Lot.undo` reads it. */
export interface Applied {
  readonly event: LotEvent
  readonly slot: number
  readonly from: number
  readonly hold: Hold | undefined
  readonly vehicle: VacatedVehicle | undefined
}

/**
 * The open tickets of a snapshot, column by column (one array per field, all the same length).
 * Array-like, so a binary snapshot's typed arrays pass straight in.
 */
export interface VehicleColumns {
  readonly slot: ArrayLike<number>
  readonly seq: ArrayLike<number>
  readonly registration: ArrayLike<string>
  /** Index into the snapshot's `colors`. */
  readonly color: ArrayLike<number>
  readonly enteredAt: ArrayLike<number>
  /** The reservation the vehicle parked on, or "". */
  readonly reservation: ArrayLike<string>
}

/**
 * The compact, JSON-ready form of a lot's state that snapshots store. Vehicles are columns rather
 * than one small array each: a million tickets parse as six arrays per lot instead of a million
 * arrays; parsing the snapshots is the largest part of a cold start (docs/performance.md).
 */
export interface LotSnapshot {
  readonly v: 2
  readonly created: {
    readonly lotId: string
    readonly name: string
    readonly layout: ReadonlyArray<{ readonly type: SlotType; readonly count: number }>
    readonly tariff?: { readonly currency: string; readonly freeMinutes: number; readonly perHour: number; readonly dailyCap?: number | undefined } | undefined
    readonly at: number
  }
  readonly version: number
  readonly colors: ReadonlyArray<string>
  /** Ordered by ticket, as the vehicles arrived. */
  readonly vehicles: VehicleColumns
  /** reservation id, slot, registration, createdAt, expiresAt */
  readonly holds: ReadonlyArray<readonly [string, number, string, number, number]>
  readonly outOfService: ReadonlyArray<number>
}

const refuse = (refusal: keyof typeof slotRefusals, slot: number) => Either.left(slotRefusals[refusal].of(slot))

/**
 * One parking lot: its slots, vehicles, reservations and tariff.
 *
 * `decide` answers a command with the events it causes or the rule it breaks, reading the state
 * only. `evolve` applies one event; it is the only code that changes a lot. The state is mutable
 * inside for speed (a million slots), and nothing outside this class can reach it.
 */
export class Lot {
  readonly id: LotId
  readonly name: string
  readonly capacity: number
  readonly tariff: Tariff | undefined
  readonly createdAt: number
  readonly layout: ReadonlyArray<SlotGroup>
  readonly #created: LotCreated
  #version = 1
  readonly #types: Uint8Array
  readonly #states: Uint8Array
  readonly #free: Array<FreeSlots | undefined>
  readonly #typeCounts: Array<{ capacity: number; occupied: number; reserved: number; outOfService: number }>
  // The open tickets, one array per field indexed by slot: a million small objects cost more memory
  // and more collector time than these arrays. A slot holds a vehicle iff its registration is set.
  readonly #registrationAt: Array<string | undefined>
  readonly #seqAt: Float64Array
  readonly #enteredAt: Float64Array
  readonly #colorAt: Array<ColorEntry | undefined>
  readonly #colorNext: Int32Array
  readonly #colorPrev: Int32Array
  /** The reservation a vehicle parked on, by slot (few vehicles have one). */
  readonly #claimedReservation = new Map<number, ReservationId>()
  /** Registration to slot. */
  readonly #byRegistration: RegistrationIndex
  /** Ticket sequence number to slot. */
  readonly #bySeq: SlotIndex
  readonly #colors = new Map<string, ColorEntry>()
  readonly #holds = new Map<string, Hold>()
  readonly #holdBySlot = new Map<number, Hold>()
  readonly #holdByRegistration = new Map<string, Hold>()

  private constructor(created: LotCreated) {
    this.#created = created
    this.id = created.lotId
    this.name = created.name
    this.tariff = created.tariff
    this.createdAt = created.at
    this.layout = created.layout
    const capacity = created.layout.reduce((n, g) => n + g.count, 0)
    this.capacity = capacity
    this.#types = new Uint8Array(capacity + 1)
    this.#states = new Uint8Array(capacity + 1)
    this.#registrationAt = new Array<string | undefined>(capacity + 1)
    this.#seqAt = new Float64Array(capacity + 1)
    this.#enteredAt = new Float64Array(capacity + 1)
    this.#colorAt = new Array<ColorEntry | undefined>(capacity + 1)
    this.#colorNext = new Int32Array(capacity + 1)
    this.#colorPrev = new Int32Array(capacity + 1)
    this.#bySeq = new SlotIndex(capacity)
    this.#byRegistration = new RegistrationIndex(capacity)
    this.#free = slotTypes.map(() => undefined)
    this.#typeCounts = slotTypes.map(() => ({ capacity: 0, occupied: 0, reserved: 0, outOfService: 0 }))
    let slot = 1
    for (const group of created.layout) {
      const code = slotTypeCode[group.type]
      const free = (this.#free[code] ??= new FreeSlots(capacity))
      this.#typeCounts[code].capacity += group.count
      for (let i = 0; i < group.count; i++, slot++) {
        this.#types[slot] = code
        free.add(slot)
      }
    }
  }

  /** A new lot from its first event. */
  static create(created: LotCreated): Lot {
    return new Lot(created)
  }

  /** The lot the events describe; the first must be `LotCreated`. */
  static replay(events: Iterable<LotEvent>): Lot {
    let lot: Lot | undefined
    for (const event of events) {
      if (lot === undefined) {
        if (event._tag !== "LotCreated") throw new Error(`a lot's log starts with LotCreated, not ${event._tag}`)
        lot = new Lot(event)
      } else {
        lot.evolve(event)
      }
    }
    if (lot === undefined) throw new Error("an empty log describes no lot")
    return lot
  }

  /** The sequence number of the last event applied (`LotCreated` is 1). */
  get version(): number {
    return this.#version
  }

  // ---------------------------------------------------------------------------------------------
  // decide: pure, reads the state only

  decide(command: LotCommand, now: number): Decision {
    switch (command._tag) {
      case "Park":
        return this.#decidePark(command.registration, command.color, command.slotType, now)
      case "Leave":
        return this.#decideLeave(command.target, now)
      case "Reserve":
        return this.#decideReserve(command.registration, command.slotType, command.expiresAt, now)
      case "CancelReservation": {
        const hold = this.#holds.get(command.reservationId)
        if (hold === undefined) return Either.left(ReservationNotFound.of(command.reservationId))
        return Either.right([ReservationCancelled.make({ reservationId: hold.id, slot: hold.slot, at: now }, true)])
      }
      case "ExpireReservations": {
        const events: Array<LotEvent> = []
        for (const hold of this.#holds.values()) {
          if (hold.expiresAt <= now) {
            events.push(ReservationExpired.make({ reservationId: hold.id, slot: hold.slot, at: now }, true))
          }
        }
        return Either.right(events)
      }
      case "SetOutOfService":
        return this.#decideSlotChange(command.slot, "outOfService", () =>
          SlotWentOutOfService.make({ slot: command.slot, at: now }, true)
        )
      case "SetInService":
        return this.#decideSlotChange(command.slot, "inService", () =>
          SlotReturnedToService.make({ slot: command.slot, at: now }, true)
        )
    }
  }

  #nextSeq(): number {
    return this.#version + 1
  }

  #checkSlot(slot: number): SlotNotFound | undefined {
    return Number.isInteger(slot) && slot >= 1 && slot <= this.capacity ? undefined : SlotNotFound.of(slot, this.capacity)
  }

  #stateOf(slot: number): SlotState {
    return slotStateOfCode(this.#states[slot])
  }

  #decideSlotChange(slot: number, action: SlotAction, event: () => LotEvent): Decision {
    const missing = this.#checkSlot(slot)
    if (missing !== undefined) return Either.left(missing)
    const step = transition(this.#stateOf(slot), action)
    return "refused" in step ? refuse(step.refused, slot) : Either.right([event()])
  }

  #decidePark(registration: string, givenColor: string, slotType: SlotType | undefined, now: number): Decision {
    // The log carries the colour's display form, so tickets read back from it match the live view.
    const color = this.#colors.get(colorKeyOf(givenColor))?.display ?? givenColor
    const parked = this.#byRegistration.get(registration)
    if (parked !== undefined) return Either.left(VehicleAlreadyParked.of(registration, parked))
    const ticketId = ticketIdOf(this.id, this.#nextSeq())
    const hold = this.#holdByRegistration.get(registration)
    if (hold !== undefined) {
      const step = transition(this.#stateOf(hold.slot), "claim")
      if ("refused" in step) return refuse(step.refused, hold.slot)
      return Either.right([
        VehicleParked.of({
          ticketId,
          slot: hold.slot,
          slotType: slotTypeOfCode(this.#types[hold.slot]),
          registration,
          color,
          reservationId: hold.id,
          at: now
        })
      ])
    }
    const type = slotType ?? "standard"
    const slot = this.#free[slotTypeCode[type]]?.lowest() ?? 0
    if (slot === 0) return Either.left(LotFull.of(type))
    return Either.right([VehicleParked.of({ ticketId, slot, slotType: type, registration, color, at: now })])
  }

  #decideLeave(target: LeaveTarget, now: number): Decision {
    let occupied: number | undefined
    switch (target._tag) {
      case "BySlot": {
        const missing = this.#checkSlot(target.slot)
        if (missing !== undefined) return Either.left(missing)
        const step = transition(this.#stateOf(target.slot), "leave")
        if ("refused" in step) return refuse(step.refused, target.slot)
        occupied = this.#registrationAt[target.slot] === undefined ? undefined : target.slot
        break
      }
      case "ByTicket": {
        const seq = ticketSeqIn(this.id, target.ticketId)
        occupied = seq === undefined ? undefined : this.#bySeq.get(seq)
        if (occupied === undefined) return Either.left(TicketNotFound.of(target.ticketId))
        break
      }
      case "ByRegistration": {
        occupied = this.#byRegistration.get(target.registration)
        if (occupied === undefined) return Either.left(VehicleNotFound.of(target.registration))
        break
      }
    }
    if (occupied === undefined) return refuse("SlotAlreadyFree", target._tag === "BySlot" ? target.slot : 0)
    const enteredAt = this.#enteredAt[occupied]
    return Either.right([
      VehicleLeft.of({
        ticketId: ticketIdOf(this.id, this.#seqAt[occupied]),
        slot: occupied,
        registration: this.#registrationAt[occupied]!,
        enteredAt,
        fee: feeFor(this.tariff, enteredAt, now),
        at: now
      })
    ])
  }

  #decideReserve(registration: string, slotType: SlotType | undefined, expiresAt: number, now: number): Decision {
    const parked = this.#byRegistration.get(registration)
    if (parked !== undefined) return Either.left(VehicleAlreadyParked.of(registration, parked))
    const held = this.#holdByRegistration.get(registration)
    if (held !== undefined) return Either.left(VehicleAlreadyReserved.of(registration, held.id))
    const type = slotType ?? "standard"
    const slot = this.#free[slotTypeCode[type]]?.lowest() ?? 0
    if (slot === 0) return Either.left(LotFull.of(type))
    return Either.right([
      SlotReserved.of({ reservationId: reservationIdOf(this.id, this.#nextSeq()), slot, slotType: type, registration, expiresAt, at: now })
    ])
  }

  // ---------------------------------------------------------------------------------------------
  // evolve: the only code that changes a lot

  /**
   * Applies one event that `decide` produced (or the log holds) and advances the version.
   * An event that does not fit the state is a defect of the log, not a rule a caller broke.
   */
  evolve(event: LotEvent): void {
    switch (event._tag) {
      case "LotCreated":
        throw new Error(`lot ${this.id} is already created`)
      case "VehicleParked": {
        if (event.reservationId !== undefined) {
          const hold = this.#holds.get(event.reservationId)
          if (hold === undefined) throw new Error(`lot ${this.id}: no reservation ${event.reservationId} to claim`)
          this.#dropHold(hold)
          this.#move(event.slot, "claim")
        } else {
          this.#move(event.slot, "park")
        }
        this.#occupy(event.slot, this.#version + 1, event.registration, this.#colorEntry(event.color), event.at, event.reservationId)
        break
      }
      case "VehicleLeft": {
        if (this.#registrationAt[event.slot] === undefined) throw new Error(`lot ${this.id}: slot ${event.slot} has no vehicle to leave`)
        this.#move(event.slot, "leave")
        this.#vacate(event.slot)
        break
      }
      case "SlotReserved": {
        this.#move(event.slot, "reserve")
        const hold: Hold = {
          id: event.reservationId,
          slot: event.slot,
          registration: event.registration,
          createdAt: event.at,
          expiresAt: event.expiresAt
        }
        this.#addHold(hold)
        break
      }
      case "ReservationCancelled":
      case "ReservationExpired": {
        const hold = this.#holds.get(event.reservationId)
        if (hold === undefined) throw new Error(`lot ${this.id}: no reservation ${event.reservationId} to end`)
        this.#dropHold(hold)
        this.#move(hold.slot, "release")
        break
      }
      case "SlotWentOutOfService":
        this.#move(event.slot, "outOfService")
        break
      case "SlotReturnedToService":
        this.#move(event.slot, "inService")
        break
    }
    this.#version++
  }

  /**
   * `evolve`, remembering what it replaced so that `undo` can put the lot back exactly. A worker
   * applies a run of commands before their events are durable (each decision must see the ones
   * before it) and undoes them, newest first, if the write fails.
   */
  apply(event: LotEvent): Applied {
    let slot = 0
    let hold: Hold | undefined
    let vehicle: VacatedVehicle | undefined
    switch (event._tag) {
      case "VehicleParked":
        slot = event.slot
        if (event.reservationId !== undefined) hold = this.#holds.get(event.reservationId)
        break
      case "VehicleLeft": {
        slot = event.slot
        const color = this.#colorAt[slot]
        const registration = this.#registrationAt[slot]
        if (color !== undefined && registration !== undefined) {
          vehicle = {
            registration,
            seq: this.#seqAt[slot],
            enteredAt: this.#enteredAt[slot],
            color,
            prev: this.#colorPrev[slot],
            next: this.#colorNext[slot],
            claimed: this.#claimedReservation.get(slot)
          }
        }
        break
      }
      case "SlotReserved":
      case "SlotWentOutOfService":
      case "SlotReturnedToService":
        slot = event.slot
        break
      case "ReservationCancelled":
      case "ReservationExpired":
        hold = this.#holds.get(event.reservationId)
        slot = hold?.slot ?? 0
        break
      case "LotCreated":
        break
    }
    const from = slot === 0 ? 0 : this.#states[slot]
    this.evolve(event)
    return { event, slot, from, hold, vehicle }
  }

  /** Reverts the newest `apply` not yet undone; only valid in exactly the reverse order of `apply`. */
  undo(applied: Applied): void {
    const { event, slot } = applied
    switch (event._tag) {
      case "VehicleParked":
        // The vehicle went in at the head of its colour's list, and everything after it is undone.
        this.#vacate(slot)
        if (applied.hold !== undefined) this.#restoreHold(applied.hold)
        break
      case "VehicleLeft": {
        const v = applied.vehicle!
        this.#registrationAt[slot] = v.registration
        this.#seqAt[slot] = v.seq
        this.#enteredAt[slot] = v.enteredAt
        this.#colorAt[slot] = v.color
        this.#colorPrev[slot] = v.prev
        this.#colorNext[slot] = v.next
        if (v.prev === 0) v.color.head = slot
        else this.#colorNext[v.prev] = slot
        if (v.next !== 0) this.#colorPrev[v.next] = slot
        if (v.color.size++ === 0) this.#colors.set(v.color.key, v.color)
        if (v.claimed !== undefined) this.#claimedReservation.set(slot, v.claimed)
        this.#byRegistration.set(v.registration, slot)
        this.#bySeq.set(v.seq, slot)
        break
      }
      case "SlotReserved":
        this.#dropHold(this.#holds.get(event.reservationId)!)
        break
      case "ReservationCancelled":
      case "ReservationExpired":
        this.#restoreHold(applied.hold!)
        break
      case "SlotWentOutOfService":
      case "SlotReturnedToService":
      case "LotCreated":
        break
    }
    if (slot !== 0) this.#restoreState(slot, applied.from)
    this.#version--
  }

  #addHold(hold: Hold): void {
    this.#holds.set(hold.id, hold)
    this.#holdBySlot.set(hold.slot, hold)
    this.#holdByRegistration.set(hold.registration, hold)
  }

  /**
   * Puts back a hold that ended: holds are kept in the order they were made, which expiry follows
   * and a replay of the log would give, so a hold that goes back in the middle reorders the rest.
   */
  #restoreHold(hold: Hold): void {
    const rest = [...this.#holds.values()]
    this.#addHold(hold)
    if (rest.length === 0 || holdSeq(rest[rest.length - 1]) < holdSeq(hold)) return
    this.#holds.clear()
    for (const h of [...rest, hold].sort((a, b) => holdSeq(a) - holdSeq(b))) this.#holds.set(h.id, h)
  }

  /** Puts a slot back in a state it had, outside the state machine (undo only), counts and free sets in step. */
  #restoreState(slot: number, code: number): void {
    const from = this.#stateOf(slot)
    const to = slotStateOfCode(code)
    const type = this.#types[slot]
    const counts = this.#typeCounts[type]
    const free = this.#free[type]!
    this.#count(counts, from, -1)
    this.#count(counts, to, +1)
    if (from === "Free") free.delete(slot)
    if (to === "Free") free.add(slot)
    this.#states[slot] = code
  }

  /** The lot's entry for a colour (matched in any case), made when the colour first parks. */
  #colorEntry(display: string): ColorEntry {
    const key = colorKeyOf(display)
    let entry = this.#colors.get(key)
    if (entry === undefined) {
      entry = { display, key, head: 0, size: 0 }
      this.#colors.set(key, entry)
    }
    return entry
  }

  /** Puts a vehicle in a slot: the per-slot arrays, the colour list and the indexes in step. */
  #occupy(slot: number, seq: number, registration: string, color: ColorEntry, enteredAt: number, reservationId: ReservationId | undefined): void {
    this.#registrationAt[slot] = registration
    this.#seqAt[slot] = seq
    this.#enteredAt[slot] = enteredAt
    this.#colorAt[slot] = color
    const head = color.head
    this.#colorNext[slot] = head
    this.#colorPrev[slot] = 0
    if (head !== 0) this.#colorPrev[head] = slot
    color.head = slot
    color.size++
    if (reservationId !== undefined) this.#claimedReservation.set(slot, reservationId)
    this.#byRegistration.set(registration, slot)
    this.#bySeq.set(seq, slot)
  }

  #vacate(slot: number): void {
    const color = this.#colorAt[slot]!
    const next = this.#colorNext[slot]
    const prev = this.#colorPrev[slot]
    if (prev === 0) color.head = next
    else this.#colorNext[prev] = next
    if (next !== 0) this.#colorPrev[next] = prev
    if (--color.size === 0) this.#colors.delete(color.key)
    this.#byRegistration.delete(this.#registrationAt[slot]!)
    this.#bySeq.delete(this.#seqAt[slot])
    if (this.#claimedReservation.size > 0) this.#claimedReservation.delete(slot)
    this.#registrationAt[slot] = undefined
    this.#colorAt[slot] = undefined
  }

  #dropHold(hold: Hold): void {
    this.#holds.delete(hold.id)
    this.#holdBySlot.delete(hold.slot)
    this.#holdByRegistration.delete(hold.registration)
  }

  /** Moves a slot through the state machine and keeps the free sets and counts in step. */
  #move(slot: number, action: SlotAction): void {
    if (this.#checkSlot(slot) !== undefined) throw new Error(`lot ${this.id}: slot ${slot} does not exist`)
    const from = this.#stateOf(slot)
    const step = transition(from, action)
    if ("refused" in step) throw new Error(`lot ${this.id}: slot ${slot} cannot ${action} from ${from} (${step.refused})`)
    const code = this.#types[slot]
    const counts = this.#typeCounts[code]
    const free = this.#free[code]!
    this.#count(counts, from, -1)
    this.#count(counts, step.to, +1)
    if (from === "Free") free.delete(slot)
    if (step.to === "Free") free.add(slot)
    this.#states[slot] = slotStateCode[step.to]
  }

  #count(counts: { occupied: number; reserved: number; outOfService: number }, state: SlotState, delta: number): void {
    if (state === "Occupied") counts.occupied += delta
    else if (state === "Reserved") counts.reserved += delta
    else if (state === "OutOfService") counts.outOfService += delta
  }

  // ---------------------------------------------------------------------------------------------
  // queries: read-only views, each O(answer) or O(log n)

  summary(): LotSummary {
    const byType: Record<string, SlotCounts> = {}
    let occupied = 0
    let reserved = 0
    let outOfService = 0
    slotTypes.forEach((type, code) => {
      const c = this.#typeCounts[code]
      if (c.capacity === 0) return
      occupied += c.occupied
      reserved += c.reserved
      outOfService += c.outOfService
      byType[type] = SlotCounts.make(
        { capacity: c.capacity, free: this.#free[code]!.freeCount, occupied: c.occupied, reserved: c.reserved, outOfService: c.outOfService },
        true
      )
    })
    return LotSummary.make(
      {
        id: this.id,
        name: this.name,
        capacity: this.capacity,
        free: this.capacity - occupied - reserved - outOfService,
        occupied,
        reserved,
        outOfService,
        byType,
        tariff: this.tariff,
        createdAt: this.createdAt,
        version: this.#version
      },
      true
    )
  }

  get occupiedCount(): number {
    return this.#byRegistration.size
  }

  get reservedCount(): number {
    return this.#holds.size
  }

  /** The open ticket of an occupied slot. */
  #ticketOf(slot: number): Ticket {
    return Ticket.of({
      id: ticketIdOf(this.id, this.#seqAt[slot]),
      lotId: this.id,
      slot,
      slotType: slotTypeOfCode(this.#types[slot]),
      registration: this.#registrationAt[slot]!,
      color: this.#colorAt[slot]!.display,
      enteredAt: this.#enteredAt[slot]
    })
  }

  slot(slot: number): Either.Either<SlotInfo, SlotNotFound> {
    const missing = this.#checkSlot(slot)
    return missing !== undefined ? Either.left(missing) : Either.right(this.#slotInfo(slot))
  }

  #slotInfo(slot: number): SlotInfo {
    const registration = this.#registrationAt[slot]
    const hold = this.#holdBySlot.get(slot)
    return SlotInfo.make(
      {
        slot,
        type: slotTypeOfCode(this.#types[slot]),
        state: this.#stateOf(slot),
        registration: registration ?? hold?.registration,
        color: this.#colorAt[slot]?.display,
        ticketId: registration === undefined ? undefined : ticketIdOf(this.id, this.#seqAt[slot]),
        reservationId: hold?.id
      },
      true
    )
  }

  /** Slots `from`..`from+limit-1` with their state and occupant. */
  slots(from = 1, limit = this.capacity): ReadonlyArray<SlotInfo> {
    const out: Array<SlotInfo> = []
    const end = Math.min(this.capacity, from + limit - 1)
    for (let s = Math.max(1, from); s <= end; s++) out.push(this.#slotInfo(s))
    return out
  }

  /** The slots of the parked vehicles (of a colour, matched in any case), ascending. */
  slotsOf(color?: string): ReadonlyArray<number> {
    return Array.from(this.#occupiedSlots(color))
  }

  /** The registrations of the parked vehicles (of a colour, matched in any case), by slot. */
  registrationsOf(color?: string): ReadonlyArray<string> {
    return Array.from(this.#occupiedSlots(color), (slot) => this.#registrationAt[slot]!)
  }

  #occupiedSlots(color: string | undefined): Int32Array {
    let slots: Int32Array
    if (color === undefined) {
      slots = new Int32Array(this.#byRegistration.size)
      let i = 0
      for (const slot of this.#byRegistration.slots()) slots[i++] = slot
    } else {
      const entry = this.#colors.get(colorKeyOf(color))
      if (entry === undefined) return new Int32Array(0)
      slots = new Int32Array(entry.size)
      let i = 0
      for (let slot = entry.head; slot !== 0; slot = this.#colorNext[slot]) slots[i++] = slot
    }
    // A typed array sorts numerically without a comparator call per pair.
    return slots.sort()
  }

  /** Parked vehicles ordered by slot, optionally only those of one colour (any case). */
  vehicles(color?: string): ReadonlyArray<ParkedVehicle> {
    return Array.from(this.#occupiedSlots(color), (slot) =>
      ParkedVehicle.of({
        slot,
        registration: this.#registrationAt[slot]!,
        color: this.#colorAt[slot]!.display,
        ticketId: ticketIdOf(this.id, this.#seqAt[slot])
      })
    )
  }

  /** Where a vehicle is parked, with its open ticket. */
  locate(registration: string): Either.Either<VehicleLocation, VehicleNotFound> {
    const slot = this.#byRegistration.get(registration)
    return slot === undefined
      ? Either.left(VehicleNotFound.of(registration))
      : Either.right(VehicleLocation.of(slot, this.#ticketOf(slot)))
  }

  /** An open ticket of this lot by id. */
  openTicket(ticketId: string): Ticket | undefined {
    const seq = ticketSeqIn(this.id, ticketId)
    if (seq === undefined) return undefined
    const slot = this.#bySeq.get(seq)
    return slot === undefined ? undefined : this.#ticketOf(slot)
  }

  /**
   * The ticket a `VehicleLeft` decided on this lot closes, with its exit and fee, read before the
   * event applies; undefined if its slot does not hold that ticket.
   */
  closedTicket(left: VehicleLeft): Ticket | undefined {
    const slot = left.slot
    if (this.#registrationAt[slot] === undefined || ticketIdOf(this.id, this.#seqAt[slot]) !== left.ticketId) return undefined
    return Ticket.of({
      id: left.ticketId,
      lotId: this.id,
      slot,
      slotType: slotTypeOfCode(this.#types[slot]),
      registration: this.#registrationAt[slot],
      color: this.#colorAt[slot]!.display,
      enteredAt: this.#enteredAt[slot],
      exitedAt: left.at,
      fee: left.fee
    })
  }

  reservation(reservationId: string): Reservation | undefined {
    const hold = this.#holds.get(reservationId)
    return hold === undefined ? undefined : this.#reservationOf(hold)
  }

  #reservationOf(hold: Hold): Reservation {
    return Reservation.make(
      {
        id: hold.id,
        lotId: this.id,
        slot: hold.slot,
        slotType: slotTypeOfCode(this.#types[hold.slot]),
        registration: hold.registration,
        createdAt: hold.createdAt,
        expiresAt: hold.expiresAt
      },
      true
    )
  }

  /** Active reservations, soonest expiry first: what the timers must wake for. */
  reservations(): ReadonlyArray<Reservation> {
    return Array.from(this.#holds.values(), (h) => this.#reservationOf(h)).sort((a, b) => a.expiresAt - b.expiresAt)
  }

  /** The ticket a `VehicleParked` event opens, as the ticket view shows it. */
  static ticketOf(lotId: LotId, event: VehicleParked, left?: VehicleLeft): Ticket {
    return Ticket.of({
      id: event.ticketId,
      lotId,
      slot: event.slot,
      slotType: event.slotType,
      registration: event.registration,
      color: event.color,
      enteredAt: event.at,
      exitedAt: left?.at,
      fee: left?.fee
    })
  }

  // ---------------------------------------------------------------------------------------------
  // snapshots

  toSnapshot(): LotSnapshot {
    const colorIndex = new Map<ColorEntry, number>()
    const colors: Array<string> = []
    for (const entry of this.#colors.values()) {
      colorIndex.set(entry, colors.length)
      colors.push(entry.display)
    }
    // Ordered by ticket, as vehicles arrived: the slots' order is not. The tickets are sorted as
    // plain numbers (a typed array's native sort) and their slots looked up: sorting a million
    // [seq, slot] pairs with a comparator took most of the ~2 s a million-vehicle snapshot cost.
    const n = this.#bySeq.size
    const tickets = new Float64Array(n)
    let k = 0
    for (let s = 1; s <= this.capacity; s++) if (this.#registrationAt[s] !== undefined) tickets[k++] = this.#seqAt[s]
    tickets.sort()
    const vehicles = {
      slot: new Array<number>(n),
      seq: new Array<number>(n),
      registration: new Array<string>(n),
      color: new Array<number>(n),
      enteredAt: new Array<number>(n),
      reservation: new Array<string>(n)
    }
    const claimed = this.#claimedReservation.size > 0
    for (let i = 0; i < n; i++) {
      const seq = tickets[i]
      const slot = this.#bySeq.get(seq)!
      vehicles.slot[i] = slot
      vehicles.seq[i] = seq
      vehicles.registration[i] = this.#registrationAt[slot]!
      vehicles.color[i] = colorIndex.get(this.#colorAt[slot]!)!
      vehicles.enteredAt[i] = this.#enteredAt[slot]
      vehicles.reservation[i] = (claimed ? this.#claimedReservation.get(slot) : undefined) ?? ""
    }
    const outOfService: Array<number> = []
    for (let s = 1; s <= this.capacity; s++) if (this.#states[s] === slotStateCode.OutOfService) outOfService.push(s)
    const c = this.#created
    return {
      v: 2,
      created: {
        lotId: c.lotId,
        name: c.name,
        layout: c.layout.map((g) => ({ type: g.type, count: g.count })),
        tariff:
          c.tariff === undefined
            ? undefined
            : { currency: c.tariff.currency, freeMinutes: c.tariff.freeMinutes, perHour: c.tariff.perHour, dailyCap: c.tariff.dailyCap },
        at: c.at
      },
      version: this.#version,
      colors,
      vehicles,
      holds: Array.from(this.#holds.values(), (h) => [h.id, h.slot, h.registration, h.createdAt, h.expiresAt] as const),
      outOfService
    }
  }

  /** Rebuilds a lot from a snapshot; `created` is the lot's decoded `LotCreated` event. */
  static fromSnapshot(created: LotCreated, snapshot: LotSnapshot): Lot {
    const lot = new Lot(created)
    const colorEntries: Array<ColorEntry> = snapshot.colors.map((display) => {
      const entry: ColorEntry = { display, key: colorKeyOf(display), head: 0, size: 0 }
      lot.#colors.set(entry.key, entry)
      return entry
    })
    for (const slot of snapshot.outOfService) lot.#move(slot, "outOfService")
    for (const [id, slot, registration, createdAt, expiresAt] of snapshot.holds) {
      lot.#move(slot, "reserve")
      const hold: Hold = { id: ReservationId.make(id, { disableValidation: true }), slot, registration, createdAt, expiresAt }
      lot.#holds.set(hold.id, hold)
      lot.#holdBySlot.set(slot, hold)
      lot.#holdByRegistration.set(registration, hold)
    }
    const v = snapshot.vehicles
    // Parked in ticket order, so each colour's list comes out as it was; snapshots are written in it.
    let order: ReadonlyArray<number> | undefined
    for (let i = 1; i < v.seq.length; i++) {
      if (v.seq[i - 1] > v.seq[i]) {
        order = Array.from({ length: v.seq.length }, (_, k) => k).sort((a, b) => v.seq[a] - v.seq[b])
        break
      }
    }
    for (let k = 0; k < v.slot.length; k++) {
      const i = order === undefined ? k : order[k]
      const slot = v.slot[i]
      lot.#move(slot, "park")
      const claimed = v.reservation[i] === "" ? undefined : ReservationId.make(v.reservation[i], { disableValidation: true })
      lot.#occupy(slot, v.seq[i], v.registration[i], colorEntries[v.color[i]], v.enteredAt[i], claimed)
    }
    lot.#version = snapshot.version
    return lot
  }

  /** A plain, canonical picture of the whole state, for comparing two lots in tests and checks. */
  toComparable(): unknown {
    const s = this.toSnapshot()
    return {
      ...s,
      colors: [...s.colors].sort(),
      vehicles: Array.from(s.vehicles.slot, (slot, i) => [slot, s.vehicles.seq[i], s.vehicles.registration[i], s.colors[s.vehicles.color[i]], s.vehicles.enteredAt[i], s.vehicles.reservation[i]])
        .sort((a, b) => Number(a[0]) - Number(b[0])),
      holds: [...s.holds].sort((a, b) => a[1] - b[1]),
      summary: this.summary()
    }
  }
}

export type { TicketId }
