import {
  Config,
  ConfigError,
  Context,
  Effect,
  Either,
  FiberRef,
  FiberRefs,
  HashSet,
  Layer,
  Logger,
  LogLevel,
  Option,
  Predicate,
  Redacted,
  Tracer
} from "effect"

/*
 * Structured logs: one JSON object per line with timestamp, level, message, the fiber, the active
 * trace span (so a log line leads to its trace), Effect log spans, and the annotations flattened to
 * top-level keys (correlationId, tenant, lotId, ...). Before anything is written, values under
 * secret-looking keys, every `Redacted`, bearer credentials and the configured API keys are replaced
 * by REDACTED.
 */

export const REDACTED = "<redacted>"

/** Keys whose values are never printed, wherever they appear (annotations, logged objects, causes). */
const secretKey = /api[-_]?key|authorization|cookie|secret|password|passwd|token|credential|private[-_]?key/i
// Only Bearer (the scheme parkplane uses): "basic" is too common a word to blank what follows it.
const bearerCredential = /\b(bearer)\s+[A-Za-z0-9._~+/=-]+/gi

/** Top-level fields of every line; annotations with these names are moved under `annotations`. */
const coreFields = new Set(["timestamp", "level", "message", "fiber", "cause", "traceId", "spanId", "span", "spans"])

/** Redacts secrets in a JSON-ready value: secret keys, `Redacted`, bearer tokens, known secret strings. */
export const redact = (value: unknown, secrets: ReadonlyArray<string> = []): unknown => {
  const seen = new WeakSet<object>()
  const scrub = (text: string): string => {
    let out = text.replace(bearerCredential, (_, scheme: string) => `${scheme} ${REDACTED}`)
    for (const secret of secrets) out = out.split(secret).join(REDACTED)
    return out
  }
  const walk = (u: unknown): unknown => {
    if (typeof u === "string") return scrub(u)
    if (Redacted.isRedacted(u)) return REDACTED
    if (u === null || typeof u !== "object") return u
    if (seen.has(u)) return "[Circular]"
    seen.add(u)
    if (Array.isArray(u)) return u.map(walk)
    if (u instanceof Error && !Predicate.hasProperty(u, "toJSON")) {
      return walk({ ...u, name: u.name, message: u.message })
    }
    const json = Predicate.hasProperty(u, "toJSON") && Predicate.isFunction(u.toJSON) ? u.toJSON() : u
    if (json !== u) return walk(json)
    const out: Record<string, unknown> = {}
    for (const [key, inner] of Object.entries(u)) {
      out[key] = secretKey.test(key) ? REDACTED : walk(inner)
    }
    return out
  }
  return walk(value)
}

export interface JsonLogOptions {
  /** Literal strings (e.g. the configured API keys) to blank wherever they appear. */
  readonly secrets?: ReadonlyArray<string> | undefined
}

/** The JSON line for one log call (not yet written anywhere). */
export const makeJsonLogger = (options: JsonLogOptions = {}): Logger.Logger<unknown, string> => {
  // Substrings shorter than this would blank ordinary words; such keys are not keys anyway.
  const secrets = (options.secrets ?? []).filter((s) => s.length >= 6)
  return Logger.make((log) => {
    const base = Logger.structuredLogger.log(log)
    const line: Record<string, unknown> = {
      timestamp: base.timestamp,
      level: base.logLevel,
      message: base.message,
      fiber: base.fiberId
    }
    const span = Context.getOption(FiberRefs.getOrDefault(log.context, FiberRef.currentContext), Tracer.ParentSpan)
    if (Option.isSome(span)) {
      line.traceId = span.value.traceId
      line.spanId = span.value.spanId
      if (span.value._tag === "Span") line.span = span.value.name
    }
    if (Object.keys(base.spans).length > 0) line.spans = base.spans
    const nested: Record<string, unknown> = {}
    for (const [key, value] of Object.entries(base.annotations)) {
      if (coreFields.has(key) || key === "annotations") nested[key] = value
      else line[key] = value
    }
    if (Object.keys(nested).length > 0) line.annotations = nested
    if (base.cause !== undefined) line.cause = base.cause
    for (const key of Object.keys(line)) {
      if (secretKey.test(key)) line[key] = REDACTED
    }
    return JSON.stringify(redact(line, secrets))
  })
}

/** The configured API keys (`tenant:key,...`), so a key that leaks into a message is still blanked. */
const apiKeySecrets = Config.redacted("PARKPLANE_API_KEYS").pipe(
  Config.option,
  Config.map(
    Option.match({
      onNone: () => [],
      onSome: (keys) =>
        Redacted.value(keys)
          .split(",")
          .map((entry) => entry.slice(entry.indexOf(":") + 1).trim())
          .filter((key) => key !== "")
    })
  )
)

/** LOG_LEVEL as Effect names them (all, fatal, error, warn, info, debug, trace, off), any case, plus "warning". */
const logLevel = Config.string("LOG_LEVEL").pipe(
  Config.mapOrFail((text) => {
    const label = text.trim().toUpperCase()
    const level = LogLevel.allLevels.find((l) => l.label === (label === "WARNING" ? "WARN" : label))
    return level === undefined
      ? Either.left(
          ConfigError.InvalidData([], `LOG_LEVEL must be one of ${LogLevel.allLevels.map((l) => l.label.toLowerCase()).join(", ")}`)
        )
      : Either.right(level)
  }),
  Config.withDefault(LogLevel.Info)
)

export const LoggingConfig = Config.all({
  level: logLevel,
  secrets: apiKeySecrets
})

/**
 * JSON lines on stdout (through the `Console` service, so tests can capture them) in place of the
 * default logger, at the `LOG_LEVEL` minimum (default Info). The server provides it; the CLI's
 * interactive shell leaves it out so its screen stays clean.
 */
export const LoggingLive: Layer.Layer<never, ConfigError.ConfigError> = Layer.unwrapEffect(
  Effect.map(LoggingConfig, ({ level, secrets }) =>
    // provideMerge, not merge: with Layer.merge (effect 3.22.4) the replaced logger outlived
    // `Effect.provide(LoggingLive)` and kept printing after it (seen in test/telemetry/Logging.test.ts).
    // Replaces the default logger and also the pretty one `NodeRuntime.runMain` puts in its place,
    // else every line would print twice, once as JSON and once pretty.
    Layer.scopedDiscard(
      Effect.locallyScopedWith(FiberRef.currentLoggers, (loggers) =>
        loggers.pipe(
          HashSet.remove(Logger.defaultLogger),
          HashSet.remove(Logger.prettyLoggerDefault),
          HashSet.add(Logger.withConsoleLog(makeJsonLogger({ secrets })))
        )
      )
    ).pipe(Layer.provideMerge(Logger.minimumLogLevel(level)))
  )
)
