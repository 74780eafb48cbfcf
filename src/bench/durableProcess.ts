/*
 * The durable benchmark in a process of its own, so that no part measured before it shares its
 * heap. (Not enough alone: while the bench's own process still swept the domain part's 1M-slot
 * lots, group commit here did 49,121 ops/s at 33.7 us of CPU a command, against 96,835 at 17.3
 * with nothing before it; main.ts runs the domain part last.) Argument: JSON
 * `DurableProcessInput`. Prints one line of JSON: the rows.
 */
import { type DurableBenchOptions, runDurableBench } from "./DurableBench.ts"

export interface DurableProcessInput {
  readonly options: DurableBenchOptions
  readonly shorterCommands?: number
}

const input: DurableProcessInput = JSON.parse(process.argv[2] ?? "{}")
const rows = await runDurableBench(input.options, input.shorterCommands)
process.stdout.write(`${JSON.stringify(rows)}\n`)
