/*
 * Plain-text layouts for people reading the remote commands' answers; `--json` is for programs.
 * Pure, so the exact text is unit-testable.
 */

export type Cell = string | number | undefined

const text = (cell: Cell): string => (cell === undefined ? "-" : String(cell))

/** Columns padded to their widest cell, two spaces apart, no trailing spaces. */
export const table = (headers: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<Cell>>): string => {
  const cells = [headers, ...rows.map((row) => row.map(text))]
  const widths = headers.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? "").length)))
  return cells
    .map((row) =>
      row
        .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
        .join("  ")
        .trimEnd()
    )
    .join("\n")
}

/** One `field  value` line per entry, fields aligned. */
export const fields = (entries: ReadonlyArray<readonly [string, Cell]>): string => {
  const width = Math.max(0, ...entries.map(([name]) => name.length))
  return entries.map(([name, value]) => `${name.padEnd(width)}  ${text(value)}`).join("\n")
}
