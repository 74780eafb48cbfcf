import { Command, Options } from "@effect/cli"
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Cause, Console, Data, Effect, Option } from "effect"
import { mkdirSync, writeFileSync } from "node:fs"
import { dirname, resolve } from "node:path"
import { fullOptions, passed, runLab, shortOptions } from "./Lab.ts"
import { renderReport } from "./Report.ts"

/*
 * npm run lab -- [--seed N] [--duration S] [--report PATH] [--short]
 * Exits 1 when an invariant was violated, an acknowledged write lost or an id reused.
 */

class LabFailed extends Data.TaggedError("LabFailed")<{ readonly message: string }> {}

const seed = Options.integer("seed").pipe(Options.withDefault(42), Options.withDescription("seed of the load's choices"))
const duration = Options.float("duration").pipe(
  Options.optional,
  Options.withDescription("seconds of steady load before and after each fault (default 8, short 1)")
)
const report = Options.text("report").pipe(
  Options.withDefault("docs/lab/latest.md"),
  Options.withDescription("where the Markdown report goes")
)
const short = Options.boolean("short").pipe(Options.withDescription("the CI version: small and about a minute"))

const lab = Command.make("lab", { seed, duration, report, short }, (args) =>
  Effect.gen(function* () {
    const base = args.short ? shortOptions(args.seed) : fullOptions(args.seed)
    const options = Option.match(args.duration, { onNone: () => base, onSome: (s) => ({ ...base, phaseSeconds: s }) })
    yield* Console.error(`parkplane lab: seed ${options.seed}${options.short ? ", short" : ""}; starting the server...`)
    const result = yield* runLab(options)
    const markdown = renderReport(result)
    const path = resolve(args.report)
    mkdirSync(dirname(path), { recursive: true })
    writeFileSync(path, markdown)
    yield* Console.log(markdown)
    yield* Console.error(`report written to ${path}`)
    if (!passed(result)) return yield* new LabFailed({ message: "an invariant was violated, an acknowledged write lost or an id reused" })
  })
)

const cli = Command.run(lab, { name: "parkplane lab", version: "0.1.0" })

cli(process.argv).pipe(
  Effect.tapErrorCause((cause) => {
    const failure = Cause.failureOption(cause)
    if (Option.isSome(failure)) {
      const e = failure.value
      return Console.error(`parkplane lab: ${e._tag === "LabFailed" || e._tag === "ServerFailed" ? e.message : String(e)}`)
    }
    return Console.error(`parkplane lab: stopped\n${Cause.pretty(cause)}`)
  }),
  Effect.provide(NodeContext.layer),
  NodeRuntime.runMain({ disableErrorReporting: true })
)
