import { Command, ValidationError } from "@effect/cli"
import { NodeContext, NodeHttpClient, NodeRuntime } from "@effect/platform-node"
import { Effect, Layer } from "effect"
import { classicCommand } from "./ClassicCommand.ts"
import { serveCommand } from "./ServeCommand.ts"
import { eventsCommand, leaveCommand, lotsCommand, parkCommand, ticketsCommand, whereCommand } from "./remote/RemoteCommands.ts"

/*
 * `parkplane`: the command line. The one entry point of the CLI face; `src/bin/parkplane.mjs`
 * (what `npx parkplane` runs) and `npm run bench` both land here.
 */

const parkplane = Command.make("parkplane").pipe(
  Command.withDescription("parkplane, a parking-lot control plane: the classic shell, the server, and remote admin"),
  Command.withSubcommands([classicCommand, serveCommand, lotsCommand, parkCommand, leaveCommand, whereCommand, ticketsCommand, eventsCommand])
)

const cli = Command.run(parkplane, { name: "parkplane", version: "0.1.0" })

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
