import { describe, expect, it } from "@effect/vitest"
import { Either, FastCheck, ParseResult, Schema } from "effect"
import { ClassicCommand, ClassicReply, formatReply, parseLine, statusHeader } from "../../src/cli/classic/Language.ts"
import { Color, Registration } from "../../src/domain/Vehicle.ts"

const registration = Schema.decodeSync(Registration)
const color = Schema.decodeSync(Color)

const parsed = (line: string) => {
  const result = parseLine(line)
  if (result === undefined) throw new Error(`"${line}" parsed as blank`)
  return result
}
const refusal = (line: string) => {
  const result = parsed(line)
  if (Either.isRight(result)) throw new Error(`"${line}" parsed as ${result.right._tag}`)
  return result.left
}

describe("classic language: parsing", () => {
  it("reads every command of the sample", () => {
    expect(parsed("create_parking_lot 6")).toEqual(Either.right(ClassicCommand.CreateLot({ slots: 6 })))
    expect(parsed("park KA-01-HH-1234 White")).toEqual(
      Either.right(ClassicCommand.Park({ registration: registration("KA-01-HH-1234"), color: color("White") }))
    )
    expect(parsed("leave 4")).toEqual(Either.right(ClassicCommand.Leave({ slot: 4 })))
    expect(parsed("status")).toEqual(Either.right(ClassicCommand.Status()))
    expect(Either.getOrThrow(parsed("registration_numbers_for_cars_with_colour White"))._tag).toBe("RegistrationsByColor")
    expect(Either.getOrThrow(parsed("slot_numbers_for_cars_with_colour White"))._tag).toBe("SlotsByColor")
    expect(Either.getOrThrow(parsed("slot_number_for_registration_number KA-01-HH-3141"))._tag).toBe("SlotByRegistration")
    expect(parsed("exit")).toEqual(Either.right(ClassicCommand.Exit()))
  })

  it("accepts the color spellings as the same commands", () => {
    expect(Either.getOrThrow(parsed("registration_numbers_for_cars_with_color White"))._tag).toBe("RegistrationsByColor")
    expect(Either.getOrThrow(parsed("slot_numbers_for_cars_with_color White"))._tag).toBe("SlotsByColor")
  })

  it("normalises registrations through the domain and keeps colours as given", () => {
    const park = Either.getOrThrow(parsed("  park   ka-01-hh-1234   Light  Blue  "))
    expect(park).toEqual(ClassicCommand.Park({ registration: registration("KA-01-HH-1234"), color: color("Light Blue") }))
  })

  it("treats blank lines as nothing to do", () => {
    expect(parseLine("")).toBeUndefined()
    expect(parseLine("   \t ")).toBeUndefined()
  })

  it("says why a line is not a command", () => {
    expect(refusal("fly KA-01 White")).toMatch(/^unknown command "fly"; the commands are create_parking_lot, park, /)
    expect(refusal("create_parking_lot")).toBe("usage: create_parking_lot N")
    expect(refusal("create_parking_lot 6 7")).toBe("usage: create_parking_lot N")
    expect(refusal("create_parking_lot six")).toBe('the number of slots must be a whole number, got "six"')
    expect(refusal("create_parking_lot -3")).toBe('the number of slots must be a whole number, got "-3"')
    expect(refusal("create_parking_lot 0")).toBe('the number of slots must be a whole number from 1, got "0"')
    expect(refusal("leave")).toBe("usage: leave SLOT")
    expect(refusal("leave 1.5")).toBe('the slot number must be a whole number, got "1.5"')
    expect(refusal("leave 99999999999999999999")).toBe('the slot number must be a whole number from 1, got "99999999999999999999"')
    expect(refusal("park KA-01")).toBe("usage: park REGISTRATION COLOUR")
    expect(refusal("park KA_01 White")).toBe("a registration has only letters, digits, spaces and '-'")
    expect(refusal(`park ${"A".repeat(21)} White`)).toBe("a registration has at most 20 characters")
    expect(refusal("park KA-01 Wh1te")).toBe("a colour has only letters and spaces")
    expect(refusal(`park KA-01 ${"W".repeat(31)}`)).toBe("a colour has at most 30 characters")
    expect(refusal("status now")).toBe("usage: status")
    expect(refusal("exit 0")).toBe("usage: exit")
    expect(refusal("registration_numbers_for_cars_with_colour")).toBe(
      "usage: registration_numbers_for_cars_with_colour COLOUR"
    )
    expect(refusal("slot_number_for_registration_number A B")).toBe(
      "usage: slot_number_for_registration_number REGISTRATION"
    )
  })
})

describe("classic language: replies", () => {
  it("prints each reply in the classic words", () => {
    expect(formatReply(ClassicReply.Created({ slots: 6 }))).toBe("Created a parking lot with 6 slots")
    expect(formatReply(ClassicReply.Allocated({ slot: 4 }))).toBe("Allocated slot number: 4")
    expect(formatReply(ClassicReply.Full())).toBe("Sorry, parking lot is full")
    expect(formatReply(ClassicReply.Freed({ slot: 4 }))).toBe("Slot number 4 is free")
    expect(formatReply(ClassicReply.Found({ values: [] }))).toBe("Not found")
    expect(formatReply(ClassicReply.Found({ values: [1, 2, 4] }))).toBe("1, 2, 4")
    expect(formatReply(ClassicReply.Found({ values: ["KA-01", "KA-02"] }))).toBe("KA-01, KA-02")
    expect(formatReply(ClassicReply.Failed({ message: "Slot 4 is already free" }))).toBe("Error: Slot 4 is already free")
  })

  it("lays the status out like printf %-12s%-19s%s", () => {
    expect(statusHeader).toBe("Slot No.    Registration No    Colour")
    const rows = [
      { slot: 1, registration: "KA-01-HH-1234", color: "White" },
      { slot: 12345678901234, registration: "ABCDEFGHIJKLMNOPQRST", color: "Light Blue" }
    ]
    expect(formatReply(ClassicReply.Status({ rows }))).toBe(
      [statusHeader, "1           KA-01-HH-1234      White", "12345678901234ABCDEFGHIJKLMNOPQRSTLight Blue"].join("\n")
    )
    expect(formatReply(ClassicReply.Status({ rows: [] }))).toBe(statusHeader)
  })
})

describe("classic language: registrations and colours agree with their Schemas", () => {
  // Words as split from a line (no white space), from plates, odd letters (ß, ı, accents) and junk.
  const word = FastCheck.oneof(
    FastCheck.stringMatching(/^[A-Za-z0-9-]{1,24}$/),
    FastCheck.string({ unit: FastCheck.constantFrom("a", "Z", "9", "-", "ß", "ı", "é", "_", ".", "Ω"), minLength: 1, maxLength: 22 }),
    FastCheck.string({ unit: "binary", minLength: 1, maxLength: 22 }).filter((s) => !/\s/.test(s))
  )
  const bySchema = (decode: (u: unknown) => Either.Either<unknown, ParseResult.ParseError>, text: string) =>
    Either.mapLeft(decode(text), (e) => ParseResult.ArrayFormatter.formatErrorSync(e)[0]?.message)

  it.prop("slot_number_for_registration_number accepts exactly what the Registration Schema accepts, normalised the same", { plate: word }, ({ plate }) => {
    const result = parsed(`slot_number_for_registration_number ${plate}`)
    const expected = bySchema(Schema.decodeUnknownEither(Registration), plate)
    if (Either.isRight(expected)) expect(result).toEqual(Either.right(ClassicCommand.SlotByRegistration({ registration: registration(plate) })))
    else expect(result).toEqual(Either.left(expected.left))
  })

  it.prop("a colour is accepted exactly when its Schema accepts it, also the second time", { colour: word }, ({ colour }) => {
    const expected = bySchema(Schema.decodeUnknownEither(Color), colour)
    for (let i = 0; i < 2; i++) {
      const result = parsed(`slot_numbers_for_cars_with_colour ${colour}`)
      if (Either.isRight(expected)) expect(result).toEqual(Either.right(ClassicCommand.SlotsByColor({ color: color(colour) })))
      else expect(result).toEqual(Either.left(expected.left))
    }
  })
})
