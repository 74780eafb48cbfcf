import { Effect, Either, Option, ParseResult, Ref, Schema, Stream } from "effect"
import { SlotGroup } from "../../domain/Events.ts"
import { defaultTenant, type LotId } from "../../domain/Ids.ts"
import { LeaveTarget } from "../../domain/Lot.ts"
import { type Envelope, Parking } from "../../runtime/Parking.ts"
import { type ClassicCommand, ClassicReply, formatReply, parseLine } from "./Language.ts"

/*
 * The classic shell on parkplane's own runtime: each command goes through the `Parking` service,
 * exactly as an HTTP request would, into one lot named `classic` with `standard` slots.
 */

/** The lot the classic language works on; with `--db` it is found again on the next run. */
export const classicLotName = "classic"

export interface ClassicOutcome {
  /** Lines that were commands (blank lines are not). */
  readonly commands: number
  /** Lines that printed `Error: ...` because they could not be carried out. */
  readonly failures: number
}

interface ClassicLot {
  readonly id: LotId
  readonly capacity: number
}

const noLotYet = ClassicReply.Failed({ message: "there is no parking lot yet; start with create_parking_lot N" })

const failed = (error: { readonly message: string }) => ClassicReply.Failed({ message: error.message })

const decodeSlotGroup = Schema.decodeUnknown(SlotGroup)

/** Carries classic commands out against `Parking`; the lot is looked up once, then remembered. */
export const makeClassicSession = Effect.gen(function* () {
  const parking = yield* Parking
  const existing = yield* parking.findLotByName(defaultTenant, classicLotName).pipe(Effect.option)
  const lotRef = yield* Ref.make(Option.map(existing, (lot): ClassicLot => ({ id: lot.id, capacity: lot.capacity })))
  let sequence = 0
  const envelope = (): Envelope => ({ tenant: defaultTenant, correlationId: `classic-${++sequence}` })

  const withLot = <E>(f: (lot: ClassicLot) => Effect.Effect<ClassicReply, E>): Effect.Effect<ClassicReply, E> =>
    Effect.flatMap(Ref.get(lotRef), Option.match({ onNone: () => Effect.succeed(noLotYet), onSome: f }))

  const createLot = (slots: number): Effect.Effect<ClassicReply> =>
    Effect.flatMap(
      Ref.get(lotRef),
      Option.match({
        onSome: (lot) =>
          Effect.succeed(
            ClassicReply.Failed({
              message: `a parking lot with ${lot.capacity} slots already exists; this shell keeps one lot`
            })
          ),
        onNone: () =>
          decodeSlotGroup({ type: "standard", count: slots }).pipe(
            Effect.mapError((error) => ({
              message: ParseResult.ArrayFormatter.formatErrorSync(error)[0]?.message ?? error.message
            })),
            Effect.flatMap((group) => parking.createLot(envelope(), { name: classicLotName, layout: [group] })),
            Effect.tap((lot) => Ref.set(lotRef, Option.some({ id: lot.id, capacity: lot.capacity }))),
            Effect.map((lot) => ClassicReply.Created({ slots: lot.capacity })),
            Effect.catchAll((error) => Effect.succeed(failed(error)))
          )
      })
    )

  const execute = (command: Exclude<ClassicCommand, { readonly _tag: "Exit" }>): Effect.Effect<ClassicReply> => {
    switch (command._tag) {
      case "CreateLot":
        return createLot(command.slots)
      case "Park":
        return withLot((lot) =>
          parking.park(envelope(), lot.id, { registration: command.registration, color: command.color }).pipe(
            Effect.map((ticket) => ClassicReply.Allocated({ slot: ticket.slot })),
            Effect.catchTag("LotFull", () => Effect.succeed(ClassicReply.Full()))
          )
        ).pipe(Effect.catchAll((error) => Effect.succeed(failed(error))))
      case "Leave":
        return withLot((lot) =>
          parking
            .leave(envelope(), lot.id, LeaveTarget.BySlot({ slot: command.slot }))
            .pipe(Effect.map((ticket) => ClassicReply.Freed({ slot: ticket.slot })))
        ).pipe(Effect.catchAll((error) => Effect.succeed(failed(error))))
      case "Status":
        return withLot((lot) =>
          parking
            .vehicles(defaultTenant, lot.id)
            .pipe(Effect.map((vehicles) => ClassicReply.Status({ rows: vehicles })))
        ).pipe(Effect.catchAll((error) => Effect.succeed(failed(error))))
      case "RegistrationsByColor":
        return withLot((lot) =>
          parking
            .vehicles(defaultTenant, lot.id, command.color)
            .pipe(Effect.map((vehicles) => ClassicReply.Found({ values: vehicles.map((v) => v.registration) })))
        ).pipe(Effect.catchAll((error) => Effect.succeed(failed(error))))
      case "SlotsByColor":
        return withLot((lot) =>
          parking
            .vehicles(defaultTenant, lot.id, command.color)
            .pipe(Effect.map((vehicles) => ClassicReply.Found({ values: vehicles.map((v) => v.slot) })))
        ).pipe(Effect.catchAll((error) => Effect.succeed(failed(error))))
      case "SlotByRegistration":
        return withLot((lot) =>
          parking.locate(defaultTenant, lot.id, command.registration).pipe(
            Effect.map((location) => ClassicReply.Found({ values: [location.slot] })),
            Effect.catchTag("VehicleNotFound", () => Effect.succeed(ClassicReply.Found({ values: [] })))
          )
        ).pipe(Effect.catchAll((error) => Effect.succeed(failed(error))))
    }
  }

  return { execute } as const
})

export interface ClassicShellOptions {
  /** Where replies go; called once per command, so output is flushed command by command. */
  readonly write: (text: string) => Effect.Effect<void>
  /** Shown before each line when a person is typing (standard input is a terminal). */
  readonly prompt?: string | undefined
}

interface Progress extends ClassicOutcome {
  readonly exited: boolean
}

/**
 * Runs lines until they end or one says `exit`: one reply per command, an `Error: ...` line for a
 * line that cannot be carried out, and on to the next line in every case.
 */
export const runClassicShell = <E, R>(
  lines: Stream.Stream<string, E, R>,
  options: ClassicShellOptions
): Effect.Effect<ClassicOutcome, E, Parking | R> =>
  Effect.gen(function* () {
    const session = yield* makeClassicSession
    const prompt = options.prompt
    const showPrompt = prompt === undefined ? Effect.void : options.write(prompt)
    yield* showPrompt
    const end = yield* Stream.runFoldWhileEffect(
      lines,
      { commands: 0, failures: 0, exited: false } satisfies Progress as Progress,
      (progress) => !progress.exited,
      (progress, line): Effect.Effect<Progress> => {
        const parsed = parseLine(line)
        if (parsed === undefined) return Effect.as(showPrompt, progress)
        let reply: Effect.Effect<ClassicReply>
        if (Either.isLeft(parsed)) reply = Effect.succeed(ClassicReply.Failed({ message: parsed.left }))
        else {
          const command = parsed.right
          if (command._tag === "Exit") return Effect.succeed({ ...progress, exited: true })
          reply = session.execute(command)
        }
        return Effect.flatMap(reply, (answer) =>
          Effect.as(options.write(`${formatReply(answer)}\n`).pipe(Effect.zipRight(showPrompt)), {
            commands: progress.commands + 1,
            failures: progress.failures + (answer._tag === "Failed" ? 1 : 0),
            exited: false
          })
        )
      }
    )
    // End of input leaves the cursor after the prompt; end the line so the terminal's prompt is clean.
    if (prompt !== undefined && !end.exited) yield* options.write("\n")
    return { commands: end.commands, failures: end.failures }
  })
