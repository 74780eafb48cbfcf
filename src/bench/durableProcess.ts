/*
 * The durable benchmark in a process of its own (docs/performance.md, session 7): run after the
 * domain benchmark in the same process, whose 1M-slot lots and forced collections had just been
 * through the heap, group commit cost 32.9 us of CPU a command against 17-18 us alone. Argument:
 * JSON `DurableProcessInput`. Prints one line of JSON: the rows.
 */
import { type DurableBenchOptions, runDurableBench } from "./DurableBench.ts"

export interface DurableProcessInput {
  readonly options: DurableBenchOptions
  readonly largerCommands?: number
}

const input: DurableProcessInput = JSON.parse(process.argv[2] ?? "{}")
const rows = await runDurableBench(input.options, input.largerCommands)
process.stdout.write(`${JSON.stringify(rows)}\n`)
