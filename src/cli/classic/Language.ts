import { Brand, Data, Either, ParseResult, Schema } from "effect"
import { Color, Registration } from "../../domain/Vehicle.ts"

/*
 * The classic parking-lot command language, pure: a line becomes a command (or a reason it cannot
 * be one) and a reply becomes the exact text the classic shell prints. No runtime, no IO, so every
 * word of the language is unit-testable on its own.
 */

export type ClassicCommand = Data.TaggedEnum<{
  CreateLot: { readonly slots: number }
  Park: { readonly registration: Registration; readonly color: Color }
  Leave: { readonly slot: number }
  Status: Record<never, never>
  RegistrationsByColor: { readonly color: Color }
  SlotsByColor: { readonly color: Color }
  SlotByRegistration: { readonly registration: Registration }
  Exit: Record<never, never>
}>
export const ClassicCommand = Data.taggedEnum<ClassicCommand>()

export interface StatusRow {
  readonly slot: number
  readonly registration: string
  readonly color: string
}

export type ClassicReply = Data.TaggedEnum<{
  Created: { readonly slots: number }
  Allocated: { readonly slot: number }
  Full: Record<never, never>
  Freed: { readonly slot: number }
  Status: { readonly rows: ReadonlyArray<StatusRow> }
  /** Answers of the queries, in slot order; none means `Not found`. */
  Found: { readonly values: ReadonlyArray<string | number> }
  /** A line that could not be carried out, and why. */
  Failed: { readonly message: string }
}>
export const ClassicReply = Data.taggedEnum<ClassicReply>()

/** Every command word the shell knows, for the message of an unknown one. */
export const commandWords = [
  "create_parking_lot",
  "park",
  "leave",
  "status",
  "registration_numbers_for_cars_with_colour",
  "slot_numbers_for_cars_with_colour",
  "slot_number_for_registration_number",
  "exit"
] as const

type Parsed = Either.Either<ClassicCommand, string>

const firstMessage = (error: ParseResult.ParseError): string =>
  ParseResult.ArrayFormatter.formatErrorSync(error)[0]?.message ?? ParseResult.TreeFormatter.formatErrorSync(error)

const decodeRegistration = Schema.decodeUnknownEither(Registration)
const decodeColor = Schema.decodeUnknownEither(Color)

const asRegistration = Brand.nominal<Registration>()
/** The `Registration` Schema's rules after its trim and upper-casing: 1 to 20 of A-Z, 0-9, space, '-'. */
const plainRegistration = /^[A-Z0-9 -]{1,20}$/

/*
 * Parsing through the Schemas was about a tenth of a 60,000-line script (profiled): a registration
 * that plainly passes the Schema's rules is taken at once (a property test holds this to the
 * Schema), any other goes through the Schema for its verdict and message. Colours repeat, so their
 * verdicts are remembered.
 */
const registrationOf = (word: string): Either.Either<Registration, string> => {
  const normal = word.trim().toUpperCase()
  return plainRegistration.test(normal) ? Either.right(asRegistration(normal)) : Either.mapLeft(decodeRegistration(word), firstMessage)
}

const colorVerdicts = new Map<string, Either.Either<Color, string>>()
const colorOf = (words: ReadonlyArray<string>): Either.Either<Color, string> => {
  const text = words.join(" ")
  let verdict = colorVerdicts.get(text)
  if (verdict === undefined) {
    if (colorVerdicts.size >= 1_024) colorVerdicts.clear()
    verdict = Either.mapLeft(decodeColor(text), firstMessage)
    colorVerdicts.set(text, verdict)
  }
  return verdict
}

/** Slot numbers and counts: plain decimal digits, from 1, within the safe integers. */
const wholeNumberOf = (word: string | undefined, what: string): Either.Either<number, string> => {
  if (word === undefined) return Either.left(`missing ${what}`)
  if (!/^[0-9]+$/.test(word)) return Either.left(`${what} must be a whole number, got "${word}"`)
  const n = Number(word)
  if (n < 1 || !Number.isSafeInteger(n)) return Either.left(`${what} must be a whole number from 1, got "${word}"`)
  return Either.right(n)
}

const usage = {
  create_parking_lot: "create_parking_lot N",
  park: "park REGISTRATION COLOUR",
  leave: "leave SLOT",
  status: "status",
  registration_numbers_for_cars_with_colour: "registration_numbers_for_cars_with_colour COLOUR",
  slot_numbers_for_cars_with_colour: "slot_numbers_for_cars_with_colour COLOUR",
  slot_number_for_registration_number: "slot_number_for_registration_number REGISTRATION",
  exit: "exit"
} as const

const wrongArity = (word: keyof typeof usage): Parsed => Either.left(`usage: ${usage[word]}`)

/** The `color` spellings are accepted as the same commands. */
const canonicalWord = (word: string): string => word.toLowerCase().replace("_color", "_colour")

/**
 * One line of input. `undefined` for a blank line (nothing to do, nothing printed); otherwise the
 * command or the message saying why the line is not one.
 */
export const parseLine = (line: string): Parsed | undefined => {
  const words = line.trim().split(/\s+/)
  const head = words[0]
  if (head === undefined || head === "") return undefined
  const args = words.slice(1)
  const word = canonicalWord(head)
  switch (word) {
    case "create_parking_lot":
      if (args.length !== 1) return wrongArity(word)
      return Either.map(wholeNumberOf(args[0], "the number of slots"), (slots) => ClassicCommand.CreateLot({ slots }))
    case "park": {
      if (args.length < 2) return wrongArity(word)
      // Plain checks rather than Either.gen: this is the hot line of a long script.
      const registration = registrationOf(args[0])
      if (Either.isLeft(registration)) return Either.left(registration.left)
      const color = colorOf(args.slice(1))
      if (Either.isLeft(color)) return Either.left(color.left)
      return Either.right(ClassicCommand.Park({ registration: registration.right, color: color.right }))
    }
    case "leave":
      if (args.length !== 1) return wrongArity(word)
      return Either.map(wholeNumberOf(args[0], "the slot number"), (slot) => ClassicCommand.Leave({ slot }))
    case "status":
      return args.length === 0 ? Either.right(ClassicCommand.Status()) : wrongArity(word)
    case "exit":
      return args.length === 0 ? Either.right(ClassicCommand.Exit()) : wrongArity(word)
    case "registration_numbers_for_cars_with_colour":
    case "slot_numbers_for_cars_with_colour": {
      if (args.length < 1) return wrongArity(word)
      return Either.map(colorOf(args), (color) =>
        word === "slot_numbers_for_cars_with_colour"
          ? ClassicCommand.SlotsByColor({ color })
          : ClassicCommand.RegistrationsByColor({ color })
      )
    }
    case "slot_number_for_registration_number":
      if (args.length !== 1) return wrongArity(word)
      return Either.map(registrationOf(args[0]), (registration) => ClassicCommand.SlotByRegistration({ registration }))
    default:
      return Either.left(`unknown command "${head}"; the commands are ${commandWords.join(", ")}`)
  }
}

/** printf `%-12s%-19s%s`: pad to the width, never cut. */
const statusLine = (slot: string, registration: string, color: string): string =>
  `${slot.padEnd(12)}${registration.padEnd(19)}${color}`

export const statusHeader = statusLine("Slot No.", "Registration No", "Colour")

/** The exact text of a reply, without the final newline (a status is several lines). */
export const formatReply: (reply: ClassicReply) => string = ClassicReply.$match({
  Created: ({ slots }) => `Created a parking lot with ${slots} slots`,
  Allocated: ({ slot }) => `Allocated slot number: ${slot}`,
  Full: () => "Sorry, parking lot is full",
  Freed: ({ slot }) => `Slot number ${slot} is free`,
  Status: ({ rows }) =>
    [statusHeader, ...rows.map((row) => statusLine(String(row.slot), row.registration, row.color))].join("\n"),
  Found: ({ values }) => (values.length === 0 ? "Not found" : values.join(", ")),
  Failed: ({ message }) => `Error: ${message}`
})
