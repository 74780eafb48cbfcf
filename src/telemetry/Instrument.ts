import { Clock, Context, Effect, Exit, type Fiber, FiberRef, Option, type Tracer } from "effect"
import { type CommandOperation, outcomeOfExit, recordCommandNow } from "./Metrics.ts"

/*
 * One wrapper per unit of work, so that its span, its metrics and its log annotations agree. Span
 * names are fixed per operation and attributes are low-cardinality except the ids a trace is searched
 * by (lot, correlation id), which belong on spans and never on metrics.
 */

export interface CommandContext {
  readonly tenant: string
  readonly lotId: string
  readonly correlationId: string
}

/**
 * A `Parking` command from the caller's offer to its reply: span "Parking.<operation>" with
 * operation, outcome class, lot id, tenant and correlation id; `parkplane_commands_total` and
 * `parkplane_command_duration_seconds`. The ids are not added as log annotations here: that costs
 * about ten times the rest of the wrapper per command (measured), and the worker's own log lines are
 * annotated with lot and tenant for its whole life.
 *
 * The span is started on the fiber's tracer directly and handed to `body`, which passes it on (to
 * the lot worker's job, to the writer's links) instead of making it the fiber's current span:
 * `Effect.withSpan` changes the fiber's context and cost 17-20 us per command on this machine.
 */
export const instrumentCommand =
  (operation: CommandOperation, context: CommandContext) =>
  <A, E, R>(body: (span: Tracer.AnySpan | undefined) => Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.withFiberRuntime<A, E, R>((fiber) => {
      const command = startCommand(fiber, operation, context)
      return Effect.onExit(body(command.span), (exit) => Effect.sync(() => command.end(exit)))
    })

/**
 * A command being measured: its span (to pass on) and `end`, which records its outcome. A class
 * rather than a closure: one is made per command on the hot path.
 */
export class CommandProbe {
  readonly #source: SpanSource
  readonly #operation: CommandOperation
  readonly #start: bigint
  readonly span: Tracer.Span | undefined
  constructor(source: SpanSource, operation: CommandOperation, span: Tracer.Span | undefined) {
    this.#source = source
    this.#operation = operation
    this.#start = source.clock.unsafeCurrentTimeNanos()
    this.span = span
  }
  /** Records the outcome; call once. */
  end(exit: Exit.Exit<unknown, unknown>): void {
    const outcome = outcomeOfExit(exit)
    const end = this.#source.clock.unsafeCurrentTimeNanos()
    recordCommandNow(this.#operation, outcome, Number(end - this.#start) / 1e9)
    if (this.span !== undefined) {
      this.span.attribute("parkplane.outcome", outcome)
      this.span.end(end, exit)
    }
  }
}

/**
 * What `instrumentCommand` does, for a command that answers through a callback rather than as an
 * Effect: the runtime's hot path ends the probe in the callback itself, saving the Effect steps of
 * `onExit` (see ParkingLive's `lotCommand`). Call `end` once.
 */
export const startCommand = (fiber: Fiber.RuntimeFiber<unknown, unknown>, operation: CommandOperation, context: CommandContext): CommandProbe =>
  startCommandWith(spanSourceOf(fiber), fiber.currentSpan, operation, context)

/** `startCommand` for a caller that is not a fiber: its span source captured beforehand. */
export const startCommandWith = (
  source: SpanSource,
  parent: Tracer.AnySpan | undefined,
  operation: CommandOperation,
  context: CommandContext
): CommandProbe =>
  new CommandProbe(
    source,
    operation,
    source.tracer === undefined
      ? undefined
      : startSpanWith(source, `Parking.${operation}`, parent, {
          "parkplane.operation": operation,
          "parkplane.lot_id": context.lotId,
          "parkplane.tenant": context.tenant,
          "parkplane.correlation_id": context.correlationId
        })
  )

/** The clock a fiber runs with (a TestClock under test), read without an Effect step. */
export const clockOf = (fiber: Fiber.RuntimeFiber<unknown, unknown>) => Context.get(fiber.currentDefaultServices, Clock.Clock)

/**
 * Effect's built-in tracer, in place when no exporter is configured (`NodeSdk.layerEmpty`): its spans
 * go nowhere, and those started here never become a fiber's current span, so nothing could see them.
 */
export const builtInTracer = Effect.runSync(Effect.tracer)

/**
 * What starting a span reads from a fiber: its tracer (undefined when tracing is off or only the
 * built-in tracer is there) and its clock. Captured once by code that runs in callbacks, outside
 * any fiber (the lot worker's runs).
 */
export interface SpanSource {
  readonly tracer: Tracer.Tracer | undefined
  readonly clock: Clock.Clock
}

// The last source handed out: fibers nearly always share one tracer and one clock, so a command
// reuses it rather than allocating its own.
let lastSource: SpanSource = { tracer: undefined, clock: Clock.make() }

const spanSourceOf = (fiber: Fiber.RuntimeFiber<unknown, unknown>): SpanSource => {
  const tracer = !fiber.getFiberRef(FiberRef.currentTracerEnabled) || fiber.currentTracer === builtInTracer ? undefined : fiber.currentTracer
  const clock = clockOf(fiber)
  if (lastSource.tracer !== tracer || lastSource.clock !== clock) lastSource = { tracer, clock }
  return lastSource
}

/** The current fiber's span source. */
export const currentSpanSource: Effect.Effect<SpanSource> = Effect.withFiberRuntime((fiber) => Effect.succeed(spanSourceOf(fiber)))

/**
 * A span started on the source's tracer without becoming a fiber's current span (see
 * instrumentCommand); undefined when tracing is off or only the built-in tracer would receive it
 * (Instrument.ts, mostly spans and their attributes, was 4.2% of self time in a profile of the
 * 100-lot durable loop, session 3). End it with `endSpanWith`.
 */
export const startSpanWith = (
  source: SpanSource,
  name: string,
  parent: Tracer.AnySpan | undefined,
  attributes: Readonly<Record<string, unknown>>
): Tracer.Span | undefined => {
  if (source.tracer === undefined) return undefined
  const span = source.tracer.span(name, Option.fromNullable(parent), Context.empty(), [], source.clock.unsafeCurrentTimeNanos(), "internal")
  for (const key in attributes) span.attribute(key, attributes[key])
  return span
}

export const endSpanWith = (source: SpanSource, span: Tracer.Span, exit: Exit.Exit<unknown, unknown>): void =>
  span.end(source.clock.unsafeCurrentTimeNanos(), exit)

/**
 * One group-commit transaction of `batchSize` writes: span "store.commit" with the batch size and,
 * on failure, outcome "unavailable". Only the span: the Writer records the commit metrics itself.
 */
export const withCommitSpan =
  (batchSize: number, callers: ReadonlyArray<Tracer.AnySpan | undefined> = []) =>
  <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    self.pipe(
      Effect.onExit((exit) =>
        Exit.isSuccess(exit) ? Effect.void : Effect.annotateCurrentSpan("parkplane.outcome", "unavailable")
      ),
      Effect.withSpan("store.commit", {
        kind: "internal",
        captureStackTrace: false,
        attributes: { "parkplane.batch_size": batchSize },
        // The transaction is shared by the commands of many traces: it links to each of them.
        links: callers.flatMap((span) => (span === undefined ? [] : [{ _tag: "SpanLink" as const, span, attributes: {} }]))
      })
    )
