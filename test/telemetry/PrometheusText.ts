/*
 * A strict reader of the Prometheus text exposition format (version 0.0.4), enough to reject what a
 * scraper would: bad names, bad label syntax, bad values, samples without a TYPE, a TYPE after its
 * samples, duplicate series, histograms whose buckets are not cumulative or disagree with _count.
 */

export interface Sample {
  readonly name: string
  readonly labels: Readonly<Record<string, string>>
  readonly value: number
}

export interface Family {
  readonly name: string
  readonly type: string
  readonly help: string | undefined
  readonly samples: Array<Sample>
}

const metricName = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/
const labelName = /^[a-zA-Z_][a-zA-Z0-9_]*$/
const types = new Set(["counter", "gauge", "histogram", "summary", "untyped"])

const parseValue = (text: string, line: number): number => {
  if (text === "+Inf") return Infinity
  if (text === "-Inf") return -Infinity
  if (text === "NaN") return NaN
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) throw new Error(`line ${line}: bad value ${text}`)
  return Number(text)
}

const parseLabels = (text: string, line: number): Record<string, string> => {
  const labels: Record<string, string> = {}
  let i = 0
  while (i < text.length) {
    const eq = text.indexOf("=", i)
    if (eq < 0) throw new Error(`line ${line}: label without '='`)
    const name = text.slice(i, eq)
    if (!labelName.test(name)) throw new Error(`line ${line}: bad label name ${name}`)
    if (name in labels) throw new Error(`line ${line}: label ${name} twice`)
    if (text[eq + 1] !== '"') throw new Error(`line ${line}: label value not quoted`)
    let j = eq + 2
    let value = ""
    for (;;) {
      const c = text[j]
      if (c === undefined) throw new Error(`line ${line}: unterminated label value`)
      if (c === '"') break
      if (c === "\\") {
        const next = text[j + 1]
        if (next === "\\") value += "\\"
        else if (next === '"') value += '"'
        else if (next === "n") value += "\n"
        else throw new Error(`line ${line}: bad escape \\${next}`)
        j += 2
      } else {
        value += c
        j += 1
      }
    }
    labels[name] = value
    i = j + 1
    if (i < text.length) {
      if (text[i] !== ",") throw new Error(`line ${line}: expected ',' between labels`)
      i += 1
    }
  }
  return labels
}

/** The family a sample belongs to: histogram samples carry _bucket/_sum/_count suffixes. */
const familyOf = (name: string, families: Map<string, Family>): Family | undefined => {
  const direct = families.get(name)
  if (direct !== undefined) return direct
  for (const suffix of ["_bucket", "_sum", "_count"]) {
    if (name.endsWith(suffix)) {
      const family = families.get(name.slice(0, -suffix.length))
      if (family !== undefined && (family.type === "histogram" || family.type === "summary")) return family
    }
  }
  return undefined
}

export const parsePrometheusText = (text: string): Map<string, Family> => {
  const families = new Map<string, Family>()
  const helps = new Map<string, string>()
  const seriesSeen = new Set<string>()
  const lines = text.split("\n")
  if (lines[lines.length - 1] === "") lines.pop()
  lines.forEach((raw, index) => {
    const line = index + 1
    if (raw.trim() === "") return
    if (raw.startsWith("#")) {
      const m = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(raw)
      if (m === null) return // any other comment (e.g. # UNIT) is allowed
      const [, kind, name, rest] = m
      if (!metricName.test(name)) throw new Error(`line ${line}: bad metric name ${name}`)
      if (kind === "HELP") {
        if (helps.has(name)) throw new Error(`line ${line}: HELP for ${name} twice`)
        helps.set(name, rest)
      } else {
        if (!types.has(rest)) throw new Error(`line ${line}: bad type ${rest}`)
        if (families.has(name)) throw new Error(`line ${line}: TYPE for ${name} twice`)
        families.set(name, { name, type: rest, help: helps.get(name), samples: [] })
      }
      return
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: (-?\d+))?$/.exec(raw)
    if (m === null) throw new Error(`line ${line}: not a sample: ${raw}`)
    const [, name, labelText, valueText] = m
    const labels = parseLabels(labelText ?? "", line)
    const value = parseValue(valueText, line)
    const family = familyOf(name, families)
    if (family === undefined) throw new Error(`line ${line}: sample ${name} before or without its TYPE`)
    const key = `${name}${JSON.stringify(Object.entries(labels).sort())}`
    if (seriesSeen.has(key)) throw new Error(`line ${line}: duplicate series ${key}`)
    seriesSeen.add(key)
    family.samples.push({ name, labels, value })
  })
  for (const family of families.values()) {
    if (family.type === "histogram") checkHistogram(family)
    if (family.type === "counter" && !family.name.endsWith("_total")) {
      throw new Error(`counter ${family.name} does not end in _total`)
    }
  }
  return families
}

const checkHistogram = (family: Family) => {
  const bySeries = new Map<string, { buckets: Array<[number, number]>; count?: number }>()
  for (const s of family.samples) {
    const { le, ...rest } = s.labels
    const key = JSON.stringify(Object.entries(rest).sort())
    const series = bySeries.get(key) ?? { buckets: [] }
    bySeries.set(key, series)
    if (s.name === `${family.name}_bucket`) {
      if (le === undefined) throw new Error(`${family.name}: bucket without le`)
      series.buckets.push([parseValue(le, 0), s.value])
    } else if (s.name === `${family.name}_count`) series.count = s.value
  }
  for (const [key, series] of bySeries) {
    const sorted = [...series.buckets].sort((a, b) => a[0] - b[0])
    if (sorted.length === 0 || sorted[sorted.length - 1][0] !== Infinity) {
      throw new Error(`${family.name}${key}: no +Inf bucket`)
    }
    for (let i = 1; i < sorted.length; i++) {
      if (sorted[i][1] < sorted[i - 1][1]) throw new Error(`${family.name}${key}: buckets not cumulative`)
    }
    if (series.count !== sorted[sorted.length - 1][1]) throw new Error(`${family.name}${key}: +Inf bucket != _count`)
  }
}
