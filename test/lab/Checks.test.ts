import { describe, expect, it } from "@effect/vitest"
import type { Answer } from "../../src/lab/Client.ts"
import { Ledger } from "../../src/lab/Ledger.ts"
import { mulberry32 } from "../../src/lab/Prng.ts"
import { percentiles } from "../../src/lab/Recorder.ts"
import { ReferenceLot } from "../../src/lab/ReferenceModel.ts"

const answer = (status: number, tag = ""): Answer => ({ status, tag, latencyMs: 1, body: undefined })
const now = Date.now()

describe("lab ledger", () => {
  it("flags a slot given to a second vehicle while the first never left", () => {
    const ledger = new Ledger()
    ledger.parked({ id: "L1-2", lotId: "L1", slot: 1, registration: "A" }, now)
    ledger.parked({ id: "L1-3", lotId: "L1", slot: 1, registration: "B" }, now)
    expect(ledger.doubleAllocations).toHaveLength(1)
  })

  it("accepts the slot again once the first vehicle's leave is acknowledged, even if that answer comes last", () => {
    const ledger = new Ledger()
    ledger.parked({ id: "L1-2", lotId: "L1", slot: 1, registration: "A" }, now)
    const first = ledger.open.get("L1-2")
    if (first === undefined) throw new Error("not recorded")
    ledger.leaveSent(first)
    ledger.parked({ id: "L1-4", lotId: "L1", slot: 1, registration: "B" }, now)
    ledger.leaveAnswered(first, answer(200))
    expect(ledger.doubleAllocations).toEqual([])
    expect(ledger.closed.has("L1-2")).toBe(true)
  })

  it("flags the slot given away when the leave in flight was refused after all", () => {
    const ledger = new Ledger()
    ledger.parked({ id: "L1-2", lotId: "L1", slot: 1, registration: "A" }, now)
    const first = ledger.open.get("L1-2")
    if (first === undefined) throw new Error("not recorded")
    ledger.leaveSent(first)
    ledger.parked({ id: "L1-4", lotId: "L1", slot: 1, registration: "B" }, now)
    ledger.leaveAnswered(first, answer(503, "StorageUnavailable"))
    expect(ledger.doubleAllocations).toHaveLength(1)
  })

  it("flags an id acknowledged twice, and a reservation's slot taken before it expired", () => {
    const ledger = new Ledger()
    ledger.reserved({ id: "L1-R2", lotId: "L1", slot: 3, expiresAt: now + 60_000 }, now)
    ledger.parked({ id: "L1-R2", lotId: "L1", slot: 3, registration: "C" }, now)
    expect(ledger.reused).toHaveLength(1)
    expect(ledger.doubleAllocations).toHaveLength(1)
  })

  it("does not flag a reservation's slot taken after its expiry", () => {
    const ledger = new Ledger()
    ledger.reserved({ id: "L1-R2", lotId: "L1", slot: 3, expiresAt: now - 5_000 }, now)
    ledger.parked({ id: "L1-5", lotId: "L1", slot: 3, registration: "C" }, now)
    expect(ledger.doubleAllocations).toEqual([])
  })
})

describe("lab reference model", () => {
  const created = { seq: 1, event: { _tag: "LotCreated", layout: [{ type: "standard", count: 2 }] } }

  it("replays parks, reservations and expiries into the slots the server should show", () => {
    const lot = new ReferenceLot("L1")
    lot.apply(created)
    lot.apply({ seq: 2, event: { _tag: "VehicleParked", slot: 1, registration: "A", ticketId: "L1-2" } })
    lot.apply({ seq: 3, event: { _tag: "SlotReserved", slot: 2, registration: "B", reservationId: "L1-R3" } })
    lot.apply({ seq: 4, event: { _tag: "ReservationExpired", slot: 2, reservationId: "L1-R3" } })
    expect(lot.illegal).toEqual([])
    expect(
      lot.differences([
        { slot: 1, type: "standard", state: "Occupied", registration: "A", ticketId: "L1-2" },
        { slot: 2, type: "standard", state: "Free" }
      ])
    ).toEqual([])
    expect(lot.differences([{ slot: 1, type: "standard", state: "Free" }, { slot: 2, type: "standard", state: "Free" }])).toHaveLength(1)
  })

  it("reports an illegal move and a gap in the sequence", () => {
    const lot = new ReferenceLot("L1")
    lot.apply(created)
    lot.apply({ seq: 2, event: { _tag: "VehicleParked", slot: 1, registration: "A", ticketId: "L1-2" } })
    lot.apply({ seq: 4, event: { _tag: "VehicleParked", slot: 1, registration: "B", ticketId: "L1-4" } })
    expect(lot.illegal).toHaveLength(2)
  })
})

describe("lab helpers", () => {
  it("mulberry32 repeats for a seed and differs between seeds", () => {
    const a = mulberry32(42)
    const b = mulberry32(42)
    const c = mulberry32(43)
    const xs = Array.from({ length: 5 }, () => a.next())
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(xs)
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(xs)
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true)
  })

  it("percentiles by nearest rank", () => {
    const p = percentiles(Array.from({ length: 1000 }, (_, i) => 1000 - i))
    expect(p).toEqual({ count: 1000, p50: 500, p99: 990, p999: 999 })
  })
})
