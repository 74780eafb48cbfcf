/**
 * mulberry32: a tiny seeded generator, so a lab run's choices (lots, operations, registrations)
 * are the same for the same seed. Not for anything secret.
 */
export interface Prng {
  /** A float in [0, 1). */
  readonly next: () => number
  /** A whole number in [0, n). */
  readonly int: (n: number) => number
  /** One element of a non-empty array. */
  readonly pick: <A>(items: ReadonlyArray<A>) => A
}

export const mulberry32 = (seed: number): Prng => {
  let state = seed >>> 0
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (n: number) => Math.floor(next() * n)
  return {
    next,
    int,
    pick: <A>(items: ReadonlyArray<A>): A => {
      const item = items[int(items.length)]
      if (item === undefined) throw new Error("pick from an empty array")
      return item
    }
  }
}
