import { ConfigProvider, Effect, Layer } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { SlotGroup } from "../../src/domain/Events.ts"
import { type LotId, TenantId } from "../../src/domain/Ids.ts"
import { type Envelope, Parking } from "../../src/runtime/Parking.ts"
import { ParkingLive } from "../../src/runtime/ParkingLive.ts"
import { DatabaseLive } from "../../src/store/Database.ts"

/** Runtime settings from a map, as the environment would give them. */
export const withSettings = (settings: Record<string, string>) =>
  Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(settings))))

/** The whole runtime (Parking, fault switches, registry) over a real SQLite file or ":memory:". */
export const runtimeOver = (filename: string, settings: Record<string, string> = {}) =>
  ParkingLive.pipe(Layer.provideMerge(DatabaseLive({ filename })), Layer.provide(withSettings(settings)))

export const memoryRuntime = (settings: Record<string, string> = {}) => runtimeOver(":memory:", settings)

/** A fresh database file path in its own temp folder. */
export const tempDatabase = (name = "parkplane.db") =>
  path.join(fs.mkdtempSync(path.join(os.tmpdir(), "parkplane-runtime-")), name)

export const tenantA = TenantId.make("acme")
export const tenantB = TenantId.make("globex")

let requests = 0
/** An envelope for one request of the tenant, optionally keyed. */
export const envelope = (tenant: TenantId = tenantA, idempotencyKey?: string): Envelope => ({
  tenant,
  correlationId: `test-${++requests}`,
  idempotencyKey
})

/** Creates a lot of `capacity` standard slots and answers its id. */
export const createLot = (name: string, capacity: number, tenant: TenantId = tenantA) =>
  Effect.flatMap(Parking, (parking) =>
    parking.createLot(envelope(tenant), { name, layout: [SlotGroup.make({ type: "standard", count: capacity })] })
  ).pipe(Effect.map((summary): LotId => summary.id))

/** Every event of a lot, page by page. */
export const allEvents = (tenant: TenantId, lotId: LotId) =>
  Effect.gen(function* () {
    const parking = yield* Parking
    const events = []
    let after = 0
    for (;;) {
      const page = yield* parking.events(tenant, lotId, after, 200)
      events.push(...page.events)
      if (page.next === null) return events
      after = page.next
    }
  })
