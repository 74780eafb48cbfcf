/**
 * The slot lifecycle as an explicit state machine. The table is the single source of truth: the lot
 * asks it before every change of a slot, and `docs/slot-state-machine.md` is printed from it.
 */
export const slotStates = ["Free", "Reserved", "Occupied", "OutOfService"] as const
export type SlotState = (typeof slotStates)[number]

export const slotActions = ["park", "claim", "leave", "reserve", "release", "outOfService", "inService"] as const
export type SlotAction = (typeof slotActions)[number]

/** The error a refused transition reports; each is a `Schema.TaggedError` of `Errors.ts`. */
export type SlotRefusal =
  | "SlotOccupied"
  | "SlotReserved"
  | "SlotOutOfService"
  | "SlotAlreadyFree"
  | "SlotNotReserved"
  | "SlotInService"

export type SlotTransition = { readonly to: SlotState } | { readonly refused: SlotRefusal }

const to = (state: SlotState): SlotTransition => ({ to: state })
const refused = (refusal: SlotRefusal): SlotTransition => ({ refused: refusal })

export const slotTransitions: { readonly [S in SlotState]: { readonly [A in SlotAction]: SlotTransition } } = {
  Free: {
    park: to("Occupied"),
    claim: refused("SlotNotReserved"),
    leave: refused("SlotAlreadyFree"),
    reserve: to("Reserved"),
    release: refused("SlotNotReserved"),
    outOfService: to("OutOfService"),
    inService: refused("SlotInService")
  },
  Reserved: {
    park: refused("SlotReserved"),
    claim: to("Occupied"),
    leave: refused("SlotReserved"),
    reserve: refused("SlotReserved"),
    release: to("Free"),
    outOfService: refused("SlotReserved"),
    inService: refused("SlotInService")
  },
  Occupied: {
    park: refused("SlotOccupied"),
    claim: refused("SlotOccupied"),
    leave: to("Free"),
    reserve: refused("SlotOccupied"),
    release: refused("SlotOccupied"),
    outOfService: refused("SlotOccupied"),
    inService: refused("SlotInService")
  },
  OutOfService: {
    park: refused("SlotOutOfService"),
    claim: refused("SlotOutOfService"),
    leave: refused("SlotOutOfService"),
    reserve: refused("SlotOutOfService"),
    release: refused("SlotOutOfService"),
    outOfService: refused("SlotOutOfService"),
    inService: to("Free")
  }
}

export const transition = (state: SlotState, action: SlotAction): SlotTransition => slotTransitions[state][action]

/** Codes for the lot's `Uint8Array` of slot states. */
export const slotStateCode: Readonly<Record<SlotState, number>> = { Free: 0, Reserved: 1, Occupied: 2, OutOfService: 3 }
export const slotStateOfCode = (code: number): SlotState => slotStates[code]

/** The table as Markdown, for the docs. */
export const slotTransitionTableMarkdown = (): string => {
  const header = `| from \\ action | ${slotActions.join(" | ")} |`
  const rule = `|---|${slotActions.map(() => "---").join("|")}|`
  const rows = slotStates.map((state) => {
    const cells = slotActions.map((action) => {
      const t = slotTransitions[state][action]
      return "to" in t ? `**${t.to}**` : `\`${t.refused}\``
    })
    return `| ${state} | ${cells.join(" | ")} |`
  })
  return [header, rule, ...rows].join("\n")
}
