import { Effect, FiberSet, Schedule, type Scope } from "effect"
import type { Answer, Client } from "./Client.ts"
import type { Ledger } from "./Ledger.ts"
import type { Prng } from "./Prng.ts"
import type { Recorder } from "./Recorder.ts"

export interface LabLot {
  readonly id: string
  readonly capacity: number
}

const colors = ["White", "Black", "Red", "Blue", "Silver", "Green"] as const

const isObject = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null

/**
 * An open-loop load: requests start at the set rate whatever the answers take, so a slow server
 * shows up as latency instead of a politely lower rate. Each request is one of park, leave,
 * reserve, cancel or a query, on a lot chosen by the seeded generator.
 */
export const startLoad = (deps: {
  readonly client: Client
  readonly ledger: Ledger
  readonly recorder: Recorder
  readonly prng: Prng
  readonly lots: ReadonlyArray<LabLot>
  /** Requests per second. */
  readonly rate: number
  /** More requests than this in flight and the generator skips (counted in `skipped`). */
  readonly maxInFlight: number
}): Effect.Effect<Load, never, Scope.Scope> =>
  Effect.gen(function* () {
    const { client, ledger, recorder, prng, lots } = deps
    const inFlight = yield* FiberSet.make()
    let rate = deps.rate
    let credit = 0
    let last = performance.now()
    let vehicles = 0
    let skipped = 0
    let pending = 0

    const timed = (write: boolean, lotId: string, request: Effect.Effect<Answer>) =>
      Effect.gen(function* () {
        const sentAt = recorder.now()
        const answer = yield* request
        recorder.record(sentAt, answer, write, lotId)
        return answer
      })

    const park = (lot: LabLot) => {
      const registration = `V${(vehicles++).toString(36).toUpperCase()}`
      return timed(true, lot.id, client.post(`/v1/lots/${lot.id}/park`, { registration, color: prng.pick(colors) })).pipe(
        Effect.tap((answer) => {
          const body = answer.body
          if (answer.status === 201 && isObject(body) && typeof body.id === "string" && typeof body.slot === "number") {
            ledger.parked({ id: body.id, lotId: lot.id, slot: body.slot, registration }, Date.now())
          }
        })
      )
    }

    const reserve = (lot: LabLot) => {
      const registration = `R${(vehicles++).toString(36).toUpperCase()}`
      const holdSeconds = 2 + prng.int(5)
      return timed(true, lot.id, client.post(`/v1/lots/${lot.id}/reservations`, { registration, holdSeconds })).pipe(
        Effect.tap((answer) => {
          const body = answer.body
          if (answer.status === 201 && isObject(body) && typeof body.id === "string" && typeof body.slot === "number" && typeof body.expiresAt === "string") {
            ledger.reserved({ id: body.id, lotId: lot.id, slot: body.slot, expiresAt: Date.parse(body.expiresAt) }, Date.now())
          }
        })
      )
    }

    const next = (): Effect.Effect<unknown> => {
      const lot = prng.pick(lots)
      const open = ledger.openIn(lot.id).filter((t) => t.leave === "none")
      const roll = prng.next()
      if (open.length > 0 && (open.length >= lot.capacity * 0.6 || roll < 0.25)) {
        const ticket = prng.pick(open)
        ledger.leaveSent(ticket)
        return timed(true, lot.id, client.post(`/v1/lots/${lot.id}/leave`, { ticketId: ticket.id })).pipe(
          Effect.tap((answer) => ledger.leaveAnswered(ticket, answer))
        )
      }
      if (roll < 0.6) return park(lot)
      if (roll < 0.7) return reserve(lot)
      if (roll < 0.75) {
        const held = ledger.reservationsIn(lot.id).filter((r) => r.cancel === "none" && r.expiresAt > Date.now() + 1_000)
        if (held.length > 0) {
          const reservation = prng.pick(held)
          ledger.cancelSent(reservation)
          return timed(true, lot.id, client.del(`/v1/lots/${lot.id}/reservations/${reservation.id}`)).pipe(
            Effect.tap((answer) => ledger.cancelAnswered(reservation, answer))
          )
        }
      }
      const query = prng.int(4)
      if (query === 0) return timed(false, lot.id, client.get(`/v1/lots/${lot.id}`))
      if (query === 1) return timed(false, lot.id, client.get(`/v1/lots/${lot.id}/slots`))
      const known = open.length > 0 ? prng.pick(open) : undefined
      if (known === undefined) return timed(false, lot.id, client.get(`/v1/lots/${lot.id}/vehicles`))
      return query === 2
        ? timed(false, lot.id, client.get(`/v1/lots/${lot.id}/vehicles/${known.registration}`))
        : timed(false, lot.id, client.get(`/v1/tickets/${known.id}`))
    }

    const tick = Effect.suspend(() => {
      const now = performance.now()
      credit += (rate * (now - last)) / 1000
      last = now
      const due = Math.floor(credit)
      credit -= due
      let room = deps.maxInFlight - pending
      return Effect.forEach(
        Array.from({ length: due }),
        () => {
          if (room <= 0) {
            skipped++
            return Effect.void
          }
          room--
          pending++
          return FiberSet.run(
            inFlight,
            Effect.suspend(next).pipe(
              Effect.ensuring(
                Effect.sync(() => {
                  pending--
                })
              )
            )
          )
        },
        { discard: true }
      )
    })
    yield* Effect.forkScoped(Effect.repeat(tick, Schedule.spaced("10 millis")))

    return {
      setRate: (perSecond: number) =>
        Effect.sync(() => {
          rate = perSecond
        }),
      rate: () => rate,
      skipped: () => skipped,
      /** Stops starting requests and waits for those in flight to be answered. */
      quiesce: Effect.gen(function* () {
        rate = 0
        credit = 0
        yield* Effect.repeat(Effect.sync(() => pending), {
          schedule: Schedule.spaced("20 millis"),
          until: (n) => n === 0
        })
      }),
      resume: (perSecond: number) =>
        Effect.sync(() => {
          last = performance.now()
          credit = 0
          rate = perSecond
        })
    }
  })

export interface Load {
  readonly setRate: (perSecond: number) => Effect.Effect<void>
  readonly rate: () => number
  readonly skipped: () => number
  readonly quiesce: Effect.Effect<void>
  readonly resume: (perSecond: number) => Effect.Effect<void>
}
