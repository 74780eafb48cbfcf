import type { LabResult, ScenarioResult } from "./Lab.ts"
import { passed } from "./Lab.ts"
import type { Percentiles } from "./Recorder.ts"

const ms = (n: number) => (Number.isNaN(n) ? "-" : n < 10 ? n.toFixed(1) : String(Math.round(n)))
const triple = (p: Percentiles) => (p.count === 0 ? "-" : `${ms(p.p50)} / ${ms(p.p99)} / ${ms(p.p999)}`)
const recovery = (s: ScenarioResult) => (s.recoveryMs === undefined ? "not recovered" : `${ms(s.recoveryMs)} ms`)

export const verdict = (s: ScenarioResult): string => {
  const { violations, lost, reused } = s.findings
  const broken = violations.length + lost.length + reused.length > 0
  const counts = `${violations.length} invariant violations, ${lost.length} acknowledged writes lost, ${reused.length} ids reused`
  if (broken) return `FAIL: ${counts}`
  if (s.recoveryMs === undefined) return `DEGRADED: no acknowledged write within the recovery timeout; ${counts}`
  return `PASS: recovered in ${recovery(s)}; ${counts}`
}

const findingLines = (s: ScenarioResult): Array<string> => {
  const all = [
    ...s.findings.lost.map((l) => `lost: ${l}`),
    ...s.findings.reused.map((r) => `reused: ${r}`),
    ...s.findings.violations.map((v) => `violation: ${v}`)
  ]
  const shown = all.slice(0, 30).map((line) => `- ${line}`)
  if (all.length > shown.length) shown.push(`- ... and ${all.length - shown.length} more`)
  return shown
}

/** The lab's findings as Markdown: a summary table, then each scenario's responses and notes. */
export const renderReport = (result: LabResult): string => {
  const o = result.options
  const lines: Array<string> = []
  lines.push(`# parkplane fault lab${o.short ? " (short)" : ""}`)
  lines.push("")
  lines.push(
    `Run ${result.startedAt}, seed ${o.seed}: ${o.lots} lots of ${o.slotsPerLot} slots, ${o.rate} requests/s steady ` +
      `(open loop: parks, leaves, reservations, cancels, queries), ${o.phaseSeconds} s before and after each fault. ` +
      `${result.requests} requests after ${result.warmUpRequests} of warm-up, ${(result.totalMs / 1000).toFixed(1)} s in all` +
      (result.skipped > 0 ? `, ${result.skipped} not sent (over 2000 in flight)` : "") +
      `. Server start to ready: ${result.startupMs.map((m) => `${(m / 1000).toFixed(1)} s`).join(", ")}. ` +
      `Node ${process.version} on ${process.platform}/${process.arch}.`
  )
  lines.push("")
  lines.push(`**Overall: ${passed(result) ? "PASS" : "FAIL"}** (invariant violations, acknowledged writes lost and ids reused must all be 0).`)
  lines.push("")
  lines.push("| scenario | recovery | p50 / p99 / p999 ms before | during | after | violations | lost | reused |")
  lines.push("|---|---:|---:|---:|---:|---:|---:|---:|")
  for (const s of result.scenarios) {
    lines.push(
      `| ${s.name} | ${recovery(s)} | ${triple(s.before)} | ${triple(s.during)} | ${triple(s.after)} | ` +
        `${s.findings.violations.length} | ${s.findings.lost.length} | ${s.findings.reused.length} |`
    )
  }
  lines.push("")
  lines.push("Verdicts:")
  lines.push("")
  for (const s of result.scenarios) lines.push(`- **${s.name}**: ${verdict(s)}`)
  lines.push("")
  lines.push(
    "Recovery is measured from the end of the fault (for the defect and the kills, from the injection) to the first " +
      "acknowledged write sent after it; for the defect, a write on the faulted lot. Latencies are of requests that got an " +
      "HTTP answer, by the time they were sent; status 0 counts requests that got none (refused, reset)."
  )
  for (const s of result.scenarios) {
    lines.push("")
    lines.push(`## ${s.name}`)
    lines.push("")
    lines.push(`Fault: ${s.fault}.`)
    for (const note of s.notes) lines.push(`Note: ${note}.`)
    lines.push("")
    lines.push("| status | tag | responses |")
    lines.push("|---:|---|---:|")
    for (const [key, count] of s.responses) {
      const [status, ...tag] = key.split(" ")
      lines.push(`| ${status ?? ""} | ${tag.join(" ")} | ${count} |`)
    }
    const findings = findingLines(s)
    if (findings.length > 0) {
      lines.push("")
      lines.push(...findings)
    }
  }
  lines.push("")
  return lines.join("\n")
}
