import { Args, Command, Options } from "@effect/cli"
import { Config } from "effect"
import { slotTypes } from "../../domain/SlotType.ts"

/*
 * The flags and arguments of the remote commands. Kept apart from their handlers so that
 * `parkplane --help` and `parkplane classic` do not load the HTTP client and API definition.
 */

/** Flags every remote command takes; each falls back to an environment variable. */
export const remoteOptions = {
  url: Options.text("url").pipe(
    Options.withDescription("Base URL of the parkplane server (env PARKPLANE_URL)"),
    Options.withFallbackConfig(Config.string("PARKPLANE_URL").pipe(Config.withDefault("http://127.0.0.1:8080")))
  ),
  apiKey: Options.redacted("api-key").pipe(
    Options.withDescription("API key sent as `Authorization: Bearer` when the server has PARKPLANE_API_KEYS (env PARKPLANE_API_KEY)"),
    Options.withFallbackConfig(Config.redacted("PARKPLANE_API_KEY")),
    Options.optional
  ),
  json: Options.boolean("json").pipe(Options.withDescription("Print JSON for scripts instead of a table"))
} as const

export type RemoteSettings = Command.Command.ParseConfig<typeof remoteOptions>

const lot = Args.text({ name: "LOT" }).pipe(Args.withDescription("The lot's id (e.g. L1) or its name"))

export const lotOptions = { ...remoteOptions, lot } as const

export const createLotOptions = {
  ...remoteOptions,
  name: Args.text({ name: "NAME" }).pipe(Args.withDescription("The new lot's name")),
  slots: Options.text("slots").pipe(
    Options.withDescription(
      "A number of standard slots (e.g. 20), or groups TYPE:COUNT in order from the entrance (e.g. accessible:2,standard:18)"
    )
  )
} as const

export const parkOptions = {
  ...remoteOptions,
  lot,
  registration: Args.text({ name: "REGISTRATION" }),
  color: Args.text({ name: "COLOUR" }),
  slotType: Options.choice("type", slotTypes).pipe(Options.withDescription("Only a slot of this type"), Options.optional)
} as const

export const leaveOptions = {
  ...remoteOptions,
  lot,
  slot: Options.integer("slot").pipe(Options.withDescription("The slot the vehicle leaves"), Options.optional),
  ticket: Options.text("ticket").pipe(Options.withDescription("The vehicle's ticket id"), Options.optional),
  registration: Options.text("registration").pipe(Options.withDescription("The vehicle's registration"), Options.optional)
} as const

export const whereOptions = { ...remoteOptions, lot, registration: Args.text({ name: "REGISTRATION" }) } as const

export const ticketOptions = { ...remoteOptions, ticket: Args.text({ name: "TICKET" }) } as const

export const tailOptions = {
  ...remoteOptions,
  lot,
  after: Options.integer("after").pipe(
    Options.withDescription("Start after this sequence number (0: the whole log)"),
    Options.withDefault(0)
  )
} as const

export type Settings<Config extends Command.Command.Config> = Command.Command.ParseConfig<Config>
