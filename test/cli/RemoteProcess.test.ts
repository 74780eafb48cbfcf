import { describe, expect, it } from "@effect/vitest"
import { type ChildProcess, spawn } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import path from "node:path"
import { freePort } from "../../src/bench/Processes.ts"

/*
 * `parkplane serve` and the remote admin commands as a user runs them: a real server process with
 * an API key, and real client processes talking to it over HTTP.
 */

const repoRoot = path.resolve(import.meta.dirname, "../..")
const bin = path.join(repoRoot, "src/bin/parkplane.mjs")

interface Run {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

const parkplane = (args: ReadonlyArray<string>, env: Record<string, string> = {}): Promise<Run> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: repoRoot, env: { ...process.env, ...env } })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")))
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")))
    child.on("error", reject)
    child.on("close", (code) => resolve({ code, stdout, stderr }))
    child.stdin.end()
  })

/** Resolves once the server answers /health; gives up after `millis`. */
const healthy = async (url: string, server: ChildProcess, millis: number) => {
  const deadline = Date.now() + millis
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`server exited with ${server.exitCode}`)
    const ok = await fetch(`${url}/health`).then(
      (r) => r.ok,
      () => false
    )
    if (ok) return
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  throw new Error("server did not become healthy")
}

describe("parkplane serve and the remote commands", () => {
  it("administers a lot on a running server through the typed client", async () => {
    const folder = mkdtempSync(path.join(tmpdir(), "parkplane-remote-"))
    // A port free right now (a random one could be another test's server, answering /health for us).
    const port = await freePort()
    const url = `http://127.0.0.1:${port}`
    const server = spawn(process.execPath, [bin, "serve", "--port", String(port), "--db", path.join(folder, "p.db"), "--api-keys", "acme:k1"], {
      cwd: repoRoot,
      stdio: "ignore"
    })
    const exited = new Promise<number | null>((resolve) => server.on("close", (code) => resolve(code)))
    try {
      await healthy(url, server, 240_000)
      const env = { PARKPLANE_URL: url, PARKPLANE_API_KEY: "k1" }

      const created = await parkplane(["lots", "create", "garage", "--slots", "accessible:1,standard:2"], env)
      expect(created.stdout).toMatch(/^id {14}L1\nname {12}garage\ncapacity {8}3\n/)
      expect(created.code).toBe(0)

      const [parked, anonymous] = await Promise.all([
        parkplane(["park", "garage", "ka-01", "White", "--json"], env),
        parkplane(["lots", "list", "--url", url], { PARKPLANE_API_KEY: "" })
      ])
      expect(JSON.parse(parked.stdout)).toMatchObject({ id: "L1-2", lotId: "L1", slot: 2, slotType: "standard", registration: "KA-01" })
      expect(parked.code).toBe(0)
      expect(anonymous.stderr).toMatch(/^Error: .*API key/)
      expect(anonymous.code).toBe(1)

      const [where, refused] = await Promise.all([
        parkplane(["where", "L1", "KA-01", "--json"], env),
        parkplane(["lots", "delete", "garage"], env)
      ])
      expect(JSON.parse(where.stdout)).toMatchObject({ slot: 2, ticket: { id: "L1-2" } })
      expect(refused.stderr).toMatch(/^Error: Lot L1 still has 1 parked vehicle/)
      expect(refused.code).toBe(1)

      const left = await parkplane(["leave", "garage", "--registration", "KA-01", "--json"], env)
      expect(JSON.parse(left.stdout)).toMatchObject({ id: "L1-2", slot: 2, fee: { amount: 0 } })

      const listed = await parkplane(["lots", "list"], env)
      expect(listed.stdout.split("\n")[1]).toMatch(/^L1 +garage +3 +3 +0 +0 +0 +20\d\d-/)
    } finally {
      server.kill("SIGTERM")
      expect(await exited).toBe(0)
      rmSync(folder, { recursive: true, force: true })
    }
  }, 900_000)
})
