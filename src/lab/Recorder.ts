import type { Answer } from "./Client.ts"

/** Every request the load made: when it was sent (ms on the lab's clock), what came back. */
export interface Sample {
  readonly sentAt: number
  readonly latencyMs: number
  readonly status: number
  readonly tag: string
  readonly write: boolean
  readonly lotId: string
}

export interface Percentiles {
  readonly count: number
  readonly p50: number
  readonly p99: number
  readonly p999: number
}

/** Nearest-rank percentile of sorted values; NaN when there are none. */
const rank = (sorted: ReadonlyArray<number>, q: number): number =>
  sorted.length === 0 ? Number.NaN : (sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN)

export const percentiles = (latencies: ReadonlyArray<number>): Percentiles => {
  const sorted = [...latencies].sort((a, b) => a - b)
  return { count: sorted.length, p50: rank(sorted, 0.5), p99: rank(sorted, 0.99), p999: rank(sorted, 0.999) }
}

/** "201", "409 LotFull", "0 ECONNREFUSED": the key responses are counted by. */
export const responseKey = (sample: Pick<Sample, "status" | "tag">): string =>
  sample.tag === "" ? String(sample.status) : `${sample.status} ${sample.tag}`

export class Recorder {
  readonly samples: Array<Sample> = []
  private readonly origin = performance.now()

  /** Milliseconds since the lab started. */
  now(): number {
    return performance.now() - this.origin
  }

  record(sentAt: number, answer: Answer, write: boolean, lotId: string) {
    this.samples.push({ sentAt, latencyMs: answer.latencyMs, status: answer.status, tag: answer.tag, write, lotId })
  }

  /** Latencies of requests sent in [from, to) that got an HTTP answer. */
  latencies(from: number, to: number): Percentiles {
    const values: Array<number> = []
    for (const s of this.samples) if (s.sentAt >= from && s.sentAt < to && s.status !== 0) values.push(s.latencyMs)
    return percentiles(values)
  }

  /** Responses of requests sent in [from, to), by status and error tag. */
  responses(from: number, to: number): Map<string, number> {
    const counts = new Map<string, number>()
    for (const s of this.samples) {
      if (s.sentAt < from || s.sentAt >= to) continue
      const key = responseKey(s)
      counts.set(key, (counts.get(key) ?? 0) + 1)
    }
    return new Map([...counts].sort(([a], [b]) => a.localeCompare(b)))
  }

  /** When the first write sent at or after `from` (on `lotId` if given) was acknowledged, if yet. */
  firstAcknowledgedWrite(from: number, lotId?: string): number | undefined {
    let first: number | undefined
    // Samples are kept in order of completion, and one sent at `from` completes after it.
    let start = this.samples.length
    while (start > 0 && (this.samples[start - 1]?.sentAt ?? 0) + (this.samples[start - 1]?.latencyMs ?? 0) >= from) start--
    for (const s of this.samples.slice(start)) {
      if (!s.write || s.sentAt < from || s.status < 200 || s.status >= 300) continue
      if (lotId !== undefined && s.lotId !== lotId) continue
      const at = s.sentAt + s.latencyMs
      if (first === undefined || at < first) first = at
    }
    return first
  }
}
