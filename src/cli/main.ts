import { Command, ValidationError } from "@effect/cli"
import { NodeContext, NodeHttpClient, NodeRuntime } from "@effect/platform-node"
import { Effect, Layer } from "effect"
import path from "node:path"
import { fileURLToPath } from "node:url"
import { classicCommand } from "./ClassicCommand.ts"
import { serveCommand } from "./ServeCommand.ts"
import { eventsCommand, leaveCommand, lotsCommand, parkCommand, ticketsCommand, whereCommand } from "./remote/RemoteCommands.ts"

/*
 * `parkplane`: the command line. The one entry point of the CLI face; `src/bin/parkplane.mjs`
 * (what `npx parkplane` runs), `npm run bench` and `npm run lab` all land here.
 */

/**
 * `bench` and `lab` are programs of their own (src/bench/main.ts, src/lab/main.ts) with their own
 * flags, so their arguments are handed over untouched rather than parsed here.
 */
const delegated: Record<string, string> = {
  bench: "../bench/main.ts",
  lab: "../lab/main.ts"
}

const listedOnly = (name: string, description: string) =>
  Command.make(name).pipe(Command.withDescription(`${description} (see \`parkplane ${name} --help\`)`))

const parkplane = Command.make("parkplane").pipe(
  Command.withDescription("parkplane, a parking-lot control plane: the classic shell, the server, and remote admin"),
  Command.withSubcommands([
    classicCommand,
    serveCommand,
    lotsCommand,
    parkCommand,
    leaveCommand,
    whereCommand,
    ticketsCommand,
    eventsCommand,
    listedOnly("bench", "Benchmarks of the domain and the runtime, as a table"),
    listedOnly("lab", "The fault lab: load, faults and invariant checks against a real server")
  ])
)

const cli = Command.run(parkplane, { name: "parkplane", version: "0.1.0" })

const [node = process.execPath, , subcommand = "", ...rest] = process.argv
const target = delegated[subcommand]

if (target !== undefined) {
  const program = fileURLToPath(new URL(target, import.meta.url))
  // The delegated program reads process.argv as if it had been started directly.
  process.argv = [node, path.resolve(program), ...rest]
  await import(target)
} else {
  cli(process.argv).pipe(
    // @effect/cli has already printed what is wrong with the flags (and the help to fix it).
    Effect.catchIf(ValidationError.isValidationError, () =>
      Effect.sync(() => {
        process.exitCode = 1
      })
    ),
    Effect.provide(Layer.mergeAll(NodeContext.layer, NodeHttpClient.layer)),
    NodeRuntime.runMain
  )
}
