import { Command, Options } from "@effect/cli"
import { Effect, Option, Redacted } from "effect"

/*
 * `parkplane serve`: the server `npm start` runs. Each flag stands for the environment variable
 * of the same setting (src/config.ts) and wins over it.
 */

const serveOptions = {
  host: Options.text("host").pipe(Options.withDescription("Address to listen on (env HOST, default 127.0.0.1)"), Options.optional),
  port: Options.integer("port").pipe(Options.withDescription("Port to listen on (env PORT, default 8080)"), Options.optional),
  db: Options.file("db").pipe(
    Options.withDescription("SQLite database file, folder created if missing (env PARKPLANE_DB, default ./data/parkplane.db)"),
    Options.optional
  ),
  apiKeys: Options.redacted("api-keys").pipe(
    Options.withDescription("tenantA:keyA,tenantB:keyB turns on authentication (env PARKPLANE_API_KEYS)"),
    Options.optional
  )
} as const

type ServeSettings = Command.Command.ParseConfig<typeof serveOptions>

/**
 * Starts the same program as `npm start` (src/main.ts) with the flags in place of their
 * environment variables. src/main.ts builds and runs its own layers on import, and reads every
 * setting through Effect Config from the environment, so the flags are put there first.
 */
export const launchServer = (settings: ServeSettings) =>
  Effect.promise(() => {
    const set = (name: string, value: Option.Option<string>) =>
      Option.map(value, (v) => {
        process.env[name] = v
      })
    set("HOST", settings.host)
    set("PORT", Option.map(settings.port, String))
    set("PARKPLANE_DB", settings.db)
    set("PARKPLANE_API_KEYS", Option.map(settings.apiKeys, Redacted.value))
    return import("../main.ts")
  })

export const serveCommand = Command.make("serve", serveOptions, launchServer).pipe(
  Command.withDescription(
    "Serve the HTTP API, dashboard and metrics (what `npm start` runs). Flags override the environment; " +
      "other settings (PARKPLANE_MAX_SLOTS, PARKPLANE_MAILBOX_SIZE, OTEL_*, ...) are read from it. Stop with Ctrl-C or SIGTERM."
  )
)
