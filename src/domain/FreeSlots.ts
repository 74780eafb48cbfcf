/**
 * The free slots of one type as a hierarchical bitset: level 0 has a bit per slot, each level above a
 * bit per non-empty word of the level below. The lowest free slot is found by one `clz32` per level,
 * so add, remove and lowest cost O(log32 n): four word steps at a million slots.
 */
export class FreeSlots {
  private readonly levels: Array<Uint32Array>
  private count = 0

  constructor(readonly size: number) {
    const levels: Array<Uint32Array> = []
    let bits = size + 1
    do {
      const words = Math.max(1, Math.ceil(bits / 32))
      levels.push(new Uint32Array(words))
      bits = words
    } while (bits > 1)
    this.levels = levels
  }

  get freeCount(): number {
    return this.count
  }

  has(slot: number): boolean {
    return (this.levels[0][slot >>> 5] & (1 << (slot & 31))) !== 0
  }

  add(slot: number): void {
    if (this.has(slot)) return
    this.count++
    let index = slot
    for (const level of this.levels) {
      const word = index >>> 5
      const wasEmpty = level[word] === 0
      level[word] |= 1 << (index & 31)
      if (!wasEmpty) return
      index = word
    }
  }

  delete(slot: number): void {
    if (!this.has(slot)) return
    this.count--
    let index = slot
    for (const level of this.levels) {
      const word = index >>> 5
      level[word] &= ~(1 << (index & 31))
      if (level[word] !== 0) return
      index = word
    }
  }

  /** The lowest slot in the set, or 0 when it is empty. */
  lowest(): number {
    if (this.count === 0) return 0
    let index = 0
    for (let l = this.levels.length - 1; l >= 0; l--) {
      const word = this.levels[l][index]
      index = (index << 5) | (31 - Math.clz32(word & -word))
    }
    return index
  }
}
