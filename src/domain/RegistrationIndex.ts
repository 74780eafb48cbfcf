/**
 * A map from a registration to the slot its vehicle is in, for at most `capacity` vehicles at once:
 * open addressing with linear probing, sized once for the lot, so a park or leave never rehashes.
 *
 * Why not a `Map<string, number>`: with a get, a set and a delete per park+leave at a million cars,
 * the Map's tombstones and rehashes were the largest single cost of the lot after the events, and an
 * entry cost tens of bytes. Here a place costs 16 bytes in a table at most half full (the key, its
 * hash and the slot), and delete shifts the probe run back so no tombstones pile up.
 */
export class RegistrationIndex {
  readonly #keys: Array<string | undefined>
  readonly #hashes: Int32Array
  readonly #slots: Int32Array
  readonly #mask: number
  #size = 0

  constructor(readonly capacity: number) {
    let bits = 4
    while (1 << bits < capacity * 2) bits++
    this.#keys = new Array<string | undefined>(1 << bits).fill(undefined)
    this.#hashes = new Int32Array(1 << bits)
    this.#slots = new Int32Array(1 << bits)
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
      const k = this.#keys[i]
      if (k === undefined) return undefined
      if (this.#hashes[i] === hash && k === key) return this.#slots[i]
    }
  }

  /** Adds or replaces. */
  set(key: string, slot: number): void {
    const hash = RegistrationIndex.#hash(key)
    let i = hash & this.#mask
    for (; ; i = (i + 1) & this.#mask) {
      const k = this.#keys[i]
      if (k === undefined) {
        if (this.#size >= this.capacity) throw new Error(`RegistrationIndex: more than ${this.capacity} entries`)
        this.#size++
        this.#keys[i] = key
        this.#hashes[i] = hash
        break
      }
      if (this.#hashes[i] === hash && k === key) break
    }
    this.#slots[i] = slot
  }

  delete(key: string): boolean {
    const hash = RegistrationIndex.#hash(key)
    let i = hash & this.#mask
    for (; ; i = (i + 1) & this.#mask) {
      const k = this.#keys[i]
      if (k === undefined) return false
      if (this.#hashes[i] === hash && k === key) break
    }
    this.#size--
    // Backward-shift deletion (see SlotIndex): an entry moves into the hole unless its home lies
    // cyclically in (hole, j].
    let hole = i
    for (let j = (i + 1) & this.#mask; ; j = (j + 1) & this.#mask) {
      const k = this.#keys[j]
      if (k === undefined) break
      const home = this.#hashes[j] & this.#mask
      if (((j - home) & this.#mask) >= ((j - hole) & this.#mask)) {
        this.#keys[hole] = k
        this.#hashes[hole] = this.#hashes[j]
        this.#slots[hole] = this.#slots[j]
        hole = j
      }
    }
    this.#keys[hole] = undefined
    return true
  }

  /** Every slot held, in table order. */
  *slots(): IterableIterator<number> {
    for (let i = 0; i < this.#keys.length; i++) if (this.#keys[i] !== undefined) yield this.#slots[i]
  }
}
