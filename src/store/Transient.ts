import type { SqlError } from "@effect/sql/SqlError"
import { Effect, Schedule } from "effect"
import { StorageUnavailable } from "../domain/Errors.ts"

const transientCodes = ["SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_PROTOCOL"]

const codeOf = (cause: unknown): string | undefined =>
  typeof cause === "object" && cause !== null && "code" in cause && typeof cause.code === "string"
    ? cause.code
    : undefined

/** SQLite's code for a lock held by another connection (or process), extended codes included. */
export const isTransientCode = (code: string): boolean => transientCodes.some((prefix) => code === prefix || code.startsWith(`${prefix}_`))

/** A lock held by another connection (or process): worth retrying shortly. */
export const isTransient = (error: SqlError): boolean => {
  const code = codeOf(error.cause)
  return code !== undefined && isTransientCode(code)
}

/** Why a statement failed, for a StorageUnavailable message and the logs. */
export const describe = (error: SqlError): string => {
  const code = codeOf(error.cause)
  const detail = error.cause instanceof Error ? error.cause.message : error.message
  return code === undefined ? detail : `${code}: ${detail}`
}

/** Bounded backoff for transient failures: about 5 retries within about a second. */
export const transientSchedule = Schedule.exponential("5 millis").pipe(
  Schedule.jittered,
  Schedule.intersect(Schedule.recurs(5)),
  Schedule.upTo("1 second")
)

/**
 * `Effect.retry` on `transientSchedule` while the failure is transient, with the schedule set up only
 * once a first attempt has failed: the writer runs this per transaction, and building the retry for
 * every one was part of the per-transaction cost it shed (decision 0012). The first failure is handed
 * to the retry as its first attempt, so the schedule sees what it would have seen.
 */
export const retryTransient = <A, R>(effect: Effect.Effect<A, SqlError, R>): Effect.Effect<A, SqlError, R> =>
  Effect.catchIf(effect, isTransient, (first) => {
    let replayed = false
    const attempt = Effect.suspend(() => (replayed ? effect : ((replayed = true), Effect.fail(first))))
    return Effect.retry(attempt, { schedule: transientSchedule, while: isTransient })
  })

/** Retries transient failures, then turns any SqlError into StorageUnavailable. */
export const storageCall = <A, R>(effect: Effect.Effect<A, SqlError, R>): Effect.Effect<A, StorageUnavailable, R> =>
  retryTransient(effect).pipe(Effect.mapError((error) => StorageUnavailable.of(describe(error))))
