import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { type ChildProcess, spawn } from "node:child_process"
import { once } from "node:events"
import { createServer } from "node:net"
import { tempDbFile } from "./TestServer.ts"

/*
 * The real process, as `npm start` runs it: SIGTERM under load must exit 0, and every ticket the
 * server acknowledged must be there after a restart.
 */

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const probe = createServer()
    probe.once("error", reject)
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      probe.close(() => resolve(port))
    })
  })

const start = (env: Record<string, string>): ChildProcess =>
  spawn(process.execPath, ["--import", "./src/bin/typescript.mjs", "src/main.ts"], {
    cwd: process.cwd(),
    env: { ...process.env, HOST: "127.0.0.1", OTEL_EXPORTER_OTLP_ENDPOINT: "", ...env },
    stdio: ["ignore", "ignore", "pipe"]
  })

const waitReady = async (base: string, child: ChildProcess) => {
  const deadline = Date.now() + 60_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited early with ${child.exitCode}`)
    try {
      if ((await fetch(`${base}/ready`)).status === 200) return
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error("server did not become ready")
}

const exitOf = async (child: ChildProcess): Promise<number | null> => {
  if (child.exitCode !== null) return child.exitCode
  const [code] = (await once(child, "exit")) as [number | null]
  return code
}

const json = { "content-type": "application/json" }

describe("the server process", () => {
  it.live(
    "SIGTERM mid-load exits 0 and keeps every acknowledged ticket",
    () =>
      Effect.promise(async () => {
        const port = await freePort()
        const base = `http://127.0.0.1:${port}`
        const env = { PORT: String(port), PARKPLANE_DB: tempDbFile() }
        const first = start(env)
        await waitReady(base, first)
        const lot = (await (
          await fetch(`${base}/v1/lots`, { method: "POST", headers: json, body: JSON.stringify({ name: "Load", slots: 50_000 }) })
        ).json()) as { id: string }

        const acknowledged: Array<string> = []
        const worker = async (w: number) => {
          for (let i = 0; ; i++) {
            try {
              const response = await fetch(`${base}/v1/lots/${lot.id}/park`, {
                method: "POST",
                headers: json,
                body: JSON.stringify({ registration: `W${w}-${i}`, color: "Red" })
              })
              if (response.status !== 201) return
              acknowledged.push(((await response.json()) as { id: string }).id)
            } catch {
              return // the server stopped accepting
            }
          }
        }
        const workers = Array.from({ length: 16 }, (_, w) => worker(w))
        while (acknowledged.length < 200) await new Promise((resolve) => setTimeout(resolve, 20))
        first.kill("SIGTERM")
        const code = await exitOf(first)
        await Promise.all(workers)
        expect(code).toBe(0)
        expect(acknowledged.length).toBeGreaterThanOrEqual(200)

        const second = start(env)
        try {
          await waitReady(base, second)
          const missing: Array<string> = []
          for (const id of acknowledged) {
            const response = await fetch(`${base}/v1/tickets/${id}`)
            if (response.status !== 200) missing.push(id)
          }
          expect(missing).toEqual([])
          const after = (await (await fetch(`${base}/v1/lots/${lot.id}`)).json()) as { occupied: number }
          expect(after.occupied).toBeGreaterThanOrEqual(acknowledged.length)
        } finally {
          second.kill("SIGTERM")
          expect(await exitOf(second)).toBe(0)
        }
      }),
    120_000
  )

  it.live(
    "an invalid setting stops start-up with one line naming the variable",
    () =>
      Effect.promise(async () => {
        const child = start({ PORT: "not-a-port", PARKPLANE_DB: tempDbFile() })
        let stderr = ""
        child.stderr?.on("data", (chunk: Buffer) => {
          stderr += chunk.toString()
        })
        const code = await exitOf(child)
        expect(code).not.toBe(0)
        const lines = stderr.trim().split("\n")
        expect(lines).toHaveLength(1)
        expect(lines[0]).toContain("PORT")
      }),
    60_000
  )
})
