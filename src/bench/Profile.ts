import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"

/*
 * A V8 CPU profile (`node --cpu-prof`) summed up by self time: the top frames, and the share of each
 * package (or node's internals, or our own src/), so a "why" line can say where the time goes.
 */

interface ProfileNode {
  readonly id: number
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number }
  readonly hitCount?: number
}

interface CpuProfile {
  readonly nodes: ReadonlyArray<ProfileNode>
  readonly samples?: ReadonlyArray<number>
  readonly timeDeltas?: ReadonlyArray<number>
  readonly startTime: number
  readonly endTime: number
}

export interface Share {
  readonly name: string
  readonly percent: number
}

export interface ProfileSummary {
  readonly frames: ReadonlyArray<Share>
  readonly packages: ReadonlyArray<Share>
  /** Percent of the window's samples that were not idle: near 100 is CPU-bound, low is waiting. */
  readonly busyPercent: number
}

const packageOf = (url: string, functionName: string): string => {
  const modules = url.lastIndexOf("node_modules/")
  if (modules >= 0) {
    const rest = url.slice(modules + "node_modules/".length).split("/")
    return rest[0].startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0]
  }
  if (url.includes("/src/")) return `parkplane ${url.slice(url.indexOf("/src/") + 1).split("/").slice(0, 2).join("/")}`
  if (url.startsWith("node:")) return "node internals"
  if (url === "") return functionName === "(garbage collector)" ? "garbage collector" : functionName === "(idle)" || functionName === "(program)" ? functionName : "native / V8"
  return "other"
}

const frameName = (node: ProfileNode) => {
  const file = node.callFrame.url.split("/").slice(-2).join("/")
  return `${node.callFrame.functionName || "(anonymous)"} ${file}:${node.callFrame.lineNumber + 1}`
}

const top = (counts: Map<string, number>, total: number, n: number): ReadonlyArray<Share> =>
  [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([name, hits]) => ({ name, percent: (100 * hits) / total }))

/**
 * Self-time shares, leaving out idle time so the shares are of the CPU the process actually used.
 * `lastMicros` keeps only the samples of the profile's last stretch (the load, not the start-up).
 */
export const summariseProfile = (profile: CpuProfile, n = 8, lastMicros = Infinity): ProfileSummary => {
  const hits = new Map<number, number>()
  const from = profile.endTime - lastMicros
  let at = profile.startTime
  const samples = profile.samples ?? []
  for (let i = 0; i < samples.length; i++) {
    at += profile.timeDeltas?.[i] ?? 0
    if (at >= from) hits.set(samples[i], (hits.get(samples[i]) ?? 0) + 1)
  }
  const frames = new Map<string, number>()
  const packages = new Map<string, number>()
  let total = 0
  let idle = 0
  for (const node of profile.nodes) {
    const count = samples.length > 0 ? (hits.get(node.id) ?? 0) : (node.hitCount ?? 0)
    if (node.callFrame.functionName === "(idle)") idle += count
    if (count === 0 || node.callFrame.functionName === "(idle)") continue
    total += count
    const frame = frameName(node)
    frames.set(frame, (frames.get(frame) ?? 0) + count)
    const pkg = packageOf(node.callFrame.url, node.callFrame.functionName)
    packages.set(pkg, (packages.get(pkg) ?? 0) + count)
  }
  return {
    frames: top(frames, Math.max(total, 1), n),
    packages: top(packages, Math.max(total, 1), n),
    busyPercent: (100 * total) / Math.max(total + idle, 1)
  }
}

/** The summary of the one `.cpuprofile` written into `dir`, if there is one. */
export const summariseProfileDir = (dir: string, n = 8, lastMicros = Infinity): ProfileSummary | undefined => {
  const file = readdirSync(dir).find((f) => f.endsWith(".cpuprofile"))
  return file === undefined ? undefined : summariseProfile(JSON.parse(readFileSync(join(dir, file), "utf8")), n, lastMicros)
}

export const formatShares = (shares: ReadonlyArray<Share>): string =>
  shares.map((s) => `${s.name} ${s.percent.toFixed(1)}%`).join(", ")
