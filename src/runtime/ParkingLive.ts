import type { SqlClient } from "@effect/sql"
import { Cause, Chunk, Clock, type ConfigError, Deferred, Effect, Either, Exit, FiberId, Layer, Option, Runtime, Schedule, Schema, Stream, type Tracer } from "effect"
import { AppConfig } from "../config.ts"
import {
  IdempotencyKeyReused,
  InvalidInput,
  type LotNotEmpty,
  LotNotFound,
  type LotRuleError,
  type LotUnavailable,
  Overloaded,
  type StorageUnavailable,
  TicketNotFound
} from "../domain/Errors.ts"
import { LotRuleErrorSchema } from "../domain/LotRuleErrorSchema.ts"
import { LotCreated, StoredLotEvent, type LotEvent } from "../domain/Events.ts"
import { LotId, parseEntityId, type TenantId } from "../domain/Ids.ts"
import { Lot, LotCommand } from "../domain/Lot.ts"
import { LotSummary, Reservation, SlotInfo, Ticket } from "../domain/Views.ts"
import { EventLog } from "../store/EventLog.ts"
import type { EventRecord, IdempotencyRecord } from "../store/Records.ts"
import { LotStore } from "../store/LotStore.ts"
import { StorageFaults } from "../store/StorageFaults.ts"
import { Writer } from "../store/Writer.ts"
import { type CommandContext, type CommandProbe, currentSpanSource, instrumentCommand, startCommand, startCommandWith } from "../telemetry/Instrument.ts"
import * as Metrics from "../telemetry/Metrics.ts"
import { fromRecord, toRecord } from "./EventCodec.ts"
import {
  CreateLotErrorSchema,
  DeleteLotErrorSchema,
  idempotencyTtlMillis,
  requestHash,
  responseCodec,
  ticketCodec
} from "./Idempotency.ts"
import { LotRegistry } from "./LotRegistry.ts"
import type { Job, Keyed, LotWorker, Reply } from "./LotWorker.ts"
import { type CommandError, type DeliveryError, type Envelope, EventPage, Parking, type ScriptAnswer, type ScriptStep, type TicketCommand } from "./Parking.ts"
import { WorkerFaults } from "./WorkerFaults.ts"

const reservationCodec = responseCodec(Reservation, LotRuleErrorSchema)
const slotCodec = responseCodec(SlotInfo, LotRuleErrorSchema)
const voidRuleCodec = responseCodec(Schema.Void, LotRuleErrorSchema)
const lotCodec = responseCodec(LotSummary, CreateLotErrorSchema)
const deleteCodec = responseCodec(Schema.Void, DeleteLotErrorSchema)

type Codec<A, E> = {
  readonly encode: (answer: Either.Either<A, E>) => string
  readonly decode: (stored: string) => Either.Either<Either.Either<A, E>, unknown>
}

/** A stored answer replayed: the same success or error, `IdempotencyKeyReused` for another request. */
const replayOf = <A, E>(stored: IdempotencyRecord, hash: string, key: string, codec: Codec<A, E>): Exit.Exit<A, E | IdempotencyKeyReused> => {
  if (stored.requestHash !== hash) return Exit.fail(IdempotencyKeyReused.of(key))
  const answer = codec.decode(stored.response)
  if (Either.isLeft(answer)) return Exit.die(new Cause.RuntimeException(`stored response for key ${key} does not decode`))
  return Either.isRight(answer.right) ? Exit.succeed(answer.right.right) : Exit.fail(answer.right.left)
}

/** How a keyed lot command's answer is stored: a rule error is, LotNotEmpty (a deletion's) is not. */
const storedFormsOf = <A>(codec: Codec<A, LotRuleError>): StoredForms<A> => ({
  accepted: (value) => codec.encode(Either.right(value)),
  rejected: (error) => (error._tag === "LotNotEmpty" ? undefined : codec.encode(Either.left(error)))
})
const ticketForms = storedFormsOf(ticketCodec)

/** Log rows as the events callers see; a row that does not decode is a defect of the store. */
const readStored = (lotId: LotId, records: ReadonlyArray<EventRecord>) =>
  Effect.forEach(records, (record) =>
    Either.match(fromRecord(record), {
      onLeft: (e) => Effect.die(e),
      onRight: (event) => Effect.succeed(StoredLotEvent.make({ lotId, seq: record.seq, event }, true))
    })
  )

/** What a command's span and metrics are told about it. */
const contextOf = (envelope: Envelope, lotId: string): CommandContext => ({ lotId, tenant: envelope.tenant, correlationId: envelope.correlationId })

// A lot command never meets LotNotEmpty; only DeleteLot can.
const lotRuleRejection = (error: LotRuleError | LotNotEmpty): Exit.Exit<never, LotRuleError> =>
  error._tag === "LotNotEmpty" ? Exit.die(error) : Exit.fail(error)

/** How a keyed job's answer is stored with its events, to be replayed on a retry. */
interface StoredForms<A> {
  readonly accepted: (value: A) => string
  readonly rejected: (error: LotRuleError | LotNotEmpty) => string | undefined
}

/**
 * A lot command from its offer to its durable answer: the job in the mailbox and its own reply (a
 * job has one) in one object, with no closure per command; this is the hot path of every write.
 * A keyed job also carries the form its answer is stored in; an unkeyed one the probe it ends
 * when it answers (a keyed one is measured around its Effect). It answers once: a later answer is
 * ignored.
 */
class LotJob<A, E> implements Job, Reply {
  stored: string | undefined = undefined
  #decided: Exit.Exit<A, E | DeliveryError> | undefined
  #answered = false
  constructor(
    readonly operation: Metrics.CommandOperation,
    readonly command: Job["command"],
    readonly span: Tracer.AnySpan | undefined,
    readonly keyed: Keyed | undefined,
    private readonly forms: StoredForms<A> | undefined,
    private readonly answer: (lot: Lot, events: ReadonlyArray<LotEvent>) => A,
    private readonly rejection: (error: LotRuleError | LotNotEmpty) => Exit.Exit<never, E>,
    private readonly resume: (exit: Exit.Exit<A, E | DeliveryError>) => void,
    private readonly probe?: CommandProbe
  ) {}
  accepted(lot: Lot, events: ReadonlyArray<LotEvent>): Reply {
    const value = this.answer(lot, events)
    if (this.keyed !== undefined) this.stored = this.forms?.accepted(value)
    this.#decided = Exit.succeed(value)
    return this
  }
  rejected(error: LotRuleError | LotNotEmpty): Reply {
    if (this.keyed !== undefined) this.stored = this.forms?.rejected(error)
    this.#decided = this.rejection(error)
    return this
  }
  failed(error: StorageUnavailable | LotUnavailable | LotNotFound): void {
    this.finish(Exit.fail(error))
  }
  send(): void {
    if (this.#decided !== undefined) this.finish(this.#decided)
  }
  finish(exit: Exit.Exit<A, E | DeliveryError>): void {
    if (this.#answered) return
    this.#answered = true
    this.probe?.end(exit)
    this.resume(exit)
  }
  /** Puts the job in the worker's mailbox, or answers `Overloaded` when it is full. */
  offerTo(worker: LotWorker): void {
    if (!worker.offer(this)) this.finish(Exit.fail(Overloaded.of(worker.lotId)))
  }
}

const make = Effect.gen(function* () {
  const registry = yield* LotRegistry
  const writer = yield* Writer
  const store = yield* LotStore
  const log = yield* EventLog
  const { maxSlots } = yield* AppConfig

  /** Keyed requests still being answered: a duplicate waits for the first instead of running twice. */
  const inFlight = new Map<string, { readonly hash: string; readonly done: Deferred.Deferred<void> }>()
  const slotOf = (tenant: string, key: string) => `${tenant}\u0000${key}`

  /**
   * Claims the key for a request, before its lookup: claimed after, copies sent together all found
   * nothing stored and all ran, and the last answer stored replaced the first (session 11). The
   * returned release frees it and wakes the copies waiting on it.
   */
  const claim = (slot: string, hash: string): (() => void) => {
    const done = Deferred.unsafeMake<void>(FiberId.none)
    inFlight.set(slot, { hash, done })
    return () => {
      inFlight.delete(slot)
      Deferred.unsafeDone(done, Exit.void)
    }
  }

  const keyedOf = (tenant: string, key: string, hash: string, now: number): Keyed => ({ tenant, key, requestHash: hash, expiresAt: now + idempotencyTtlMillis })

  /**
   * Runs a command at most once per (tenant, key): a stored answer is replayed, the same key with
   * another request is `IdempotencyKeyReused`, and a new one runs with its answer stored in the same
   * transaction as its events.
   */
  const idempotent = <A, E, E2>(
    envelope: Envelope,
    operation: string,
    target: string,
    body: unknown,
    codec: Codec<A, E>,
    run: (keyed: Keyed | undefined) => Effect.Effect<A, E | E2>
  ): Effect.Effect<A, E | E2 | IdempotencyKeyReused | StorageUnavailable> => {
    const key = envelope.idempotencyKey
    if (key === undefined) return run(undefined)
    const hash = requestHash(operation, target, body)
    const slot = slotOf(envelope.tenant, key)
    // Combinators, not a generator made per call: V8 keeps each such generator function's hidden
    // class in the old generation, with the call's context behind it (decision 0017).
    const attempt: Effect.Effect<A, E | E2 | IdempotencyKeyReused | StorageUnavailable> = Effect.suspend(() => {
      const running = inFlight.get(slot)
      if (running !== undefined) {
        return running.hash !== hash ? Effect.fail(IdempotencyKeyReused.of(key)) : Effect.zipRight(Deferred.await(running.done), attempt)
      }
      const release = claim(slot, hash)
      return Effect.flatMap(Clock.currentTimeMillis, (now) =>
        Effect.flatMap(
          store.findIdempotency(envelope.tenant, key, now),
          (stored): Effect.Effect<A, E | E2 | IdempotencyKeyReused> =>
            stored !== undefined ? replayOf(stored, hash, key, codec) : run(keyedOf(envelope.tenant, key, hash, now))
        )
      ).pipe(Effect.ensuring(Effect.sync(release)))
    })
    return attempt
  }

  /** A job into its lot's mailbox without an Effect step, or answered `LotNotFound`. */
  const offerToLot = <A, E>(job: LotJob<A, E>, tenant: TenantId, lotId: LotId): void => {
    const worker = registry.lookup(tenant, lotId)
    if (worker === undefined) job.failed(LotNotFound.of(lotId))
    else job.offerTo(worker)
  }

  /** An unkeyed lot command from its offer to its durable answer, with no Effect step. */
  const sendUnkeyed = <A>(
    probe: CommandProbe,
    envelope: Envelope,
    lotId: LotId,
    operation: Metrics.CommandOperation,
    command: LotCommand,
    answer: (lot: Lot, events: ReadonlyArray<LotEvent>) => A,
    resume: (exit: Exit.Exit<A, CommandError>) => void
  ): void => {
    offerToLot(new LotJob(operation, command, probe.span, undefined, undefined, answer, lotRuleRejection, resume, probe), envelope.tenant, lotId)
  }

  const lotCommand = <A>(
    envelope: Envelope,
    lotId: LotId,
    operation: Metrics.CommandOperation,
    body: unknown,
    command: LotCommand,
    codec: Codec<A, LotRuleError>,
    answer: (lot: Lot, events: ReadonlyArray<LotEvent>) => A
  ): Effect.Effect<A, CommandError> => {
    const context = contextOf(envelope, lotId)
    if (envelope.idempotencyKey === undefined) {
      // Without a key: two Effect steps from the call to the durable answer, the probe ended in the
      // answer's callback (what instrumentCommand would do around it).
      return Effect.withFiberRuntime((fiber) =>
        Effect.async<A, CommandError>((resume) =>
          sendUnkeyed(startCommand(fiber, operation, context), envelope, lotId, operation, command, answer, resume)
        )
      )
    }
    const stored = storedFormsOf(codec)
    return instrumentCommand(operation, context)((span) =>
      // The key is looked up before the lot, so a retry still replays after the lot was deleted.
      idempotent(envelope, operation, lotId, body, codec, (keyed) =>
        Effect.flatMap(registry.get(envelope.tenant, lotId), (worker) =>
          Effect.async<A, CommandError>((resume) => new LotJob(operation, command, span, keyed, stored, answer, lotRuleRejection, resume).offerTo(worker))
        )
      )
    )
  }

  /** Builds the jobs of a script; each answers in its own place, the last one answers the caller. */
  const scriptJobs = (
    lotId: LotId,
    steps: ReadonlyArray<ScriptStep>,
    finish: (result: Effect.Effect<ReadonlyArray<ScriptAnswer>, Exclude<DeliveryError, IdempotencyKeyReused>>) => void
  ): ReadonlyArray<Job> => {
    const answers = new Array<ScriptAnswer>(steps.length)
    let left = steps.length
    const reply = (i: number, answer: ScriptAnswer) => ({
      stored: undefined,
      send: () => {
        answers[i] = answer
        if (--left === 0) finish(Effect.succeed(answers))
      }
    })
    const refusal = (i: number, error: LotRuleError | LotNotEmpty) =>
      error._tag === "LotNotEmpty"
        ? { stored: undefined, send: () => finish(Effect.die(error)) }
        : reply(i, { _tag: "Ticket", ticket: Either.left(error) })
    const failed = (error: StorageUnavailable | LotUnavailable | LotNotFound) => finish(Effect.fail(error))
    const read: Job["command"] = { _tag: "Read" }
    return steps.map((step, i): Job => {
      const job = (operation: string, command: Job["command"], answer: (lot: Lot, events: ReadonlyArray<LotEvent>) => ScriptAnswer): Job => ({
        operation,
        command,
        keyed: undefined,
        accepted: (lot, events) => reply(i, answer(lot, events)),
        rejected: (error) => refusal(i, error),
        failed
      })
      switch (step._tag) {
        case "Park":
          return job("park", LotCommand.Park({ ...step.vehicle }), (_, events) => ({
            _tag: "Ticket",
            ticket: Either.right(Lot.ticketOf(lotId, firstEvent(events, "VehicleParked")))
          }))
        case "Leave":
          return job("leave", LotCommand.Leave({ target: step.target }), (lot, events) => ({
            _tag: "Ticket",
            ticket: Either.right(closedTicket(lot, events))
          }))
        case "Vehicles":
          return job("read", read, (lot) => ({ _tag: "Vehicles", vehicles: lot.vehicles(step.color) }))
        case "Slots":
          return job("read", read, (lot) => ({ _tag: "Slots", slots: lot.slotsOf(step.color) }))
        case "Registrations":
          return job("read", read, (lot) => ({ _tag: "Registrations", registrations: lot.registrationsOf(step.color) }))
        case "Locate":
          return job("read", read, (lot) => ({ _tag: "Located", location: lot.locate(step.registration) }))
      }
    })
  }

  const firstEvent = <T extends LotEvent["_tag"]>(events: ReadonlyArray<LotEvent>, tag: T): Extract<LotEvent, { _tag: T }> => {
    for (const event of events) if (event._tag === tag) return event as Extract<LotEvent, { _tag: T }>
    throw new Error(`the lot decided no ${tag} event`)
  }

  const slotAfter = (lot: Lot, slot: number, state: SlotInfo["state"]): SlotInfo =>
    Either.match(lot.slot(slot), {
      onLeft: (e) => {
        throw e
      },
      onRight: (info) => SlotInfo.make({ slot, type: info.type, state }, true)
    })

  const closedTicket = (lot: Lot, events: ReadonlyArray<LotEvent>): Ticket => {
    const left = firstEvent(events, "VehicleLeft")
    const closed = lot.closedTicket(left)
    if (closed === undefined) throw new Error(`ticket ${left.ticketId} is not open`)
    return closed
  }

  /** A park's answer: the ticket its event opened (the lot's own id, so no closure per command). */
  const parkedTicket = (lot: Lot, events: ReadonlyArray<LotEvent>) => Lot.ticketOf(lot.id, firstEvent(events, "VehicleParked"))

  /** What park and leave are, for both their Effect and their callback forms. */
  const ticketCommandSpec = (request: TicketCommand) =>
    request._tag === "Park"
      ? {
          operation: "park" as const,
          body: request.input,
          command: LotCommand.Park({ registration: request.input.registration, color: request.input.color, slotType: request.input.slotType }),
          answer: parkedTicket
        }
      : { operation: "leave" as const, body: request.target, command: LotCommand.Leave({ target: request.target }), answer: closedTicket }

  const ticketCommand = (envelope: Envelope, lotId: LotId, spec: ReturnType<typeof ticketCommandSpec>) =>
    lotCommand(envelope, lotId, spec.operation, spec.body, spec.command, ticketCodec, spec.answer)

  // For callers that are not fibers (`submit`): captured once, as a fiber would read them.
  const spanSource = yield* currentSpanSource
  const runCallback = Runtime.runCallback(yield* Effect.runtime<never>())

  /**
   * A keyed park or leave from `submit` with no Effect step, as `idempotent` and `lotCommand` would
   * run it: the key looked up at once on the store's reader, a stored answer replayed, or the job
   * sent with its key and answered when durable. False, having done nothing, when the Effect way is
   * needed: no reader (":memory:") or it failed (the Effect retries and reports), or the key is in
   * flight already (the Effect waits for it). Through the Effect, a keyed request's fiber and steps
   * were ~13% of the event loop at 10 connections (decision 0019).
   */
  const sendKeyed = (
    envelope: Envelope,
    key: string,
    lotId: LotId,
    spec: ReturnType<typeof ticketCommandSpec>,
    onExit: (exit: Exit.Exit<Ticket, CommandError>) => void
  ): boolean => {
    const slot = slotOf(envelope.tenant, key)
    if (inFlight.has(slot)) return false
    const now = spanSource.clock.unsafeCurrentTimeMillis()
    const found = store.findIdempotencyNow(envelope.tenant, key, now)
    if (Option.isNone(found)) return false
    const context = contextOf(envelope, lotId)
    const probe = startCommandWith(spanSource, undefined, spec.operation, context)
    const hash = requestHash(spec.operation, lotId, spec.body)
    if (found.value !== undefined) {
      const replayed = replayOf(found.value, hash, key, ticketCodec)
      probe.end(replayed)
      onExit(replayed)
      return true
    }
    const release = claim(slot, hash)
    const answered = (exit: Exit.Exit<Ticket, CommandError>) => {
      release()
      onExit(exit)
    }
    const keyed = keyedOf(envelope.tenant, key, hash, now)
    offerToLot(new LotJob(spec.operation, spec.command, probe.span, keyed, ticketForms, spec.answer, lotRuleRejection, answered, probe), envelope.tenant, lotId)
    return true
  }

  const purge = Clock.currentTimeMillis.pipe(
    Effect.flatMap((now) => store.purgeIdempotency(now)),
    Effect.catchAll((e) => Effect.logWarning("idempotency purge failed", e.message))
  )
  yield* Effect.forkScoped(Effect.repeat(purge, Schedule.spaced("1 hour")))

  return Parking.of({
    createLot: (envelope, input) =>
      idempotent(envelope, "createLot", "", { name: input.name, layout: input.layout, tariff: input.tariff }, lotCodec, (keyed) =>
        instrumentCommand("createLot", { lotId: "", tenant: envelope.tenant, correlationId: envelope.correlationId })((span) => Effect.gen(function* () {
          const capacity = input.layout.reduce((n, g) => n + g.count, 0)
          if (capacity > maxSlots) {
            const rejection = InvalidInput.of(`a lot has at most ${maxSlots} slots (PARKPLANE_MAX_SLOTS); this one asks for ${capacity}`, "slots")
            if (keyed !== undefined) {
              yield* writer.commit({ idempotency: [{ ...keyed, response: lotCodec.encode(Either.left(rejection)) }] }, [span])
            }
            return yield* rejection
          }
          yield* registry.claimName(envelope.tenant, input.name)
          return yield* Effect.gen(function* () {
            const lotId = LotId.make(yield* store.nextLotId(), { disableValidation: true })
            const now = yield* Clock.currentTimeMillis
            const created = LotCreated.make({ lotId, name: input.name, layout: input.layout, tariff: input.tariff, at: now }, true)
            const lot = Lot.create(created)
            const summary = lot.summary()
            yield* writer.commit({
              createLot: { id: lotId, tenant: envelope.tenant, name: input.name, createdAt: now },
              events: [toRecord(lotId, 1, created)],
              idempotency: keyed === undefined ? undefined : [{ ...keyed, response: lotCodec.encode(Either.right(summary)) }]
            }, [span])
            yield* registry.register(lot, 0, envelope.tenant)
            return summary
          }).pipe(Effect.tapError(() => registry.releaseName(envelope.tenant, input.name)))
        }))
      ),

    listLots: (tenant) => Effect.flatMap(registry.list(tenant), (workers) => Effect.forEach(workers, (w) => w.read((lot) => lot.summary()))),

    getLot: (tenant, lotId) => Effect.flatMap(registry.get(tenant, lotId), (w) => w.read((lot) => lot.summary())),

    findLotByName: (tenant, name) => Effect.flatMap(registry.findByName(tenant, name), (w) => w.read((lot) => lot.summary())),

    deleteLot: (envelope, lotId) =>
      // The key is looked up before the lot: a retried deletion finds its lot gone and must still replay.
      instrumentCommand("deleteLot", contextOf(envelope, lotId))((span) =>
      idempotent(envelope, "deleteLot", lotId, {}, deleteCodec, (keyed) =>
        Effect.flatMap(registry.get(envelope.tenant, lotId), (worker) =>
          Effect.async<void, CommandError | LotNotEmpty>((resume) =>
            new LotJob(
              "deleteLot",
              { _tag: "DeleteLot" },
              span,
              keyed,
              {
                accepted: () => deleteCodec.encode(Either.right(undefined)),
                rejected: (error) => (error._tag === "LotNotEmpty" ? deleteCodec.encode(Either.left(error)) : undefined)
              },
              () => undefined,
              Exit.fail,
              resume
            ).offerTo(worker)
          ).pipe(
            Effect.tap(() => registry.remove(worker)),
            // Deleting a lot answers only LotNotEmpty or a delivery error; a lot rule here is a defect.
            Effect.catchAll((e) => (isDeleteError(e) ? Effect.fail(e) : Effect.die(e)))
          )
        )
      )),

    park: (envelope, lotId, input) => ticketCommand(envelope, lotId, ticketCommandSpec({ _tag: "Park", input })),

    runScript: (envelope, lotId, steps) =>
      Effect.flatMap(registry.get(envelope.tenant, lotId), (worker) =>
        steps.length === 0
          ? Effect.succeed([])
          : Effect.async<ReadonlyArray<ScriptAnswer>, Exclude<DeliveryError, IdempotencyKeyReused>>((resume) => {
              let answered = false
              const finish = (result: Effect.Effect<ReadonlyArray<ScriptAnswer>, Exclude<DeliveryError, IdempotencyKeyReused>>) => {
                if (answered) return
                answered = true
                resume(result)
              }
              if (!worker.offerAll(scriptJobs(lotId, steps, finish))) finish(Effect.fail(Overloaded.of(lotId)))
            }).pipe(Effect.tap((answers) => countScript(steps, answers)))
      ),

    leave: (envelope, lotId, target) => ticketCommand(envelope, lotId, ticketCommandSpec({ _tag: "Leave", target })),

    submit: (envelope, lotId, request, onExit) => {
      const spec = ticketCommandSpec(request)
      const key = envelope.idempotencyKey
      if (key === undefined) {
        return sendUnkeyed(startCommandWith(spanSource, undefined, spec.operation, contextOf(envelope, lotId)), envelope, lotId, spec.operation, spec.command, spec.answer, onExit)
      }
      if (!sendKeyed(envelope, key, lotId, spec, onExit)) runCallback(ticketCommand(envelope, lotId, spec), { onExit })
    },

    reserve: (envelope, lotId, input) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        lotCommand(
          envelope,
          lotId,
          "reserve",
          input,
          LotCommand.Reserve({ registration: input.registration, slotType: input.slotType, expiresAt: now + input.holdSeconds * 1000 }),
          reservationCodec,
          (_, events) => {
            const reserved = firstEvent(events, "SlotReserved")
            return Reservation.make(
              {
                id: reserved.reservationId,
                lotId,
                slot: reserved.slot,
                slotType: reserved.slotType,
                registration: reserved.registration,
                createdAt: reserved.at,
                expiresAt: reserved.expiresAt
              },
              true
            )
          }
        )
      ),

    cancelReservation: (envelope, lotId, reservationId) =>
      lotCommand(envelope, lotId, "cancelReservation", { reservationId }, LotCommand.CancelReservation({ reservationId }), voidRuleCodec, () => undefined),

    setOutOfService: (envelope, lotId, slot) =>
      lotCommand(envelope, lotId, "setOutOfService", { slot }, LotCommand.SetOutOfService({ slot }), slotCodec, (lot) =>
        slotAfter(lot, slot, "OutOfService")
      ),

    setInService: (envelope, lotId, slot) =>
      lotCommand(envelope, lotId, "setInService", { slot }, LotCommand.SetInService({ slot }), slotCodec, (lot) =>
        slotAfter(lot, slot, "Free")
      ),

    slots: (tenant, lotId) => Effect.flatMap(registry.get(tenant, lotId), (w) => w.read((lot) => lot.slots())),

    slot: (tenant, lotId, slot) => Effect.flatMap(registry.get(tenant, lotId), (w) => Effect.flatten(w.read((lot) => lot.slot(slot)))),

    vehicles: (tenant, lotId, color) => Effect.flatMap(registry.get(tenant, lotId), (w) => w.read((lot) => lot.vehicles(color))),

    locate: (tenant, lotId, registration) => Effect.flatMap(registry.get(tenant, lotId), (w) => Effect.flatten(w.read((lot) => lot.locate(registration)))),

    reservations: (tenant, lotId) => Effect.flatMap(registry.get(tenant, lotId), (w) => w.read((lot) => lot.reservations())),

    // fnUntraced: one generator function for every call, not one per call (decision 0017).
    ticket: Effect.fnUntraced(function* (tenant: TenantId, ticketId: string) {
      const id = parseEntityId(ticketId)
      if (id === undefined || ticketId.includes("-R")) return yield* TicketNotFound.of(ticketId)
      const worker = yield* registry.get(tenant, id.lotId).pipe(Effect.mapError(() => TicketNotFound.of(ticketId)))
      const open = yield* worker.read((lot) => lot.openTicket(ticketId))
      if (open !== undefined) return open
      // Closed tickets live only in the log: the park at the seq the id names, and the leave after it.
      const records = yield* log.byTicket(id.lotId, id.seq, ticketId)
      let parked: Extract<LotEvent, { _tag: "VehicleParked" }> | undefined
      let left: Extract<LotEvent, { _tag: "VehicleLeft" }> | undefined
      for (const record of records) {
        const event = fromRecord(record)
        if (Either.isLeft(event)) return yield* Effect.die(event.left)
        if (event.right._tag === "VehicleParked") parked = event.right
        if (event.right._tag === "VehicleLeft") left = event.right
      }
      if (parked === undefined) return yield* TicketNotFound.of(ticketId)
      return Lot.ticketOf(worker.lotId, parked, left)
    }),

    events: Effect.fnUntraced(function* (tenant: TenantId, lotId: LotId, after: number, limit: number) {
      yield* registry.get(tenant, lotId)
      const records = yield* log.read(lotId, after, limit)
      const events = yield* readStored(lotId, records)
      const last = events.at(-1)
      return EventPage.make({ events, next: events.length === limit && last !== undefined ? last.seq : null }, true)
    }),

    follow: (tenant, lotId, after) =>
      Effect.map(registry.get(tenant, lotId), (worker) =>
        Stream.unwrapScoped(
          Effect.gen(function* () {
            // Listen first, then read the log: whatever happens in between arrives live, and the
            // seq filter drops what both deliver.
            const live = yield* worker.subscribers.subscribe
            const page = 500
            const history = Stream.paginateChunkEffect(after, (cursor) =>
              log.read(lotId, cursor, page).pipe(
                Effect.flatMap((records) => readStored(lotId, records)),
                Effect.map((events) => {
                  const last = events.at(-1)
                  return [events, events.length === page && last !== undefined ? Option.some(last.seq) : Option.none<number>()] as const
                }),
                Effect.map(([events, next]) => [Chunk.fromIterable(events), next] as const)
              )
            )
            let high = after
            return Stream.concat(history, live).pipe(
              Stream.filter((e) => {
                if (e.seq <= high) return false
                high = e.seq
                return true
              })
            )
          })
        )
      )
  })
})

/** A script's parks and leaves count as commands, by outcome (their latency is the script's, so not recorded). */
const countScript = (steps: ReadonlyArray<ScriptStep>, answers: ReadonlyArray<ScriptAnswer>) =>
  Effect.suspend(() => {
    const counts = { park: { ok: 0, rejected: 0 }, leave: { ok: 0, rejected: 0 } }
    answers.forEach((answer, i) => {
      if (answer._tag === "Ticket") counts[steps[i]._tag === "Park" ? "park" : "leave"][Either.isRight(answer.ticket) ? "ok" : "rejected"]++
    })
    return Effect.all(
      [
        Metrics.countCommands("park", "ok", counts.park.ok),
        Metrics.countCommands("park", "rejected", counts.park.rejected),
        Metrics.countCommands("leave", "ok", counts.leave.ok),
        Metrics.countCommands("leave", "rejected", counts.leave.rejected)
      ],
      { discard: true }
    )
  })

const deleteErrorTags: ReadonlySet<string> = new Set([
  "LotNotEmpty",
  "LotNotFound",
  "Overloaded",
  "StorageUnavailable",
  "LotUnavailable",
  "IdempotencyKeyReused"
])
const isDeleteError = (e: CommandError | LotNotEmpty): e is LotNotEmpty | DeliveryError => deleteErrorTags.has(e._tag)

/**
 * The runtime behind `Parking`: registry (with recovery), workers, group-commit writer, store and
 * the fault switches, over any `SqlClient` whose schema is migrated (see `DatabaseLive`).
 */
export const RuntimeLive = Layer.scoped(Parking, make).pipe(
  Layer.provideMerge(LotRegistry.Default),
  Layer.provideMerge(Layer.mergeAll(Writer.DefaultWithoutDependencies, LotStore.Default, EventLog.Default, WorkerFaults.Default)),
  Layer.provideMerge(StorageFaults.Default)
)

/** `Parking` over a migrated `SqlClient`: what the server, the CLI and other Effect apps use. */
export const ParkingLive: Layer.Layer<
  Parking | StorageFaults | WorkerFaults | LotRegistry,
  ConfigError.ConfigError | StorageUnavailable,
  SqlClient.SqlClient
> = RuntimeLive
