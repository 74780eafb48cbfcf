import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { spawn } from "node:child_process"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import type { LotId } from "../../src/domain/Ids.ts"
import { Lot } from "../../src/domain/Lot.ts"
import { Parking } from "../../src/runtime/Parking.ts"
import { defaultTenant } from "../../src/domain/Ids.ts"
import { allEvents, runtimeOver, tempDatabase } from "./Fixtures.ts"

const here = path.dirname(fileURLToPath(import.meta.url))
const writerScript = path.join(here, "fixtures", "CrashWriter.ts")
const repository = path.resolve(here, "..", "..")

/**
 * Runs the crash writer over `filename` and kills it with SIGKILL once it has acknowledged `acks`
 * commands; answers every complete ACK line it printed before it died.
 */
const runAndKill = (filename: string, acks: number) =>
  Effect.async<ReadonlyArray<string>, Error>((resume) => {
    const child = spawn(process.execPath, ["--import", "./src/bin/typescript.mjs", writerScript, filename, "8"], {
      cwd: repository,
      // Frequent snapshots, so the kill may also land in the middle of one.
      env: { ...process.env, PARKPLANE_SNAPSHOT_EVERY: "7" },
      stdio: ["ignore", "pipe", "pipe"]
    })
    const lines: Array<string> = []
    let partial = ""
    let stderr = ""
    let killed = false
    child.stdout.setEncoding("utf8")
    child.stdout.on("data", (chunk: string) => {
      const parts = (partial + chunk).split("\n")
      partial = parts.pop() ?? ""
      for (const line of parts) if (line.startsWith("ACK ")) lines.push(line.slice(4))
      if (!killed && lines.length >= acks) {
        killed = true
        child.kill("SIGKILL")
      }
    })
    child.stderr.setEncoding("utf8")
    child.stderr.on("data", (chunk: string) => (stderr += chunk))
    // "close" comes after the pipes are drained, so every line printed before the kill is counted.
    child.on("close", (code, signal) => {
      if (killed && signal === "SIGKILL") resume(Effect.succeed(lines))
      else resume(Effect.fail(new Error(`the crash writer exited by itself (code ${code}, signal ${signal}): ${stderr}`)))
    })
    return Effect.sync(() => child.kill("SIGKILL"))
  })

interface Acked {
  readonly parks: Map<string, { readonly slot: number; readonly registration: string }>
  readonly leaves: Set<string>
}

const record = (acked: Acked, lines: ReadonlyArray<string>) => {
  for (const line of lines) {
    const [kind, ticketId, slot, registration] = line.split(" ")
    if (kind === "P") {
      expect(acked.parks.has(ticketId), `ticket ${ticketId} handed out twice`).toBe(false)
      acked.parks.set(ticketId, { slot: Number(slot), registration })
    } else {
      expect(kind).toBe("L")
      expect(acked.parks.has(ticketId), `leave of ${ticketId} acknowledged before its park`).toBe(true)
      acked.leaves.add(ticketId)
    }
  }
}

const seqOf = (ticketId: string) => Number(ticketId.split("-")[1])

describe("a process killed with SIGKILL during concurrent writes", () => {
  it.live(
    "restarts with every acknowledged write present, no id reused and consistent slots",
    () =>
      Effect.gen(function* () {
        const filename = tempDatabase("crash.db")
        const acked: Acked = { parks: new Map(), leaves: new Set() }
        record(acked, yield* runAndKill(filename, 300))
        expect(acked.parks.size).toBeGreaterThan(100)
        expect(acked.leaves.size).toBeGreaterThan(20)

        yield* Effect.gen(function* () {
          const parking = yield* Parking
          const lot = yield* parking.findLotByName(defaultTenant, "crash")
          const lotId: LotId = lot.id
          const vehicles = yield* parking.vehicles(defaultTenant, lotId)
          const slots = yield* parking.slots(defaultTenant, lotId)
          const byTicket = new Map(vehicles.map((v) => [v.ticketId as string, v]))

          for (const [ticketId, park] of acked.parks) {
            const ticket = yield* parking.ticket(defaultTenant, ticketId)
            expect(ticket.slot).toBe(park.slot)
            expect(ticket.registration).toBe(park.registration)
            if (acked.leaves.has(ticketId)) {
              expect(ticket.exitedAt, `acknowledged leave of ${ticketId} lost`).toBeDefined()
            } else if (ticket.exitedAt === undefined) {
              // Not left (or its leave committed without an answer reaching the caller): still parked.
              expect(byTicket.get(ticketId)?.slot, `acknowledged park ${ticketId} lost`).toBe(park.slot)
            }
          }

          // Consistent counts and slots, and the lot equals the replay of its log.
          expect(lot.free + lot.occupied + lot.reserved + lot.outOfService).toBe(lot.capacity)
          expect(lot.occupied).toBe(vehicles.length)
          expect(new Set(vehicles.map((v) => v.slot)).size).toBe(vehicles.length)
          for (const v of vehicles) expect(slots[v.slot - 1]).toMatchObject({ state: "Occupied", registration: v.registration })
          const events = yield* allEvents(defaultTenant, lotId)
          expect(events.map((e) => e.seq)).toEqual(Array.from({ length: lot.version }, (_, i) => i + 1))
          const replayed = Lot.replay(events.map((e) => e.event))
          expect(replayed.summary()).toEqual(lot)
          expect(replayed.slots()).toEqual(slots)

          // A new park gets a ticket id never seen before, after every acknowledged one.
          const fresh = yield* parking.park({ tenant: defaultTenant, correlationId: "after-crash" }, lotId, { registration: "FRESH", color: "Blue" })
          expect(acked.parks.has(fresh.id)).toBe(false)
          expect(seqOf(fresh.id)).toBeGreaterThan(Math.max(...[...acked.parks.keys()].map(seqOf)))
          expect(seqOf(fresh.id)).toBe(lot.version + 1)
        }).pipe(Effect.provide(runtimeOver(filename)))
      }),
    120_000
  )
})
