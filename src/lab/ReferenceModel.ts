/*
 * A lot rebuilt from its event log alone, by rules written here independently of the domain code:
 * replaying the log must give the slots the server shows, and every event must be a legal move.
 */

export interface ModelSlot {
  readonly slot: number
  readonly type: string
  state: "Free" | "Reserved" | "Occupied" | "OutOfService"
  registration?: string
  ticketId?: string
  reservationId?: string
}

/** A stored event as GET /v1/lots/{id}/events returns it; only the fields the model reads. */
export interface WireEvent {
  readonly seq: number
  readonly event: {
    readonly _tag: string
    readonly slot?: number
    readonly layout?: ReadonlyArray<{ readonly type: string; readonly count: number }>
    readonly registration?: string
    readonly ticketId?: string
    readonly reservationId?: string
  }
}

/** A slot as GET /v1/lots/{id}/slots returns it. */
export interface WireSlot {
  readonly slot: number
  readonly type: string
  readonly state: string
  readonly registration?: string
  readonly ticketId?: string
  readonly reservationId?: string
}

export class ReferenceLot {
  slots: Array<ModelSlot> = []
  seq = 0
  readonly illegal: Array<string> = []

  constructor(readonly lotId: string) {}

  private at(seq: number, slot: number | undefined): ModelSlot | undefined {
    const found = slot === undefined ? undefined : this.slots[slot - 1]
    if (found === undefined) this.illegal.push(`${this.lotId} seq ${seq}: no slot ${String(slot)}`)
    return found
  }

  apply(stored: WireEvent) {
    const { seq, event } = stored
    if (seq !== this.seq + 1) this.illegal.push(`${this.lotId}: seq ${seq} follows ${this.seq}`)
    this.seq = seq
    const illegal = (what: string) => this.illegal.push(`${this.lotId} seq ${seq}: ${event._tag} ${what}`)
    switch (event._tag) {
      case "LotCreated": {
        this.slots = []
        for (const group of event.layout ?? []) {
          for (let i = 0; i < group.count; i++) this.slots.push({ slot: this.slots.length + 1, type: group.type, state: "Free" })
        }
        return
      }
      case "VehicleParked": {
        const s = this.at(seq, event.slot)
        if (s === undefined) return
        const claims = event.reservationId !== undefined
        if (claims ? s.state !== "Reserved" || s.reservationId !== event.reservationId : s.state !== "Free") {
          illegal(`on slot ${s.slot} which is ${s.state}`)
        }
        s.state = "Occupied"
        s.registration = event.registration
        s.ticketId = event.ticketId
        delete s.reservationId
        return
      }
      case "VehicleLeft": {
        const s = this.at(seq, event.slot)
        if (s === undefined) return
        if (s.state !== "Occupied" || s.ticketId !== event.ticketId) illegal(`of ${event.ticketId} from slot ${s.slot} holding ${String(s.ticketId)}`)
        s.state = "Free"
        delete s.registration
        delete s.ticketId
        return
      }
      case "SlotReserved": {
        const s = this.at(seq, event.slot)
        if (s === undefined) return
        if (s.state !== "Free") illegal(`on slot ${s.slot} which is ${s.state}`)
        s.state = "Reserved"
        s.registration = event.registration
        s.reservationId = event.reservationId
        return
      }
      case "ReservationCancelled":
      case "ReservationExpired": {
        const s = this.at(seq, event.slot)
        if (s === undefined) return
        if (s.state !== "Reserved" || s.reservationId !== event.reservationId) illegal(`of slot ${s.slot} which is ${s.state}`)
        s.state = "Free"
        delete s.registration
        delete s.reservationId
        return
      }
      case "SlotWentOutOfService": {
        const s = this.at(seq, event.slot)
        if (s === undefined) return
        if (s.state !== "Free") illegal(`on slot ${s.slot} which is ${s.state}`)
        s.state = "OutOfService"
        return
      }
      case "SlotReturnedToService": {
        const s = this.at(seq, event.slot)
        if (s === undefined) return
        if (s.state !== "OutOfService") illegal(`on slot ${s.slot} which is ${s.state}`)
        s.state = "Free"
        return
      }
      default:
        illegal("is unknown")
    }
  }

  /** Where the server's slots differ from the replayed ones. */
  differences(served: ReadonlyArray<WireSlot>): Array<string> {
    const out: Array<string> = []
    if (served.length !== this.slots.length) out.push(`${this.lotId}: ${served.length} slots served, ${this.slots.length} replayed`)
    for (const model of this.slots) {
      const s = served[model.slot - 1]
      const want = `${model.state}/${model.type}/${model.registration ?? ""}/${model.ticketId ?? ""}/${model.reservationId ?? ""}`
      const got = s === undefined ? "missing" : `${s.state}/${s.type}/${s.registration ?? ""}/${s.ticketId ?? ""}/${s.reservationId ?? ""}`
      if (want !== got) out.push(`${this.lotId} slot ${model.slot}: served ${got}, log says ${want}`)
    }
    return out
  }
}
