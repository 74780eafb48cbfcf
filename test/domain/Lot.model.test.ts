import { describe, expect, it } from "@effect/vitest"
import { Arbitrary, Either, FastCheck as fc, Schema } from "effect"
import { LotEvent } from "../../src/domain/Events.ts"
import { type Applied, LeaveTarget, Lot, LotCommand } from "../../src/domain/Lot.ts"
import { SlotType } from "../../src/domain/SlotType.ts"
import { Currency, Tariff } from "../../src/domain/Tariff.ts"
import { apply, lotCreated, opening } from "./lotFixtures.ts"
import { referenceFee } from "./referenceFee.ts"

/*
 * A reference model of a lot, written from the rules alone: an array of plain slot objects scanned
 * linearly, no indexes, no bitsets. Random command sequences run against both; after every step the
 * answers and everything a caller can observe must agree.
 */

type ModelSlotState = "Free" | "Reserved" | "Occupied" | "OutOfService"

interface ModelVehicle {
  readonly registration: string
  readonly color: string
  readonly ticketId: string
  readonly enteredAt: number
}

interface ModelHold {
  readonly id: string
  readonly seq: number
  readonly registration: string
  readonly createdAt: number
  readonly expiresAt: number
}

interface ModelSlot {
  readonly slot: number
  readonly type: SlotType
  state: ModelSlotState
  vehicle?: ModelVehicle | undefined
  hold?: ModelHold | undefined
}

type Plain = Record<string, unknown>
type Answer = { readonly events: ReadonlyArray<Plain> } | { readonly error: Plain }

const lotId = "L3"

interface ModelTariff {
  readonly currency: string
  readonly freeMinutes: number
  readonly perHour: number
  readonly dailyCap?: number | undefined
}

class Model {
  readonly slots: Array<ModelSlot> = []
  version = 1
  readonly issuedTickets: Array<string> = []
  readonly issuedReservations: Array<string> = []

  constructor(
    layout: ReadonlyArray<readonly [SlotType, number]>,
    readonly tariff: ModelTariff | undefined
  ) {
    for (const [type, count] of layout) {
      for (let i = 0; i < count; i++) this.slots.push({ slot: this.slots.length + 1, type, state: "Free" })
    }
  }

  get capacity(): number {
    return this.slots.length
  }

  #slot(n: number): ModelSlot | undefined {
    return this.slots.find((s) => s.slot === n)
  }

  #parked(registration: string): ModelSlot | undefined {
    return this.slots.find((s) => s.vehicle?.registration === registration)
  }

  #heldBy(registration: string): ModelSlot | undefined {
    return this.slots.find((s) => s.hold?.registration === registration)
  }

  #firstFree(type: SlotType): ModelSlot | undefined {
    return this.slots.find((s) => s.type === type && s.state === "Free")
  }

  #nextSeq(): number {
    this.version += 1
    return this.version
  }

  park(registration: string, color: string, slotType: SlotType | undefined, now: number): Answer {
    const parked = this.#parked(registration)
    if (parked) return { error: { _tag: "VehicleAlreadyParked", registration, slot: parked.slot } }
    const sameColor = this.slots.find((s) => s.vehicle !== undefined && s.vehicle.color.toLowerCase() === color.toLowerCase())
    const display = sameColor?.vehicle?.color ?? color
    const held = this.#heldBy(registration)
    const target = held ?? this.#firstFree(slotType ?? "standard")
    if (target === undefined) return { error: { _tag: "LotFull", slotType: slotType ?? "standard" } }
    const ticketId = `${lotId}-${this.#nextSeq()}`
    this.issuedTickets.push(ticketId)
    const event: Plain = {
      _tag: "VehicleParked",
      ticketId,
      slot: target.slot,
      slotType: target.type,
      registration,
      color: display,
      at: now
    }
    if (held?.hold !== undefined) event.reservationId = held.hold.id
    target.state = "Occupied"
    target.hold = undefined
    target.vehicle = { registration, color: display, ticketId, enteredAt: now }
    return { events: [event] }
  }

  #leave(target: ModelSlot, now: number): Answer {
    const vehicle = target.vehicle!
    this.#nextSeq()
    target.state = "Free"
    target.vehicle = undefined
    return {
      events: [
        {
          _tag: "VehicleLeft",
          ticketId: vehicle.ticketId,
          slot: target.slot,
          registration: vehicle.registration,
          enteredAt: vehicle.enteredAt,
          fee: referenceFee(this.tariff, vehicle.enteredAt, now),
          at: now
        }
      ]
    }
  }

  leaveBySlot(n: number, now: number): Answer {
    const target = this.#slot(n)
    if (target === undefined) return { error: { _tag: "SlotNotFound", slot: n, capacity: this.capacity } }
    switch (target.state) {
      case "Free":
        return { error: { _tag: "SlotAlreadyFree", slot: n } }
      case "Reserved":
        return { error: { _tag: "SlotReserved", slot: n } }
      case "OutOfService":
        return { error: { _tag: "SlotOutOfService", slot: n } }
      case "Occupied":
        return this.#leave(target, now)
    }
  }

  leaveByTicket(ticketId: string, now: number): Answer {
    const target = this.slots.find((s) => s.vehicle?.ticketId === ticketId)
    return target === undefined ? { error: { _tag: "TicketNotFound", ticketId } } : this.#leave(target, now)
  }

  leaveByRegistration(registration: string, now: number): Answer {
    const target = this.#parked(registration)
    return target === undefined ? { error: { _tag: "VehicleNotFound", registration } } : this.#leave(target, now)
  }

  reserve(registration: string, slotType: SlotType | undefined, expiresAt: number, now: number): Answer {
    const parked = this.#parked(registration)
    if (parked) return { error: { _tag: "VehicleAlreadyParked", registration, slot: parked.slot } }
    const held = this.#heldBy(registration)
    if (held) return { error: { _tag: "VehicleAlreadyReserved", registration, reservationId: held.hold!.id } }
    const type = slotType ?? "standard"
    const target = this.#firstFree(type)
    if (target === undefined) return { error: { _tag: "LotFull", slotType: type } }
    const seq = this.#nextSeq()
    const id = `${lotId}-R${seq}`
    this.issuedReservations.push(id)
    target.state = "Reserved"
    target.hold = { id, seq, registration, createdAt: now, expiresAt }
    return { events: [{ _tag: "SlotReserved", reservationId: id, slot: target.slot, slotType: type, registration, expiresAt, at: now }] }
  }

  #release(target: ModelSlot, tag: "ReservationCancelled" | "ReservationExpired", now: number): Plain {
    const id = target.hold!.id
    this.#nextSeq()
    target.state = "Free"
    target.hold = undefined
    return { _tag: tag, reservationId: id, slot: target.slot, at: now }
  }

  cancel(reservationId: string, now: number): Answer {
    const target = this.slots.find((s) => s.hold?.id === reservationId)
    if (target === undefined) return { error: { _tag: "ReservationNotFound", reservationId } }
    return { events: [this.#release(target, "ReservationCancelled", now)] }
  }

  expire(now: number): Answer {
    const overdue = this.slots.filter((s) => s.hold !== undefined && s.hold.expiresAt <= now)
    overdue.sort((a, b) => a.hold!.seq - b.hold!.seq)
    return { events: overdue.map((s) => this.#release(s, "ReservationExpired", now)) }
  }

  outOfService(n: number, now: number): Answer {
    const target = this.#slot(n)
    if (target === undefined) return { error: { _tag: "SlotNotFound", slot: n, capacity: this.capacity } }
    switch (target.state) {
      case "Reserved":
        return { error: { _tag: "SlotReserved", slot: n } }
      case "Occupied":
        return { error: { _tag: "SlotOccupied", slot: n } }
      case "OutOfService":
        return { error: { _tag: "SlotOutOfService", slot: n } }
      case "Free":
        this.#nextSeq()
        target.state = "OutOfService"
        return { events: [{ _tag: "SlotWentOutOfService", slot: n, at: now }] }
    }
  }

  inService(n: number, now: number): Answer {
    const target = this.#slot(n)
    if (target === undefined) return { error: { _tag: "SlotNotFound", slot: n, capacity: this.capacity } }
    if (target.state !== "OutOfService") return { error: { _tag: "SlotInService", slot: n } }
    this.#nextSeq()
    target.state = "Free"
    return { events: [{ _tag: "SlotReturnedToService", slot: n, at: now }] }
  }

  // --- what a caller observes

  slotViews(): Array<Plain> {
    return this.slots.map((s) => ({
      slot: s.slot,
      type: s.type,
      state: s.state,
      ...(s.vehicle !== undefined ? { registration: s.vehicle.registration, color: s.vehicle.color, ticketId: s.vehicle.ticketId } : {}),
      ...(s.hold !== undefined ? { registration: s.hold.registration, reservationId: s.hold.id } : {})
    }))
  }

  counts(slots: ReadonlyArray<ModelSlot>) {
    const count = (state: ModelSlotState) => slots.filter((s) => s.state === state).length
    return {
      capacity: slots.length,
      free: count("Free"),
      occupied: count("Occupied"),
      reserved: count("Reserved"),
      outOfService: count("OutOfService")
    }
  }

  summary(): Plain {
    const byType: Record<string, unknown> = {}
    for (const s of this.slots) byType[s.type] ??= this.counts(this.slots.filter((t) => t.type === s.type))
    return { ...this.counts(this.slots), byType, version: this.version }
  }

  vehicles(color?: string): Array<Plain> {
    return this.slots
      .filter((s) => s.vehicle !== undefined && (color === undefined || s.vehicle.color.toLowerCase() === color.toLowerCase()))
      .map((s) => ({ slot: s.slot, registration: s.vehicle!.registration, color: s.vehicle!.color, ticketId: s.vehicle!.ticketId }))
  }

  ticket(s: ModelSlot): Plain {
    const v = s.vehicle!
    return { id: v.ticketId, lotId, slot: s.slot, slotType: s.type, registration: v.registration, color: v.color, enteredAt: v.enteredAt }
  }

  locate(registration: string): Plain {
    const s = this.#parked(registration)
    return s === undefined ? { error: { _tag: "VehicleNotFound", registration } } : { slot: s.slot, ticket: this.ticket(s) }
  }

  openTicket(ticketId: string): Plain | undefined {
    const s = this.slots.find((t) => t.vehicle?.ticketId === ticketId)
    return s === undefined ? undefined : this.ticket(s)
  }

  /** The earliest expiry of a reservation still held. */
  nextExpiry(): number | undefined {
    const expiries = this.slots.flatMap((s) => (s.hold === undefined ? [] : [s.hold.expiresAt]))
    return expiries.length === 0 ? undefined : Math.min(...expiries)
  }

  reservations(): Array<Plain> {
    return this.slots
      .filter((s) => s.hold !== undefined)
      .sort((a, b) => a.hold!.expiresAt - b.hold!.expiresAt || a.hold!.seq - b.hold!.seq)
      .map((s) => ({
        id: s.hold!.id,
        lotId,
        slot: s.slot,
        slotType: s.type,
        registration: s.hold!.registration,
        createdAt: s.hold!.createdAt,
        expiresAt: s.hold!.expiresAt
      }))
  }
}

// --- the commands, generated

const registrations = ["KA-01-HH-1234", "AB 12", "X", "ZZ-9", "MH 12 DE 1433", "7"] as const
const unknownRegistration = "NOT PARKED 1"
const colors = ["White", "dark blue", "Red", "Silver Grey"] as const
const badTicketIds = ["L3-999999", "L1-2", "L3-R2", "L3-1", "ticket", ""]
const badReservationIds = ["L3-R999999", "L3-2", "L1-R2", "reservation"]

/** The same letters in a random mix of cases, from the bits of `mask`. */
const recase = (s: string, mask: number): string =>
  Array.from(s, (ch, i) => ((mask >>> (i % 30)) & 1 ? ch.toUpperCase() : ch.toLowerCase())).join("")

const slotTypeArb = Arbitrary.make(SlotType)
const minute = 60_000
// Round steps of time and of holds make "now" land exactly on an expiry, where <= and < differ.
const elapsed = fc.oneof(
  { weight: 3, arbitrary: fc.constant(0) },
  { weight: 3, arbitrary: fc.constantFrom(15 * minute, 30 * minute, 60 * minute) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 180 * minute }) }
)
const holdFor = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(15 * minute, 30 * minute, 60 * minute) },
  { weight: 1, arbitrary: fc.integer({ min: minute, max: 240 * minute }) }
)
const registrationIndex = fc.integer({ min: 0, max: registrations.length - 1 })

type Layout = ReadonlyArray<readonly [SlotType, number]>

/** Mostly the lot's own types (and no type: standard), sometimes any type, which may be missing. */
const requestedType = (layout: Layout) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...layout.map(([type]) => type)) },
    { weight: 2, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: slotTypeArb }
  )

/** Mostly real slots, sometimes 0, negative, past the end or not whole. */
const slotNumber = (capacity: number) =>
  fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min: 1, max: capacity }) },
    { weight: 1, arbitrary: fc.constantFrom(-1, 0, capacity + 1, capacity + 7, 1.5) }
  )

const stepArb = (layout: Layout) => {
  const type = requestedType(layout)
  const slot = slotNumber(layout.reduce((n, [, count]) => n + count, 0))
  return fc.oneof(
    { weight: 6, arbitrary: fc.record({ op: fc.constant("park" as const), reg: registrationIndex, color: fc.nat(colors.length - 1), casing: fc.nat(), type, dt: elapsed }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant("leaveSlot" as const), slot, dt: elapsed }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant("leaveTicket" as const), pick: fc.nat(), dt: elapsed }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant("leaveRegistration" as const), reg: fc.integer({ min: 0, max: registrations.length }), dt: elapsed }) },
    { weight: 3, arbitrary: fc.record({ op: fc.constant("reserve" as const), reg: registrationIndex, type, hold: holdFor, dt: elapsed }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant("cancel" as const), pick: fc.nat(), dt: elapsed }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant("expire" as const), dt: elapsed }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant("expireDue" as const), dt: fc.constant(0) }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant("outOfService" as const), slot, dt: elapsed }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant("inService" as const), slot, dt: elapsed }) }
  )
}
type Step = ReturnType<typeof stepArb> extends fc.Arbitrary<infer S> ? S : never

/** A mixed layout (types may repeat in separate groups) and a command sequence that fits it. */
const scenarioArb = (minSteps: number, groupSize = fc.integer({ min: 1, max: 4 }), maxSteps = 80) =>
  fc
    .array(fc.tuple(slotTypeArb, groupSize), { minLength: 1, maxLength: 4 })
    .chain((layout) =>
      fc.record({
        layout: fc.constant(layout),
        steps: fc.array(stepArb(layout), { minLength: minSteps, maxLength: maxSteps, size: "max" })
      })
    )

/** Small groups next to large ones, so a type's next free slot can lie thousands of slots (and words of bits) away. */
const largeScenarioArb = scenarioArb(
  1,
  fc.oneof(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 30, max: 1_500 })),
  40
)

const tariffArb = fc.option(
  fc.record({
    currency: Arbitrary.make(Currency),
    freeMinutes: fc.integer({ min: 0, max: 120 }),
    perHour: fc.integer({ min: 0, max: 1_000 }),
    dailyCap: fc.option(fc.integer({ min: 0, max: 10_000 }), { nil: undefined })
  }),
  { nil: undefined }
)

/** Time only moves forward; an `expireDue` step jumps exactly to the next expiry, where <= and < differ. */
const advance = (now: number, step: Step, model: Model): number =>
  step.op === "expireDue" ? Math.max(now, model.nextExpiry() ?? now) : now + step.dt

const pick = <A>(items: ReadonlyArray<A>, n: number): A => items[n % items.length]

/** The lot command a step stands for, and the model's answer to it (which also moves the model). */
const commandOf = (model: Model, step: Step, now: number): [LotCommand, () => Answer] => {
  switch (step.op) {
    case "park": {
      const registration = registrations[step.reg]
      const color = recase(colors[step.color], step.casing)
      return [LotCommand.Park({ registration, color, slotType: step.type }), () => model.park(registration, color, step.type, now)]
    }
    case "leaveSlot":
      return [LotCommand.Leave({ target: LeaveTarget.BySlot({ slot: step.slot }) }), () => model.leaveBySlot(step.slot, now)]
    case "leaveTicket": {
      const ticketId = pick([...model.issuedTickets, ...badTicketIds], step.pick)
      return [LotCommand.Leave({ target: LeaveTarget.ByTicket({ ticketId }) }), () => model.leaveByTicket(ticketId, now)]
    }
    case "leaveRegistration": {
      const registration = registrations[step.reg] ?? unknownRegistration
      return [LotCommand.Leave({ target: LeaveTarget.ByRegistration({ registration }) }), () => model.leaveByRegistration(registration, now)]
    }
    case "reserve": {
      const registration = registrations[step.reg]
      const expiresAt = now + step.hold
      return [LotCommand.Reserve({ registration, slotType: step.type, expiresAt }), () => model.reserve(registration, step.type, expiresAt, now)]
    }
    case "cancel": {
      const reservationId = pick([...model.issuedReservations, ...badReservationIds], step.pick)
      return [LotCommand.CancelReservation({ reservationId }), () => model.cancel(reservationId, now)]
    }
    case "expire":
    case "expireDue":
      return [LotCommand.ExpireReservations(), () => model.expire(now)]
    case "outOfService":
      return [LotCommand.SetOutOfService({ slot: step.slot }), () => model.outOfService(step.slot, now)]
    case "inService":
      return [LotCommand.SetInService({ slot: step.slot }), () => model.inService(step.slot, now)]
  }
}

const answerOf = (lot: Lot, command: LotCommand, now: number, log?: Array<LotEvent>): Answer => {
  const decision = apply(lot, command, now, log)
  return Either.isLeft(decision) ? { error: plain(decision.left) } : { events: decision.right.map(plain) }
}

/** A JSON-shaped copy: classes become plain objects and undefined fields disappear. */
const plain = (value: unknown): Plain => JSON.parse(JSON.stringify(value))

const expectSameAnswer = ([actual, expected]: [Answer, Answer]) => {
  if ("error" in expected) {
    expect(actual).toHaveProperty("error")
    expect("error" in actual && actual.error).toMatchObject(expected.error)
  } else {
    expect(actual).toEqual(plain(expected))
  }
}

/** Colours as a caller might type them when asking for vehicles by colour. */
const colorQueries = (version: number): ReadonlyArray<string> => [...colors, "Purple"].map((c) => recase(c, version * 7919))

/** Everything a caller can observe of a lot, in one plain object (one comparison per step keeps this fast). */
const observeLot = (lot: Lot, ticketIds: ReadonlyArray<string>): Plain => {
  const summary = lot.summary()
  return {
    slots: lot.slots().map(plain),
    summary: plain({
      capacity: summary.capacity,
      free: summary.free,
      occupied: summary.occupied,
      reserved: summary.reserved,
      outOfService: summary.outOfService,
      byType: summary.byType,
      version: summary.version
    }),
    vehicles: lot.vehicles().map(plain),
    byColor: colorQueries(lot.version).map((c) => lot.vehicles(c).map(plain)),
    slotsByColor: colorQueries(lot.version).map((c) => lot.slotsOf(c)),
    registrationsByColor: colorQueries(lot.version).map((c) => lot.registrationsOf(c)),
    located: [...registrations, unknownRegistration].map((r) => {
      const located = lot.locate(r)
      return Either.isLeft(located) ? { error: { _tag: located.left._tag, registration: located.left.registration } } : plain(located.right)
    }),
    openTickets: ticketIds.map((id) => {
      const ticket = lot.openTicket(id)
      return ticket === undefined ? null : plain(ticket)
    }),
    reservations: lot.reservations().map(plain),
    counts: [lot.occupiedCount, lot.reservedCount]
  }
}

const observeModel = (model: Model, ticketIds: ReadonlyArray<string>): Plain => ({
  slots: model.slotViews(),
  summary: model.summary(),
  vehicles: model.vehicles(),
  byColor: colorQueries(model.version).map((c) => model.vehicles(c)),
  slotsByColor: colorQueries(model.version).map((c) => model.vehicles(c).map((v) => v.slot)),
  registrationsByColor: colorQueries(model.version).map((c) => model.vehicles(c).map((v) => v.registration)),
  located: [...registrations, unknownRegistration].map((r) => model.locate(r)),
  openTickets: ticketIds.map((id) => model.openTicket(id) ?? null),
  reservations: model.reservations(),
  counts: [model.vehicles().length, model.reservations().length]
})

const expectSameObservableState = (lot: Lot, model: Model) => {
  const ticketIds = [...model.issuedTickets, ...badTicketIds]
  expect(observeLot(lot, ticketIds)).toEqual(plain(observeModel(model, ticketIds)))
}

describe("Lot against a reference model", () => {
  it.prop(
    "every answer and every observable state agree, step by step",
    { scenario: scenarioArb(1), tariff: tariffArb },
    ({ scenario: { layout, steps }, tariff }) => {
      const created = lotCreated(layout, { lotId, tariff: tariff === undefined ? undefined : Tariff.make(tariff) })
      const lot = Lot.create(created)
      const model = new Model(layout, tariff)
      const log: Array<LotEvent> = [created]
      let now = opening
      expectSameObservableState(lot, model)
      for (const step of steps) {
        now = advance(now, step, model)
        const [command, modelAnswer] = commandOf(model, step, now)
        expectSameAnswer([answerOf(lot, command, now, log), modelAnswer()])
        expectSameObservableState(lot, model)
      }

      // the log alone, and a snapshot (also through JSON, as the store keeps it), rebuild the same lot
      const comparable = lot.toComparable()
      expect(Lot.replay(log).toComparable()).toEqual(comparable)
      expect(Lot.fromSnapshot(created, lot.toSnapshot()).toComparable()).toEqual(comparable)
      expect(Lot.fromSnapshot(created, JSON.parse(JSON.stringify(lot.toSnapshot()))).toComparable()).toEqual(comparable)
      expect(lot.version).toBe(log.length)

      // every slot is in exactly one state, per type and in total
      const summary = lot.summary()
      for (const counts of Object.values(summary.byType)) {
        expect(counts.free + counts.occupied + counts.reserved + counts.outOfService).toBe(counts.capacity)
      }
      expect(summary.free + summary.occupied + summary.reserved + summary.outOfService).toBe(summary.capacity)
      expect(Object.values(summary.byType).reduce((n, c) => n + c.capacity, 0)).toBe(summary.capacity)

      // every event the lot produced survives the wire format of the log
      const roundTrip = Schema.decodeUnknownSync(LotEvent)
      const encode = Schema.encodeSync(LotEvent)
      for (const event of log) expect(plain(roundTrip(JSON.parse(JSON.stringify(encode(event)))))).toEqual(plain(event))
    },
    // Generous: CI machines shared with other suites run this several times slower.
    { timeout: 300_000, fastCheck: { numRuns: 200 } }
  )

  it.prop(
    "a lot rebuilt from a snapshot taken mid-way goes on answering exactly like the original",
    { scenario: scenarioArb(2), tariff: tariffArb, cut: fc.nat() },
    ({ cut, scenario: { layout, steps }, tariff }) => {
      const created = lotCreated(layout, { lotId, tariff: tariff === undefined ? undefined : Tariff.make(tariff) })
      const original = Lot.create(created)
      const model = new Model(layout, tariff)
      const at = cut % steps.length
      let restored: Lot | undefined
      let now = opening
      steps.forEach((step, i) => {
        now = advance(now, step, model)
        if (i === at) restored = Lot.fromSnapshot(created, JSON.parse(JSON.stringify(original.toSnapshot())))
        const [command, modelAnswer] = commandOf(model, step, now)
        modelAnswer()
        const answer = answerOf(original, command, now)
        if (restored !== undefined) expect(answerOf(restored, command, now)).toEqual(answer)
      })
      expect(restored?.toComparable()).toEqual(original.toComparable())
    },
    // Generous: CI machines shared with other suites run this several times slower.
    { timeout: 300_000, fastCheck: { numRuns: 200 } }
  )

  it.prop(
    "a run applied ahead of durability and undone newest first leaves the lot exactly as before",
    { scenario: scenarioArb(2), tariff: tariffArb, cut: fc.nat() },
    ({ cut, scenario: { layout, steps }, tariff }) => {
      const created = lotCreated(layout, { lotId, tariff: tariff === undefined ? undefined : Tariff.make(tariff) })
      const lot = Lot.create(created)
      const model = new Model(layout, tariff)
      const at = cut % steps.length
      let now = opening
      const run: Array<{ readonly command: LotCommand; readonly now: number }> = []
      steps.forEach((step, i) => {
        now = advance(now, step, model)
        const [command, modelAnswer] = commandOf(model, step, now)
        if (i < at) {
          modelAnswer()
          answerOf(lot, command, now)
        } else {
          run.push({ command, now })
        }
      })
      const ticketIds = [...model.issuedTickets, ...badTicketIds, ...Array.from({ length: 40 }, (_, i) => `${lotId}-${i + 1}`)]
      const before = { comparable: lot.toComparable(), observed: observeLot(lot, ticketIds) }
      const answersFirst: Array<Answer> = []
      const applied: Array<Applied> = []
      for (const { command, now } of run) {
        const decision = lot.decide(command, now)
        if (Either.isRight(decision)) for (const event of decision.right) applied.push(lot.apply(event))
        answersFirst.push(Either.isLeft(decision) ? { error: plain(decision.left) } : { events: decision.right.map(plain) })
      }
      for (let i = applied.length - 1; i >= 0; i--) lot.undo(applied[i])
      expect(lot.toComparable()).toEqual(before.comparable)
      // Observable order matters too (vehicles by colour follow each colour's list).
      expect(observeLot(lot, ticketIds)).toEqual(before.observed)
      // and the lot goes on as if the run had never been tried
      const again = run.map(({ command, now }) => answerOf(lot, command, now))
      expect(again).toEqual(answersFirst)
    },
    // Generous: CI machines shared with other suites run this several times slower.
    { timeout: 300_000, fastCheck: { numRuns: 200 } }
  )

  it.prop(
    "large lots: every answer agrees step by step, and the whole state at the end",
    { scenario: largeScenarioArb },
    ({ scenario: { layout, steps } }) => {
      const created = lotCreated(layout, { lotId })
      const lot = Lot.create(created)
      const model = new Model(layout, undefined)
      const log: Array<LotEvent> = [created]
      let now = opening
      for (const step of steps) {
        now = advance(now, step, model)
        const [command, modelAnswer] = commandOf(model, step, now)
        expectSameAnswer([answerOf(lot, command, now, log), modelAnswer()])
      }
      expectSameObservableState(lot, model)
      expect(Lot.replay(log).toComparable()).toEqual(lot.toComparable())
      expect(Lot.fromSnapshot(created, JSON.parse(JSON.stringify(lot.toSnapshot()))).toComparable()).toEqual(lot.toComparable())
    },
    // Generous: CI machines shared with other suites run this several times slower.
    { timeout: 300_000, fastCheck: { numRuns: 200 } }
  )
})
