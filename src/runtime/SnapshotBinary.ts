import type { VehicleColumns } from "../domain/Lot.ts"

/*
 * The vehicle columns of a version 3 snapshot as bytes (docs/decisions/0010-binary-snapshots.md).
 * For n vehicles, little-endian, each column at an offset its element size divides:
 *
 *   seq        Float64 x n   at 0
 *   enteredAt  Float64 x n   at 8n
 *   slot       Uint32  x n   at 16n
 *   color      Uint16  x n   at 20n   (Uint32 when the lot has more than 65,535 colours)
 *   registrations            at 20n + 2n (or 4n): ASCII, joined by "\n", `registrationBytes` long
 *
 * Reservations a vehicle parked on are few, so they travel in the JSON header as [index, id] pairs.
 * Decoding reads the numbers through typed-array views of the decoded bytes (no copy, no parse),
 * and checks every one: a snapshot that does not add up is refused with the reason, never turned
 * into a different lot.
 */

/** What the header says about the binary part. */
export interface BinaryShape {
  readonly vehicles: number
  readonly registrationBytes: number
  readonly colors: number
  /** Vehicle index and reservation id, indexes ascending. */
  readonly claims: ReadonlyArray<readonly [number, string]>
}

/** What the columns are checked against. */
export interface BinaryLimits {
  readonly capacity: number
  /** The lot's version: no ticket is newer. */
  readonly version: number
}

const separator = "\n"
/** Registrations are 1 to 20 of these (`Registration` in domain/Vehicle.ts): never the separator. */
const registrationsText = /^[A-Z0-9 \n-]*$/
const maxRegistration = 20

const colorWidth = (colors: number): 2 | 4 => (colors <= 0xffff ? 2 : 4)

// Typed arrays use the host's byte order; the format is little-endian, as every host we run on is.
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1

export interface EncodedColumns {
  readonly bytes: Buffer
  readonly shape: BinaryShape
}

export const encodeColumns = (v: VehicleColumns, colors: number): EncodedColumns => {
  if (!littleEndian) throw new Error("binary snapshots are written on little-endian hosts only")
  const n = v.slot.length
  const registrations = Array.from(v.registration).join(separator)
  if (!registrationsText.test(registrations)) throw new Error("a registration holds a character a snapshot cannot carry")
  const width = colorWidth(colors)
  const regAt = 20 * n + width * n
  const bytes = Buffer.alloc(regAt + registrations.length)
  new Float64Array(bytes.buffer, bytes.byteOffset, n).set(v.seq)
  new Float64Array(bytes.buffer, bytes.byteOffset + 8 * n, n).set(v.enteredAt)
  new Uint32Array(bytes.buffer, bytes.byteOffset + 16 * n, n).set(v.slot)
  const color = width === 2 ? new Uint16Array(bytes.buffer, bytes.byteOffset + 20 * n, n) : new Uint32Array(bytes.buffer, bytes.byteOffset + 20 * n, n)
  color.set(v.color)
  bytes.write(registrations, regAt, "latin1")
  const claims: Array<readonly [number, string]> = []
  for (let i = 0; i < n; i++) if (v.reservation[i] !== "") claims.push([i, v.reservation[i]])
  return { bytes, shape: { vehicles: n, registrationBytes: registrations.length, colors, claims } }
}

/** Base64 text decodes to exactly 3/4 of its length less its padding; Node skips characters it does not know. */
const base64Bytes = (text: string): number => {
  if (text.length % 4 !== 0) return -1
  const padding = text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0
  return (text.length / 4) * 3 - padding
}

/** Views need their offset aligned to the element size; a pooled Buffer may not be at 8. */
const aligned = (bytes: Buffer): Buffer => (bytes.byteOffset % 8 === 0 ? bytes : Buffer.from(Uint8Array.prototype.slice.call(bytes)))

/** The columns a base64 text holds, every value checked; or why they do not add up. */
export const decodeColumns = (base64: string, shape: BinaryShape, limits: BinaryLimits): VehicleColumns | string => {
  if (!littleEndian) return "binary snapshots are read on little-endian hosts only"
  const n = shape.vehicles
  const width = colorWidth(shape.colors)
  const regAt = 20 * n + width * n
  const size = regAt + shape.registrationBytes
  if (base64Bytes(base64) !== size) return `the binary part is ${base64.length} base64 characters, not the ${size} bytes the header announces`
  const bytes = aligned(Buffer.from(base64, "base64"))
  if (bytes.length !== size) return `the binary part decodes to ${bytes.length} bytes, not ${size}: it is not base64`
  const seq = new Float64Array(bytes.buffer, bytes.byteOffset, n)
  const enteredAt = new Float64Array(bytes.buffer, bytes.byteOffset + 8 * n, n)
  const slot = new Uint32Array(bytes.buffer, bytes.byteOffset + 16 * n, n)
  const color = width === 2 ? new Uint16Array(bytes.buffer, bytes.byteOffset + 20 * n, n) : new Uint32Array(bytes.buffer, bytes.byteOffset + 20 * n, n)
  const { capacity, version } = limits
  const colors = shape.colors
  let previous = 0
  for (let i = 0; i < n; i++) {
    const s = seq[i]
    if (!(Number.isInteger(s) && s > previous && s <= version)) return `vehicle ${i}: ticket ${s} is not after ticket ${previous} and at most ${version}`
    previous = s
    if (!Number.isFinite(enteredAt[i])) return `vehicle ${i}: entry time ${enteredAt[i]} is not a time`
    if (slot[i] < 1 || slot[i] > capacity) return `vehicle ${i}: slot ${slot[i]} is not in 1..${capacity}`
    if (color[i] >= colors) return `vehicle ${i}: colour ${color[i]} is not one of the ${colors} colours`
  }
  // A fresh string for the lot's registrations: pieces split from it may point into it, never into the whole record.
  const text = bytes.toString("latin1", regAt, size)
  if (!registrationsText.test(text)) return "the registrations hold characters a registration cannot have"
  const registration = text.length === 0 ? [] : text.split(separator)
  if (registration.length !== n) return `${registration.length} registrations for ${n} vehicles`
  for (let i = 0; i < n; i++) {
    const length = registration[i].length
    if (length < 1 || length > maxRegistration) return `vehicle ${i}: a registration of ${length} characters`
  }
  const reservation = new Array<string>(n).fill("")
  let last = -1
  for (const [i, id] of shape.claims) {
    if (!(Number.isInteger(i) && i > last && i < n) || id === "") return `the reservation of vehicle ${i} is out of order or empty`
    reservation[i] = id
    last = i
  }
  return { slot, seq, registration, color, enteredAt, reservation }
}
