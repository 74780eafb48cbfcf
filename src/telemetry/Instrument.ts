import { Effect, Exit, type Tracer } from "effect"
import { type CommandOperation, measureCommand, outcomeOfExit } from "./Metrics.ts"

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
 */
export const instrumentCommand =
  (operation: CommandOperation, context: CommandContext) =>
  <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    self.pipe(
      Effect.onExit((exit) => Effect.annotateCurrentSpan("parkplane.outcome", outcomeOfExit(exit))),
      Effect.withSpan(`Parking.${operation}`, {
        kind: "internal",
        // A stack trace per span costs more than the rest of the command's bookkeeping (profiled).
        captureStackTrace: false,
        attributes: {
          "parkplane.operation": operation,
          "parkplane.lot_id": context.lotId,
          "parkplane.tenant": context.tenant,
          "parkplane.correlation_id": context.correlationId
        }
      }),
      measureCommand(operation)
    )

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
