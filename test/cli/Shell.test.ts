import { describe, expect, it } from "@effect/vitest"
import { Effect, FastCheck as fc, Queue, Stream } from "effect"
import { readFileSync } from "node:fs"
import path from "node:path"
import { runClassicShell } from "../../src/cli/classic/Shell.ts"
import { localParking } from "../../src/cli/LocalParking.ts"
import { colorKey } from "../../src/domain/Vehicle.ts"

/** CI checks the repository out next to `shared/`; locally it is /work/shared. */
const repoRoot = path.resolve(import.meta.dirname, "../..")
const sharedClassic = path.resolve(repoRoot, "../shared/classic")

/** Runs a script through the shell over the real runtime on a fresh in-memory database. */
const runScript = (lines: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const out: Array<string> = []
    const outcome = yield* runClassicShell(Stream.fromIterable(lines), {
      write: (text) => Effect.sync(() => void out.push(text))
    })
    return { output: out.join(""), outcome }
  }).pipe(Effect.provide(localParking(":memory:")))

describe("classic shell over the runtime", () => {
  it.effect("answers the sample exactly", () =>
    Effect.gen(function* () {
      const input = readFileSync(path.join(sharedClassic, "sample_input.txt"), "utf8").split("\n")
      const expected = readFileSync(path.join(sharedClassic, "sample_output.txt"), "utf8")
      const { output, outcome } = yield* runScript(input)
      expect(output).toBe(expected)
      expect(outcome).toEqual({ commands: 15, failures: 0 })
    })
  )

  it.effect("prints one clear line for every line it cannot carry out, and goes on", () =>
    Effect.gen(function* () {
      const { output, outcome } = yield* runScript([
        "park KA-01 White",
        "leave 1",
        "status",
        "slot_number_for_registration_number KA-01",
        "create_parking_lot 2",
        "create_parking_lot 3",
        "park KA-01 White",
        "park ka-01 black",
        "leave 2",
        "leave 3",
        "leave x",
        "leave 0",
        "leave",
        "fly away",
        "create_parking_lot 10000001",
        "park KA_01 White",
        "park KA-02 Wh1te",
        "park KA-02",
        "",
        "registration_numbers_for_cars_with_colour",
        "status please",
        "slot_numbers_for_cars_with_color WHITE"
      ])
      expect(output.split("\n")).toEqual([
        "Error: there is no parking lot yet; start with create_parking_lot N",
        "Error: there is no parking lot yet; start with create_parking_lot N",
        "Error: there is no parking lot yet; start with create_parking_lot N",
        "Error: there is no parking lot yet; start with create_parking_lot N",
        "Created a parking lot with 2 slots",
        "Error: a parking lot with 2 slots already exists; this shell keeps one lot",
        "Allocated slot number: 1",
        "Error: Vehicle KA-01 is already parked in slot 1",
        "Error: Slot 2 is already free",
        "Error: Slot 3 does not exist; this lot has slots 1 to 2",
        'Error: the slot number must be a whole number, got "x"',
        'Error: the slot number must be a whole number from 1, got "0"',
        "Error: usage: leave SLOT",
        'Error: unknown command "fly"; the commands are create_parking_lot, park, leave, status, ' +
          "registration_numbers_for_cars_with_colour, slot_numbers_for_cars_with_colour, " +
          "slot_number_for_registration_number, exit",
        "Error: a parking lot with 2 slots already exists; this shell keeps one lot",
        "Error: a registration has only letters, digits, spaces and '-'",
        "Error: a colour has only letters and spaces",
        "Error: usage: park REGISTRATION COLOUR",
        "Error: usage: registration_numbers_for_cars_with_colour COLOUR",
        "Error: usage: status",
        "1",
        ""
      ])
      expect(outcome).toEqual({ commands: 21, failures: 18 })
    })
  )

  it.effect("refuses a lot larger than the domain allows with the domain's words", () =>
    Effect.gen(function* () {
      const { output, outcome } = yield* runScript(["create_parking_lot 10000001", "park KA-01 White"])
      const [first, second] = output.split("\n")
      expect(first).toMatch(/^Error: .*slot count is a whole number from 1/)
      expect(second).toBe("Error: there is no parking lot yet; start with create_parking_lot N")
      expect(outcome.failures).toBe(2)
    })
  )

  it.effect("stops at exit and prints nothing for it", () =>
    Effect.gen(function* () {
      const { output, outcome } = yield* runScript(["create_parking_lot 1", "exit", "park KA-01 White"])
      expect(output).toBe("Created a parking lot with 1 slots\n")
      expect(outcome).toEqual({ commands: 1, failures: 0 })
    })
  )

  it.effect("shows a colour as the lot first saw it and matches it in any case", () =>
    Effect.gen(function* () {
      const { output } = yield* runScript([
        "create_parking_lot 3",
        "park ka-01-a white",
        "park KA-01-B WHITE",
        "park KA-01-C Light  Blue",
        "status",
        "registration_numbers_for_cars_with_colour White",
        "slot_numbers_for_cars_with_colour light blue",
        "slot_number_for_registration_number ka-01-b"
      ])
      expect(output).toBe(
        [
          "Created a parking lot with 3 slots",
          "Allocated slot number: 1",
          "Allocated slot number: 2",
          "Allocated slot number: 3",
          "Slot No.    Registration No    Colour",
          "1           KA-01-A            white",
          "2           KA-01-B            white",
          "3           KA-01-C            Light Blue",
          "KA-01-A, KA-01-B",
          "3",
          "2",
          ""
        ].join("\n")
      )
    })
  )
})

/*
 * The reference model: the classic language over a plain array of slots, with the domain's
 * messages. Generated scripts must read the same through the real runtime.
 */
type Slot = { readonly registration: string; readonly color: string } | undefined

const modelRun = (lines: ReadonlyArray<string>): string => {
  let slots: Array<Slot> | undefined
  const out: Array<string> = []
  const noLot = "Error: there is no parking lot yet; start with create_parking_lot N"
  for (const line of lines) {
    const [word, ...args] = line.split(" ")
    if (word === "create_parking_lot") {
      if (slots !== undefined) out.push(`Error: a parking lot with ${slots.length} slots already exists; this shell keeps one lot`)
      else {
        slots = new Array<Slot>(Number(args[0])).fill(undefined)
        out.push(`Created a parking lot with ${slots.length} slots`)
      }
      continue
    }
    if (slots === undefined) {
      out.push(noLot)
      continue
    }
    const taken = slots.flatMap((s, i) => (s === undefined ? [] : [{ slot: i + 1, ...s }]))
    switch (word) {
      case "park": {
        const registration = args[0].toUpperCase()
        const there = taken.find((t) => t.registration === registration)
        const free = slots.indexOf(undefined)
        if (there !== undefined) out.push(`Error: Vehicle ${registration} is already parked in slot ${there.slot}`)
        else if (free < 0) out.push("Sorry, parking lot is full")
        else {
          // The lot shows a colour as first given while any vehicle of that colour is parked.
          const same = taken.find((t) => colorKey(t.color) === colorKey(args[1]))
          slots[free] = { registration, color: same?.color ?? args[1] }
          out.push(`Allocated slot number: ${free + 1}`)
        }
        break
      }
      case "leave": {
        const slot = Number(args[0])
        if (slot > slots.length) out.push(`Error: Slot ${slot} does not exist; this lot has slots 1 to ${slots.length}`)
        else if (slots[slot - 1] === undefined) out.push(`Error: Slot ${slot} is already free`)
        else {
          slots[slot - 1] = undefined
          out.push(`Slot number ${slot} is free`)
        }
        break
      }
      case "status":
        out.push("Slot No.    Registration No    Colour")
        for (const t of taken) out.push(`${String(t.slot).padEnd(12)}${t.registration.padEnd(19)}${t.color}`)
        break
      case "registration_numbers_for_cars_with_colour":
      case "slot_numbers_for_cars_with_colour": {
        const found = taken.filter((t) => colorKey(t.color) === colorKey(args[0]))
        const values = found.map((t) => (word === "slot_numbers_for_cars_with_colour" ? t.slot : t.registration))
        out.push(values.length === 0 ? "Not found" : values.join(", "))
        break
      }
      case "slot_number_for_registration_number": {
        const there = taken.find((t) => t.registration === args[0].toUpperCase())
        out.push(there === undefined ? "Not found" : String(there.slot))
        break
      }
    }
  }
  return out.map((line) => `${line}\n`).join("")
}

const plate = fc.constantFrom("KA-01-HH-1", "ka-01-hh-1", "KA-02", "DL-9", "MH-04-AY-1111", "X")
const colour = fc.constantFrom("White", "white", "Black", "Red", "BLUE", "blue")
const command = fc.oneof(
  { arbitrary: fc.tuple(plate, colour).map(([p, c]) => `park ${p} ${c}`), weight: 5 },
  { arbitrary: fc.integer({ min: 1, max: 7 }).map((s) => `leave ${s}`), weight: 3 },
  { arbitrary: fc.constant("status"), weight: 1 },
  { arbitrary: colour.map((c) => `registration_numbers_for_cars_with_colour ${c}`), weight: 1 },
  { arbitrary: colour.map((c) => `slot_numbers_for_cars_with_colour ${c}`), weight: 1 },
  { arbitrary: plate.map((p) => `slot_number_for_registration_number ${p}`), weight: 1 },
  { arbitrary: fc.integer({ min: 1, max: 6 }).map((n) => `create_parking_lot ${n}`), weight: 1 }
)

describe("classic shell against the reference model", () => {
  it.effect.prop(
    "generated scripts read the same as the model",
    { lines: fc.array(command, { minLength: 1, maxLength: 40 }) },
    ({ lines }) =>
      Effect.gen(function* () {
        const { output } = yield* runScript(lines)
        expect(output).toBe(modelRun(lines))
      }),
    { fastCheck: { numRuns: 40 } }
  )
})

describe("classic shell fed a line at a time", () => {
  it.live("answers each line before the next one arrives (a program driving it through a pipe)", () =>
    Effect.gen(function* () {
      // The next line is sent only once the shell has answered the one before: a shell that waited
      // for more input to fill a script would never answer.
      const script = ["create_parking_lot 3", "park KA-01 White", "park KA-02 Red", "leave 1", "slot_numbers_for_cars_with_colour Red", "exit"]
      const input = yield* Queue.unbounded<string>()
      const replies: Array<string> = []
      yield* Queue.offer(input, script[0])
      const outcome = yield* runClassicShell(Stream.fromQueue(input), {
        write: (text) =>
          Effect.suspend(() => {
            replies.push(text)
            return replies.length < script.length ? Queue.offer(input, script[replies.length]) : Effect.void
          })
      }).pipe(Effect.timeout("20 seconds"))
      expect(replies.join("")).toBe("Created a parking lot with 3 slots\nAllocated slot number: 1\nAllocated slot number: 2\nSlot number 1 is free\n2\n")
      expect(outcome).toEqual({ commands: 5, failures: 0 })
    }).pipe(Effect.provide(localParking(":memory:")))
  )
})
