/*
 * The HTTP benchmark's yardstick: bare `node:http` plus better-sqlite3 doing the same durable work
 * per request as parkplane (one event row in the same table shape, one autocommit per request, WAL
 * with synchronous=NORMAL), the lot kept in plain Maps. No validation beyond what the workload
 * needs, no framework. Run as a child process: PORT, HOST, BARE_DB.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import Database from "better-sqlite3"

interface ParkedCar {
  readonly slot: number
  readonly ticketId: string
  readonly color: string
  readonly enteredAt: number
}

/** Lowest free slot first, as parkplane hands them out. */
class MinHeap {
  readonly #items: Array<number> = []
  get size(): number {
    return this.#items.length
  }
  push(value: number): void {
    const items = this.#items
    items.push(value)
    let i = items.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (items[parent] <= value) break
      items[i] = items[parent]
      i = parent
    }
    items[i] = value
  }
  pop(): number | undefined {
    const items = this.#items
    const top = items[0]
    const last = items.pop()
    if (items.length > 0 && last !== undefined) {
      let i = 0
      for (;;) {
        const left = 2 * i + 1
        if (left >= items.length) break
        const child = left + 1 < items.length && items[left + 1] < items[left] ? left + 1 : left
        if (items[child] >= last) break
        items[i] = items[child]
        i = child
      }
      items[i] = last
    }
    return top
  }
}

class BareLot {
  readonly free = new MinHeap()
  readonly parked = new Map<string, ParkedCar>()
  seq = 1
  tickets = 0
  constructor(
    readonly id: string,
    readonly name: string,
    readonly capacity: number
  ) {
    for (let slot = 1; slot <= capacity; slot++) this.free.push(slot)
  }
}

const db = new Database(process.env.BARE_DB ?? ":memory:")
db.pragma("journal_mode = WAL")
db.pragma("synchronous = NORMAL")
db.exec(`CREATE TABLE IF NOT EXISTS events (lot_id TEXT NOT NULL, seq INTEGER NOT NULL, type TEXT NOT NULL, payload TEXT NOT NULL,
         at BIGINT NOT NULL, ticket_id TEXT NULL, PRIMARY KEY (lot_id, seq))`)
const insert = db.prepare("INSERT INTO events (lot_id, seq, type, payload, at, ticket_id) VALUES (?, ?, ?, ?, ?, ?)")

const lots = new Map<string, BareLot>()

const send = (res: ServerResponse, status: number, body: unknown) => {
  const text = JSON.stringify(body)
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) })
  res.end(text)
}

const readJson = (req: IncomingMessage): Promise<Record<string, unknown>> =>
  new Promise((resolve, reject) => {
    const chunks: Array<Buffer> = []
    req.on("data", (chunk: Buffer) => chunks.push(chunk))
    req.on("end", () => {
      try {
        const value: unknown = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}")
        resolve(typeof value === "object" && value !== null ? { ...value } : {})
      } catch (e) {
        reject(e)
      }
    })
    req.on("error", reject)
  })

const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
  const url = req.url ?? "/"
  if (req.method === "GET" && (url === "/ready" || url === "/health")) return send(res, 200, { status: "ok" })
  if (req.method !== "POST") return send(res, 404, { _tag: "NotFound" })
  const body = await readJson(req)
  const now = Date.now()
  if (url === "/v1/lots") {
    const id = `L${lots.size + 1}`
    const lot = new BareLot(id, String(body.name), Number(body.slots))
    lots.set(id, lot)
    insert.run(id, 1, "LotCreated", JSON.stringify({ lotId: id, name: lot.name, capacity: lot.capacity, at: now }), now, null)
    return send(res, 201, { id, name: lot.name, capacity: lot.capacity, free: lot.capacity, occupied: 0 })
  }
  const match = /^\/v1\/lots\/([^/]+)\/(park|leave)$/.exec(url)
  const lot = match === null ? undefined : lots.get(match[1])
  if (match === null || lot === undefined) return send(res, 404, { _tag: "LotNotFound" })
  const registration = String(body.registration ?? "").trim().toUpperCase()
  if (match[2] === "park") {
    if (lot.parked.has(registration)) return send(res, 409, { _tag: "VehicleAlreadyParked" })
    const slot = lot.free.pop()
    if (slot === undefined) return send(res, 409, { _tag: "LotFull" })
    const ticketId = `${lot.id}-T${++lot.tickets}`
    const color = String(body.color ?? "")
    const seq = ++lot.seq
    const ticket = { id: ticketId, lotId: lot.id, slot, slotType: "standard", registration, color, enteredAt: new Date(now).toISOString() }
    // Durable before acknowledged: the autocommit returns after the WAL write.
    insert.run(lot.id, seq, "VehicleParked", JSON.stringify({ _tag: "VehicleParked", ...ticket, at: now }), now, ticketId)
    lot.parked.set(registration, { slot, ticketId, color, enteredAt: now })
    return send(res, 201, ticket)
  }
  const car = lot.parked.get(registration)
  if (car === undefined) return send(res, 404, { _tag: "VehicleNotFound" })
  const seq = ++lot.seq
  const ticket = {
    id: car.ticketId,
    lotId: lot.id,
    slot: car.slot,
    slotType: "standard",
    registration,
    color: car.color,
    enteredAt: new Date(car.enteredAt).toISOString(),
    exitedAt: new Date(now).toISOString(),
    fee: { amount: 0, currency: "EUR" }
  }
  insert.run(lot.id, seq, "VehicleLeft", JSON.stringify({ _tag: "VehicleLeft", ticketId: car.ticketId, slot: car.slot, at: now }), now, car.ticketId)
  lot.parked.delete(registration)
  lot.free.push(car.slot)
  return send(res, 200, ticket)
}

const server = createServer((req, res) => {
  handle(req, res).catch((e: unknown) => send(res, 400, { _tag: "InvalidInput", message: String(e) }))
})
server.keepAliveTimeout = 60_000
server.listen(Number(process.env.PORT ?? 8090), process.env.HOST ?? "127.0.0.1")

const stop = () => {
  server.close(() => {
    db.close()
    process.exit(0)
  })
  server.closeAllConnections()
}
process.on("SIGTERM", stop)
process.on("SIGINT", stop)
