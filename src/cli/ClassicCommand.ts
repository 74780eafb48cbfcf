import { Args, Command, Options } from "@effect/cli"
import { FileSystem } from "@effect/platform"
import { NodeStream } from "@effect/platform-node"
import { Console, Effect, Layer, Logger, LogLevel, Option, Stream } from "effect"

/*
 * `parkplane classic [FILE] [--db FILE]`. Standard output carries the replies and nothing else, so
 * logs go to standard error and only from Warning up.
 */

const file = Args.file({ name: "FILE", exists: "yes" }).pipe(
  Args.withDescription("A file of classic commands, one a line; without it, standard input is read"),
  Args.optional
)

const db = Options.file("db").pipe(
  Options.withDescription(
    "Keep the lot in this SQLite file (created if missing; the lot is found again on the next run). Default: in memory"
  ),
  Options.optional
)

/** A reader that stops early (`| head`) closes the pipe: that ends the shell quietly, not with a trace. */
const endQuietlyOnClosedPipe = Effect.sync(() => {
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? 0)
    throw error
  })
})

const writeStdout = (text: string) =>
  Effect.sync(() => {
    process.stdout.write(text)
  })

const stdinLines = NodeStream.fromReadable<Error>(
  () => process.stdin,
  (cause) => (cause instanceof Error ? cause : new Error(String(cause)))
).pipe(Stream.decodeText(), Stream.splitLines)

const quietLogs = Layer.mergeAll(
  Logger.replace(Logger.defaultLogger, Logger.withConsoleError(Logger.logfmtLogger)),
  Logger.minimumLogLevel(LogLevel.Warning)
)

export const classicCommand = Command.make("classic", { file, db }, ({ db, file }) =>
  Effect.gen(function* () {
    yield* endQuietlyOnClosedPipe
    const fs = yield* FileSystem.FileSystem
    const lines = Option.match(file, {
      onNone: () => stdinLines,
      onSome: (path) =>
        fs.stream(path).pipe(
          Stream.mapError((error) => new Error(`cannot read ${path}: ${error.message}`)),
          Stream.decodeText(),
          Stream.splitLines
        )
    })
    const interactive = Option.isNone(file) && process.stdin.isTTY === true
    // The runtime loads only when the shell runs, not for `--help` or the remote commands.
    const [{ runClassicShell }, { localParking }] = yield* Effect.promise(() =>
      Promise.all([import("./classic/Shell.ts"), import("./LocalParking.ts")])
    )
    const outcome = yield* runClassicShell(lines, {
      write: writeStdout,
      prompt: interactive ? "parkplane> " : undefined
    }).pipe(Effect.provide(localParking(Option.getOrElse(db, () => ":memory:"))))
    // 0 when every line was carried out (a full lot and "Not found" are answers), 1 otherwise.
    if (outcome.failures > 0) {
      process.exitCode = 1
      if (interactive) yield* Console.error(`${outcome.failures} of ${outcome.commands} command(s) failed`)
    }
  }).pipe(
    // The database cannot be opened, the configuration is invalid, the input cannot be read: one line, no trace.
    Effect.catchAll((error) =>
      Effect.zipRight(
        Console.error(`parkplane classic: ${error instanceof Error || "message" in error ? error.message : String(error)}`),
        Effect.sync(() => {
          process.exitCode = 1
        })
      )
    ),
    Effect.provide(quietLogs)
  )
).pipe(
  Command.withDescription(
    "The classic parking-lot shell (create_parking_lot, park, leave, status, ...) on parkplane's runtime. " +
      "Prints one result per command. Exit status: 0 when every command was carried out, 1 when any printed an Error line."
  )
)
