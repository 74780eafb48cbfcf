import { Config, Duration } from "effect"

/** SQLite's `synchronous` on every connection that writes (docs/decisions/0006, 0024). */
export const DbSynchronous = Config.literal("normal", "full")("PARKPLANE_DB_SYNCHRONOUS").pipe(Config.withDefault("normal"))

/** Every setting parkplane reads, each from the environment through Effect `Config`. */
export const AppConfig = Config.all({
  host: Config.string("HOST").pipe(Config.withDefault("127.0.0.1")),
  port: Config.port("PORT").pipe(Config.withDefault(8080)),
  dbFile: Config.string("PARKPLANE_DB").pipe(Config.withDefault("./data/parkplane.db")),
  dbSynchronous: DbSynchronous,
  maxSlots: Config.integer("PARKPLANE_MAX_SLOTS").pipe(
    Config.validate({ message: "must be between 1 and 10000000", validation: (n) => n >= 1 && n <= 10_000_000 }),
    Config.withDefault(100_000)
  ),
  apiKeys: Config.redacted("PARKPLANE_API_KEYS").pipe(Config.option),
  /** Park and leave served by the fast lane (docs/decisions/0013); false sends them the platform's way. */
  fastLane: Config.boolean("PARKPLANE_FAST_LANE").pipe(Config.withDefault(true))
})

/** Settings of the durable runtime; tests and the library can provide their own. */
export const RuntimeConfig = Config.all({
  mailboxSize: Config.integer("PARKPLANE_MAILBOX_SIZE").pipe(
    Config.validate({ message: "must be at least 1", validation: (n) => n >= 1 }),
    Config.withDefault(1024)
  ),
  snapshotEvery: Config.integer("PARKPLANE_SNAPSHOT_EVERY").pipe(
    Config.validate({ message: "must be at least 1", validation: (n) => n >= 1 }),
    Config.withDefault(1000)
  ),
  commitMaxBatch: Config.integer("PARKPLANE_COMMIT_MAX_BATCH").pipe(
    Config.validate({ message: "must be at least 1", validation: (n) => n >= 1 }),
    Config.withDefault(512)
  ),
  /** Commands a lot worker decides together and makes durable in one write. */
  workerMaxRun: Config.integer("PARKPLANE_WORKER_MAX_RUN").pipe(
    Config.validate({ message: "must be at least 1", validation: (n) => n >= 1 }),
    Config.withDefault(256)
  ),
  commitLinger: Config.duration("PARKPLANE_COMMIT_LINGER").pipe(Config.withDefault(Duration.zero)),
  /**
   * Group commits of a database file run on a thread of their own (docs/decisions/0014); false
   * runs them on the event loop's thread. An in-memory database always runs them there.
   */
  commitThread: Config.boolean("PARKPLANE_COMMIT_THREAD").pipe(Config.withDefault(true)),
  /**
   * With the commit thread: a batch of at most this many statements (events go four to a
   * statement), arriving while the thread holds none, is committed at once on the event loop's
   * thread instead (docs/decisions/0015); 0 sends every batch to the thread.
   */
  commitInlineStatements: Config.integer("PARKPLANE_COMMIT_INLINE_STATEMENTS").pipe(
    Config.validate({ message: "must be 0 or more", validation: (n) => n >= 0 }),
    Config.withDefault(8)
  ),
  restartMax: Config.integer("PARKPLANE_RESTART_MAX").pipe(Config.withDefault(10))
})
export type RuntimeConfig = Config.Config.Success<typeof RuntimeConfig>
