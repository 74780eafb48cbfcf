/**
 * A map from a registration to the slot its vehicle is in, for at most `capacity` vehicles at once:
 * open addressing with linear probing, sized once for the lot, so a park or leave never rehashes.
 *
 * Why not a `Map<string, number>`: with a get, a set and a delete per park+leave at a million cars,
 * the Map's tombstones and rehashes were the largest single cost of the lot after the events, and an
 * entry cost tens of bytes. Here a place costs 16 bytes in a table at most half full (the key, its
 * hash and the slot), and delete shifts the probe run back so no tombstones pile up. Hash and slot sit
 * side by side, so a probe reads one cache line and touches the key string only when the hash matches.
 * Slots are from 1; 0 marks an empty place.
 */
export class RegistrationIndex {
  readonly #keys: Array<string | undefined>
  /** Place i's hash at 2i, its slot at 2i+1. */
  readonly #meta: Int32Array
  readonly #mask: number
  #size = 0

  constructor(readonly capacity: number) {
    let bits = 4
    while (1 << bits < capacity * 2) bits++
    this.#keys = new Array<string | undefined>(1 << bits).fill(undefined)
    this.#meta = new Int32Array(2 << bits)
    this.#mask = (1 << bits) - 1
  }

  get size(): number {
    return this.#size
  }

  /** FNV-1a over the UTF-16 code units, then a final mix so nearby plates spread. */
  static #hash(key: string): number {
    let h = 0x811c9dc5
    for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193)
    h ^= h >>> 16
    h = Math.imul(h, 0x85ebca6b)
    return h ^ (h >>> 13)
  }

  get(key: string): number | undefined {
    const hash = RegistrationIndex.#hash(key)
    for (let i = hash & this.#mask; ; i = (i + 1) & this.#mask) {
      const slot = this.#meta[2 * i + 1]
      if (slot === 0) return undefined
      if (this.#meta[2 * i] === hash && this.#keys[i] === key) return slot
    }
  }

  /** Adds or replaces; `slot` is from 1. */
  set(key: string, slot: number): void {
    const hash = RegistrationIndex.#hash(key)
    let i = hash & this.#mask
    for (; ; i = (i + 1) & this.#mask) {
      if (this.#meta[2 * i + 1] === 0) {
        if (this.#size >= this.capacity) throw new Error(`RegistrationIndex: more than ${this.capacity} entries`)
        this.#size++
        this.#keys[i] = key
        this.#meta[2 * i] = hash
        break
      }
      if (this.#meta[2 * i] === hash && this.#keys[i] === key) break
    }
    this.#meta[2 * i + 1] = slot
  }

  delete(key: string): boolean {
    const hash = RegistrationIndex.#hash(key)
    let i = hash & this.#mask
    for (; ; i = (i + 1) & this.#mask) {
      if (this.#meta[2 * i + 1] === 0) return false
      if (this.#meta[2 * i] === hash && this.#keys[i] === key) break
    }
    this.#size--
    // Backward-shift deletion (see SlotIndex): an entry moves into the hole unless its home lies
    // cyclically in (hole, j].
    let hole = i
    for (let j = (i + 1) & this.#mask; ; j = (j + 1) & this.#mask) {
      const slot = this.#meta[2 * j + 1]
      if (slot === 0) break
      const hash = this.#meta[2 * j]
      if (((j - (hash & this.#mask)) & this.#mask) >= ((j - hole) & this.#mask)) {
        this.#keys[hole] = this.#keys[j]
        this.#meta[2 * hole] = hash
        this.#meta[2 * hole + 1] = slot
        hole = j
      }
    }
    this.#keys[hole] = undefined
    this.#meta[2 * hole] = 0
    this.#meta[2 * hole + 1] = 0
    return true
  }

  /** Every slot held, in table order. */
  *slots(): IterableIterator<number> {
    for (let i = 0; i < this.#keys.length; i++) if (this.#meta[2 * i + 1] !== 0) yield this.#meta[2 * i + 1]
  }
}
