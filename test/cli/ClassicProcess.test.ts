import { describe, expect, it } from "@effect/vitest"
import { spawn } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import path from "node:path"

/*
 * `parkplane classic` as a user runs it: a real node process through the bin shim, with a file,
 * with piped standard input, and on a pseudo-terminal (util-linux `script`).
 */

const repoRoot = path.resolve(import.meta.dirname, "../..")
const bin = path.join(repoRoot, "src/bin/parkplane.mjs")
/** CI checks the repository out next to `shared/`; locally it is /work/shared. */
const sharedClassic = path.resolve(repoRoot, "../shared/classic")

interface Run {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

const run = (command: string, args: ReadonlyArray<string>, input?: string): Promise<Run> =>
  new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: repoRoot, env: { ...process.env, NO_COLOR: "1" } })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")))
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")))
    child.on("error", reject)
    child.on("close", (code) => resolve({ code, stdout, stderr }))
    if (input !== undefined) child.stdin.end(input)
    else child.stdin.end()
  })

const parkplane = (args: ReadonlyArray<string>, input?: string) => run(process.execPath, [bin, ...args], input)

/** Each test starts node processes, which take seconds on a busy machine. */
const slow = 300_000

describe.concurrent("parkplane classic, as a process", () => {
  it("prints the sample's output byte for byte and exits 0", async () => {
    const result = await parkplane(["classic", path.join(sharedClassic, "sample_input.txt")])
    expect(result.stdout).toBe(readFileSync(path.join(sharedClassic, "sample_output.txt"), "utf8"))
    expect(result.stderr).toBe("")
    expect(result.code).toBe(0)
  }, slow)

  it("goes on after a line it cannot carry out, prints only result lines, and exits 1", async () => {
    const folder = mkdtempSync(path.join(tmpdir(), "parkplane-classic-"))
    try {
      const script = path.join(folder, "errors.txt")
      writeFileSync(script, ["park KA-01 White", "create_parking_lot 1", "jump", "park KA-01 White", "leave 1", "status", ""].join("\n"))
      const result = await parkplane(["classic", script])
      expect(result.stdout.split("\n")).toEqual([
        "Error: there is no parking lot yet; start with create_parking_lot N",
        "Created a parking lot with 1 slots",
        expect.stringMatching(/^Error: unknown command "jump"; the commands are /),
        "Allocated slot number: 1",
        "Slot number 1 is free",
        "Slot No.    Registration No    Colour",
        ""
      ])
      expect(result.stderr).toBe("")
      expect(result.code).toBe(1)
    } finally {
      rmSync(folder, { recursive: true, force: true })
    }
  }, slow)

  it("reads piped standard input without a prompt", async () => {
    const result = await parkplane(["classic"], "create_parking_lot 2\npark KA-01 Red\npark KA-02 red\nslot_numbers_for_cars_with_color RED\n")
    expect(result.stdout).toBe("Created a parking lot with 2 slots\nAllocated slot number: 1\nAllocated slot number: 2\n1, 2\n")
    expect(result.code).toBe(0)
  }, slow)

  it("shows a prompt on a terminal and ends at exit", async () => {
    // `script` gives the shell a pseudo-terminal; the terminal echoes what is typed.
    const command = `${JSON.stringify(process.execPath)} ${JSON.stringify(bin)} classic`
    const result = await run("script", ["-qfec", command, "/dev/null"], "create_parking_lot 1\npark KA-01 White\nexit\npark KA-02 White\n")
    const screen = result.stdout.replace(/\r/g, "")
    expect(screen).toContain("parkplane> ")
    expect(screen).toContain("Created a parking lot with 1 slots\nparkplane> ")
    expect(screen).toContain("Allocated slot number: 1\nparkplane> ")
    // Nothing after exit is carried out.
    expect(screen).not.toContain("Sorry, parking lot is full")
    expect(result.code).toBe(0)
  }, slow)

  it("keeps the lot in --db and finds it again on the next run", async () => {
    const folder = mkdtempSync(path.join(tmpdir(), "parkplane-classic-"))
    try {
      const db = path.join(folder, "classic.db")
      const first = await parkplane(["classic", "--db", db], "create_parking_lot 3\npark KA-01 White\npark KA-02 Black\n")
      expect(first.stdout).toBe("Created a parking lot with 3 slots\nAllocated slot number: 1\nAllocated slot number: 2\n")
      const second = await parkplane(["classic", "--db", db], "create_parking_lot 5\nleave 1\npark KA-03 Red\nstatus\n")
      expect(second.stdout).toBe(
        [
          "Error: a parking lot with 3 slots already exists; this shell keeps one lot",
          "Slot number 1 is free",
          "Allocated slot number: 1",
          "Slot No.    Registration No    Colour",
          "1           KA-03              Red",
          "2           KA-02              Black",
          ""
        ].join("\n")
      )
      expect(second.code).toBe(1)
    } finally {
      rmSync(folder, { recursive: true, force: true })
    }
  }, slow)

  it("says which flag or file is wrong", async () => {
    const missing = await parkplane(["classic", "/nonexistent/commands.txt"])
    expect(missing.code).not.toBe(0)
    expect(missing.stdout + missing.stderr).toContain("/nonexistent/commands.txt")
    const badFlag = await parkplane(["classic", "--nope"])
    expect(badFlag.code).not.toBe(0)
    expect(badFlag.stdout + badFlag.stderr).toMatch(/--nope/)
  }, slow)
})
