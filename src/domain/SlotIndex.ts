/**
 * A map from a positive whole number (a ticket's sequence number) to a slot, for at most `capacity`
 * entries at once: open addressing with linear probing over typed arrays, sized once for the lot.
 *
 * Why not a `Map<number, number>`: at a million entries with a set and a delete per park+leave, the
 * Map's inserts, tombstones and rehashes cost about as much as the rest of the lot together (measured:
 * adding one halved a plain lot's throughput), and each entry costs tens of bytes. Here an entry is
 * 16 bytes (key and slot side by side: one cache line per probe) in a table at most half full, and
 * delete shifts the probe run back so no tombstones pile up.
 */
export class SlotIndex {
  /** Place i's key at 2i (0: empty), its slot at 2i+1. */
  readonly #places: Float64Array
  readonly #mask: number
  readonly #shift: number
  #size = 0

  constructor(readonly capacity: number) {
    let bits = 4
    while (1 << bits < capacity * 2) bits++
    this.#places = new Float64Array(2 << bits)
    this.#mask = (1 << bits) - 1
    this.#shift = 32 - bits
  }

  get size(): number {
    return this.#size
  }

  /** Fibonacci hashing: consecutive keys land far apart. Keys are whole numbers below 2^53. */
  #home(key: number): number {
    return Math.imul(key >>> 0, 0x9e3779b1) >>> this.#shift
  }

  get(key: number): number | undefined {
    if (!(key >= 1)) return undefined // 0 marks an empty place
    for (let i = this.#home(key); ; i = (i + 1) & this.#mask) {
      const k = this.#places[2 * i]
      if (k === key) return this.#places[2 * i + 1]
      if (k === 0) return undefined
    }
  }

  /** Adds or replaces; `key` must be a whole number from 1. */
  set(key: number, slot: number): void {
    let i = this.#home(key)
    for (; ; i = (i + 1) & this.#mask) {
      const k = this.#places[2 * i]
      if (k === key) break
      if (k === 0) {
        if (this.#size >= this.capacity) throw new Error(`SlotIndex: more than ${this.capacity} entries`)
        this.#size++
        this.#places[2 * i] = key
        break
      }
    }
    this.#places[2 * i + 1] = slot
  }

  delete(key: number): boolean {
    let i = this.#home(key)
    for (; ; i = (i + 1) & this.#mask) {
      const k = this.#places[2 * i]
      if (k === key) break
      if (k === 0) return false
    }
    this.#size--
    // Backward-shift deletion: move later members of the probe run into the hole when their home
    // position allows it, so lookups never stop early at a gap.
    let hole = i
    for (let j = (i + 1) & this.#mask; ; j = (j + 1) & this.#mask) {
      const k = this.#places[2 * j]
      if (k === 0) break
      const home = this.#home(k)
      // j's entry may move to the hole iff its home is not cyclically in (hole, j].
      if (((j - home) & this.#mask) >= ((j - hole) & this.#mask)) {
        this.#places[2 * hole] = k
        this.#places[2 * hole + 1] = this.#places[2 * j + 1]
        hole = j
      }
    }
    this.#places[2 * hole] = 0
    this.#places[2 * hole + 1] = 0
    return true
  }

  /** Every entry, in table order. */
  *entries(): IterableIterator<readonly [number, number]> {
    for (let i = 0; i < this.#places.length; i += 2) {
      if (this.#places[i] !== 0) yield [this.#places[i], this.#places[i + 1]]
    }
  }
}
