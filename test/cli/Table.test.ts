import { describe, expect, it } from "@effect/vitest"
import { fields, table } from "../../src/cli/remote/Table.ts"

describe("remote output layouts", () => {
  it("pads columns to the widest cell and trims the line ends", () => {
    expect(
      table(
        ["ID", "NAME", "FREE"],
        [
          ["L1", "garage", 8],
          ["L12", "x", undefined]
        ]
      )
    ).toBe(["ID   NAME    FREE", "L1   garage  8", "L12  x       -"].join("\n"))
  })

  it("aligns field names and shows a missing value as -", () => {
    expect(
      fields([
        ["ticket", "L1-2"],
        ["registration", "KA-01"],
        ["fee", undefined]
      ])
    ).toBe(["ticket        L1-2", "registration  KA-01", "fee           -"].join("\n"))
  })
})
