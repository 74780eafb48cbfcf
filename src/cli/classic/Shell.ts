import { Chunk, Effect, Either, Option, ParseResult, Ref, Schema, Stream } from "effect"
import { SlotGroup } from "../../domain/Events.ts"
import { defaultTenant, type LotId } from "../../domain/Ids.ts"
import { LeaveTarget } from "../../domain/Lot.ts"
import { type Envelope, Parking, type ScriptAnswer, type ScriptStep } from "../../runtime/Parking.ts"
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

  /** The script step a command is, for every command but `create_parking_lot`. */
  const stepOf = (command: Exclude<ClassicCommand, { readonly _tag: "Exit" | "CreateLot" }>): ScriptStep => {
    switch (command._tag) {
      case "Park":
        return { _tag: "Park", vehicle: { registration: command.registration, color: command.color } }
      case "Leave":
        return { _tag: "Leave", target: LeaveTarget.BySlot({ slot: command.slot }) }
      case "Status":
        return { _tag: "Vehicles" }
      case "RegistrationsByColor":
        return { _tag: "Registrations", color: command.color }
      case "SlotsByColor":
        return { _tag: "Slots", color: command.color }
      case "SlotByRegistration":
        return { _tag: "Locate", registration: command.registration }
    }
  }

  /** The classic reply to a command, from what its step answered. */
  const replyOf = (command: Exclude<ClassicCommand, { readonly _tag: "Exit" | "CreateLot" }>, answer: ScriptAnswer): ClassicReply => {
    switch (answer._tag) {
      case "Ticket":
        return Either.match(answer.ticket, {
          onLeft: (error) => (error._tag === "LotFull" ? ClassicReply.Full() : failed(error)),
          onRight: (ticket) => (command._tag === "Park" ? ClassicReply.Allocated({ slot: ticket.slot }) : ClassicReply.Freed({ slot: ticket.slot }))
        })
      case "Vehicles":
        return ClassicReply.Status({ rows: answer.vehicles })
      case "Slots":
        return ClassicReply.Found({ values: answer.slots })
      case "Registrations":
        return ClassicReply.Found({ values: answer.registrations })
      case "Located":
        return ClassicReply.Found({ values: Either.isRight(answer.location) ? [answer.location.right.slot] : [] })
    }
  }

  /**
   * Carries out commands in order as one script on the lot: they are decided in one run of the lot's
   * worker and made durable in one write, each answered as if run alone.
   */
  const executeAll = (commands: ReadonlyArray<Exclude<ClassicCommand, { readonly _tag: "Exit" | "CreateLot" }>>): Effect.Effect<ReadonlyArray<ClassicReply>> =>
    Effect.flatMap(Ref.get(lotRef), (lot) =>
      Option.isNone(lot)
        ? Effect.succeed(commands.map(() => noLotYet))
        : parking.runScript(envelope(), lot.value.id, commands.map(stepOf)).pipe(
            Effect.map((answers) => commands.map((command, i) => replyOf(command, answers[i]))),
            Effect.catchAll((error) => Effect.succeed(commands.map(() => failed(error))))
          )
    )

  const execute = (command: Exclude<ClassicCommand, { readonly _tag: "Exit" }>): Effect.Effect<ClassicReply> =>
    command._tag === "CreateLot" ? createLot(command.slots) : Effect.map(executeAll([command]), (replies) => replies[0])

  return { execute, executeAll } as const
})

export interface ClassicShellOptions {
  /** Where replies go; called once per command, so output is flushed command by command. */
  readonly write: (text: string) => Effect.Effect<void>
  /** Shown before each line when a person is typing (standard input is a terminal). */
  readonly prompt?: string | undefined
}

/** Exactly the lines `parseLine` reads as `exit` (the word alone, in any case). */
const isExitLine = (line: string): boolean => /^\s*exit\s*$/i.test(line)

/** Commands sent to the lot as one script at most, when reading a file or a pipe. */
const scriptLength = 256

type ScriptCommand = Exclude<ClassicCommand, { readonly _tag: "Exit" | "CreateLot" }>

/**
 * Runs lines until they end or one says `exit`: one reply per command, an `Error: ...` line for a
 * line that cannot be carried out, and on to the next line in every case.
 *
 * When nobody is typing (no prompt), consecutive commands other than `create_parking_lot` are sent
 * to the lot as one script of up to 256 steps (`Parking.runScript`): the lot's worker decides them
 * in order in one run, makes them durable in one write and answers each as if it ran alone. The
 * output is exactly what running the lines one by one prints, in line order.
 */
export const runClassicShell = <E, R>(
  lines: Stream.Stream<string, E, R>,
  options: ClassicShellOptions
): Effect.Effect<ClassicOutcome, E, Parking | R> =>
  Effect.gen(function* () {
    const session = yield* makeClassicSession
    const prompt = options.prompt
    const interactive = prompt !== undefined
    const showPrompt = prompt === undefined ? Effect.void : options.write(prompt)
    const progress = { commands: 0, failures: 0, exited: false }
    /** Lines not answered yet, in order: a script command, or a reply already known (a parse error). */
    let waiting: Array<ScriptCommand | ClassicReply> = []

    const print = (answer: ClassicReply) => {
      progress.commands++
      if (answer._tag === "Failed") progress.failures++
      return options.write(`${formatReply(answer)}\n`).pipe(Effect.zipRight(showPrompt))
    }
    const isReply = (item: ScriptCommand | ClassicReply): item is ClassicReply => ClassicReply.$is("Failed")(item)

    const flush: Effect.Effect<void> = Effect.suspend(() => {
      if (waiting.length === 0) return Effect.void
      const items = waiting
      waiting = []
      const commands = items.filter((item): item is ScriptCommand => !isReply(item))
      return Effect.flatMap(session.executeAll(commands), (replies) => {
        let next = 0
        return Effect.forEach(items, (item) => print(isReply(item) ? item : replies[next++]), { discard: true })
      })
    })

    const onLine = (line: string): Effect.Effect<void> => {
      const parsed = parseLine(line)
      if (parsed === undefined) return interactive ? showPrompt : Effect.void
      if (Either.isLeft(parsed)) {
        waiting.push(ClassicReply.Failed({ message: parsed.left }))
        return interactive ? flush : Effect.void
      }
      const command = parsed.right
      if (command._tag === "Exit") {
        progress.exited = true
        return flush
      }
      if (command._tag === "CreateLot") return flush.pipe(Effect.zipRight(Effect.flatMap(session.execute(command), print)))
      waiting.push(command)
      return interactive || waiting.length >= scriptLength ? flush : Effect.void
    }

    yield* showPrompt
    // Lines go out as scripts only as far as input has already arrived: at the end of each chunk
    // read, what waits is answered, so a program feeding the shell a line at a time through a pipe
    // gets each answer before it sends the next.
    const onChunk = (chunk: Chunk.Chunk<string>): Effect.Effect<void> =>
      Effect.forEach(chunk, (line) => (progress.exited ? Effect.void : onLine(line)), { discard: true }).pipe(Effect.zipRight(flush))
    // The stream ends with the line that says `exit`, so a terminal or pipe is not read past it.
    yield* Stream.runForEachChunk(Stream.takeUntil(lines, isExitLine), onChunk)
    yield* flush
    // End of input leaves the cursor after the prompt; end the line so the terminal's prompt is clean.
    if (prompt !== undefined && !progress.exited) yield* options.write("\n")
    return { commands: progress.commands, failures: progress.failures }
  })
