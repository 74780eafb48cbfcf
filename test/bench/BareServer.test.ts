import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Schema } from "effect"
import { freePort, sourcePath, startTs, stopChild, waitUntilReady } from "../../src/bench/Processes.ts"

const Answer = Schema.Struct({ id: Schema.optional(Schema.String), slot: Schema.optional(Schema.Number) })
const decodeAnswer = Schema.decodeUnknownSync(Answer)

const post = (url: string, body: unknown) =>
  fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }).then(async (r) => ({
    status: r.status,
    body: decodeAnswer(await r.json())
  }))

describe("BareServer (the HTTP bench's yardstick)", () => {
  it("parks at the lowest free slot and leaves by registration, as the load generator drives it", { timeout: 30_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "bare-server-test-"))
    const port = await freePort()
    const url = `http://127.0.0.1:${port}`
    const child = startTs(sourcePath("bench/BareServer.ts"), { env: { PORT: String(port), HOST: "127.0.0.1", BARE_DB: join(dir, "bare.db") } })
    try {
      await waitUntilReady(`${url}/ready`, child, 20_000)
      const lot = await post(`${url}/v1/lots`, { name: "a", slots: 2 })
      expect(lot.status).toBe(201)
      const first = await post(`${url}/v1/lots/${String(lot.body.id)}/park`, { registration: "ka-1", color: "Grey" })
      const second = await post(`${url}/v1/lots/${String(lot.body.id)}/park`, { registration: "KA-2", color: "Grey" })
      expect([first.status, first.body.slot, second.body.slot]).toEqual([201, 1, 2])
      expect((await post(`${url}/v1/lots/${String(lot.body.id)}/park`, { registration: "KA-3", color: "Grey" })).status).toBe(409)
      const left = await post(`${url}/v1/lots/${String(lot.body.id)}/leave`, { registration: "KA-1" })
      expect([left.status, left.body.slot]).toEqual([200, 1])
      expect((await post(`${url}/v1/lots/${String(lot.body.id)}/park`, { registration: "KA-4", color: "Grey" })).body.slot).toBe(1)
    } finally {
      await stopChild(child)
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
