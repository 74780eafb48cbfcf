import type { BenchRow } from "./DomainBench.ts"

/** Whole numbers for rates and bytes; small fractional figures (ratios, load) keep one or two decimals. */
const formatFigure = (figure: number): string =>
  // Two decimals below 1, so that a ratio of 0.04 does not print as 0.0.
  Math.abs(figure) < 1 && figure !== 0
    ? figure.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })
    : Math.abs(figure) < 100 && !Number.isInteger(figure)
    ? figure.toLocaleString("en-US", { minimumFractionDigits: 1, maximumFractionDigits: 1 })
    : Math.round(figure).toLocaleString("en-US")

const verdict = (pass: boolean | undefined): string => (pass === undefined ? "" : pass ? "pass" : "FAIL")

/** Benchmark rows as a Markdown table (readable in a terminal, pasteable into an issue). */
export const formatTable = (rows: ReadonlyArray<BenchRow>): string => {
  const header = ["benchmark", "figure", "unit", "target", "result"]
  const cells = rows.map((r) => [r.name, formatFigure(r.figure), r.unit, r.target ?? "", verdict(r.pass)])
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)))
  const rightAligned = new Set([1])
  const line = (cs: ReadonlyArray<string>) =>
    `| ${cs.map((c, i) => (rightAligned.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join(" | ")} |`
  const rule = `|${widths.map((w, i) => (rightAligned.has(i) ? `${"-".repeat(w + 1)}:` : "-".repeat(w + 2))).join("|")}|`
  return [line(header), rule, ...cells.map(line)].join("\n")
}
