/*
 * A temporary runner for `npm run bench` until the CLI's `parkplane bench` calls `runDomainBench`.
 * Run with `--expose-gc` so memory is measured after full collections. `BENCH_JSON=path` also writes
 * the rows as JSON.
 */
import { FileSystem } from "@effect/platform"
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Config, Console, Effect, Option } from "effect"
import { runDomainBench } from "./DomainBench.ts"
import { formatTable } from "./Table.ts"

const program = Effect.gen(function* () {
  const rows = yield* runDomainBench()
  yield* Console.log(formatTable(rows))
  const jsonPath = yield* Config.option(Config.string("BENCH_JSON"))
  if (Option.isSome(jsonPath)) {
    const fs = yield* FileSystem.FileSystem
    const report = { at: new Date().toISOString(), node: process.version, exposeGc: typeof globalThis.gc === "function", rows }
    yield* fs.writeFileString(jsonPath.value, `${JSON.stringify(report, null, 2)}\n`)
    yield* Console.log(`wrote ${jsonPath.value}`)
  }
})

NodeRuntime.runMain(program.pipe(Effect.provide(NodeContext.layer)))
