import { SqlError } from "@effect/sql/SqlError"
import { Cause, Effect, Exit, Option, Runtime, type Scope } from "effect"
import { Worker } from "node:worker_threads"
import { busyTimeoutMillis, prepareCacheSize, type Synchronous } from "./Database.ts"
import type { Compiled } from "./EventInsert.ts"
import { catchUpAfterPages, errorOf, makeBatchCommitter, openConnection } from "./sqliteCommit.mjs"
import { isTransientCode } from "./Transient.ts"

/**
 * Runs a batch of compiled statements in one transaction on the commit thread: succeeds once the
 * thread has committed, fails with the thread's SQLite error (its code kept, so a lock is still
 * transient) after a rollback.
 */
export interface CommitThread {
  readonly execute: (batch: ReadonlyArray<Compiled>) => Effect.Effect<void, SqlError>
  /** `execute` for a caller that is not a fiber: `done` is called once, with the same exit. */
  readonly send: (batch: ReadonlyArray<Compiled>, done: (exit: Exit.Exit<void, SqlError>) => void) => void
  /** The running thread's id, if one is running (for tests and diagnostics). */
  readonly threadId: () => number | undefined
  /** Makes the running thread crash before it takes its next batch (tests only: the writer never calls it). */
  readonly stopThread: Effect.Effect<void>
}

interface Reply {
  readonly id: number
  readonly error?: { readonly code: string | undefined; readonly message: string }
}

/** How often the checkpoint thread copies the WAL into the database file. */
const checkpointEveryMillis = 100
/** The inline connection checkpoints by itself past this many WAL pages (SQLite's default is 1,000). */
const backstopCheckpointPages = 20_000
/**
 * The commit thread's backstop (100,000 pages), well above the WAL's catch-up length so that the
 * catch-up, not the backstop, starts the WAL again: under steady writes the catch-ups found up to
 * ~56,600 pages (docs/decisions/0025).
 */
const commitThreadBackstopPages = 2.5 * catchUpAfterPages

const isReply = (message: unknown): message is Reply =>
  typeof message === "object" && message !== null && "id" in message && typeof message.id === "number"

/** The thread's error as the SqlError the in-thread executor would have failed with. */
const sqlError = (error: { readonly code: string | undefined; readonly message: string }) =>
  new SqlError({ cause: Object.assign(new Error(error.message), { code: error.code }), message: "Failed to execute statement" })

/**
 * The calling thread's committer: a batch's exit, or undefined when the database was busy (nothing
 * written: the thread, which can wait for the lock without stalling the event loop, takes it).
 */
const openInline = (filename: string, synchronous: Synchronous) =>
  Effect.acquireRelease(
    Effect.sync(() => {
      // No wait for a lock here: better-sqlite3 would wait on the event loop's thread.
      const db = openConnection(filename, { busyTimeoutMillis: 0, synchronous })
      // Checkpoints stay the checkpoint thread's: at SQLite's default of 1,000 pages this connection
      // checkpointed on the event loop, and BEGIN and COMMIT took 36% of its samples (decision 0015).
      // Nor does it take the WAL's catch-up: at 10 HTTP connections that cost ~1.5 us a request
      // (decision 0016); the commit thread takes it.
      db.pragma(`wal_autocheckpoint = ${backstopCheckpointPages}`)
      return { db, commit: makeBatchCommitter(db, prepareCacheSize) }
    }),
    ({ db }) => Effect.sync(() => db.close())
  ).pipe(
    Effect.map(({ commit }) => (batch: ReadonlyArray<Compiled>): Exit.Exit<void, SqlError> | undefined => {
      try {
        commit(batch)
        return Exit.void
      } catch (cause) {
        const error = errorOf(cause)
        return error.code !== undefined && isTransientCode(error.code) ? undefined : Exit.fail(sqlError(error))
      }
    })
  )

/**
 * The thread stopped while it held a batch: the batch may or may not have committed. Not a
 * storage failure to answer and undo (it may be durable), so a defect: a lot worker that meets it
 * restarts from the store, which knows.
 */
export class CommitOutcomeUnknown extends Error {
  constructor(why: string) {
    super(`the commit thread stopped (${why}) while it held a batch: whether it committed is unknown`)
    this.name = "CommitOutcomeUnknown"
  }
}

/** The defect of a write whose commit may or may not have happened; undefined for any other exit. */
export const outcomeUnknownOf = (exit: Exit.Exit<unknown, unknown>): CommitOutcomeUnknown | undefined => {
  if (Exit.isSuccess(exit)) return undefined
  const defect = Option.getOrUndefined(Cause.dieOption(exit.cause))
  return defect instanceof CommitOutcomeUnknown ? defect : undefined
}

export const isOutcomeUnknown = (exit: Exit.Exit<unknown, unknown>): boolean => outcomeUnknownOf(exit) !== undefined

/**
 * A worker thread with its own connection to the database file, running the group commits (see
 * docs/decisions/0014): SQLite's work on a batch then overlaps with the event loop's work on the
 * next one instead of stalling it. The writer answers no caller before the thread's reply. A
 * thread that dies ends its batches as `CommitOutcomeUnknown` and is started afresh for the next;
 * closing the scope closes the thread's connection.
 *
 * A batch of at most `inlineStatements` statements that arrives while the thread holds none is
 * committed at once on the calling thread, through a connection of its own (decision 0015): waking
 * the thread and hearing back cost ~65-70 us of CPU a round trip here, several times SQLite's own
 * work on a small transaction. Busy (the lock held elsewhere), it goes to the thread, which waits
 * for the lock; 0 sends every batch to the thread.
 */
export const makeCommitThread = (
  filename: string,
  options: { readonly inlineStatements: number; readonly synchronous: Synchronous } = { inlineStatements: 0, synchronous: "normal" }
): Effect.Effect<CommitThread, never, Scope.Scope> =>
  Effect.gen(function* () {
    // The WAL's catch-up flag, shared by the checkpoint thread and the commit thread (sqliteCommit.mjs).
    const catchUp = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT)
    const inline = options.inlineStatements > 0 ? yield* openInline(filename, options.synchronous) : undefined
    interface Running {
      readonly worker: Worker
      /**
       * The batches sent and not yet answered, oldest first: the thread answers them in the order it
       * took them. Not a Map: a Map that keeps adding and deleting replaces its table now and then,
       * and a replaced table that had reached the old generation kept its successor and the callers
       * in it alive through every scavenge until a full collection. After one, the durable loop
       * promoted ~1 MB a scavenge instead of ~0.2; three bench processes of nine ran 13-29% below the median (decision 0017).
       */
      readonly waiting: Array<{ readonly id: number; readonly done: (exit: Exit.Exit<void, SqlError>) => void }>
      /** Set on the first of its "error" and "exit" events: a crash emits both. */
      ended: boolean
    }
    let running: Running | undefined
    let nextId = 0
    let closing = false
    const runFork = Runtime.runFork(yield* Effect.runtime<never>())

    const spawn = (role: "commit" | "checkpoint") =>
      new Worker(new URL("./commitThread.mjs", import.meta.url), {
        workerData: { role, filename, synchronous: options.synchronous, busyTimeoutMillis, prepareCacheSize, checkpointEveryMillis, backstopCheckpointPages: commitThreadBackstopPages, catchUp },
        // The thread runs plain JavaScript: the parent's TypeScript loader (--import) is not needed.
        execArgv: []
      })

    // The checkpointer lives as long as the writer; one that dies is started again a second later
    // (not at once: one that cannot open the file would otherwise respawn in a loop), and the
    // committer's backstop checkpoints keep the WAL bounded meanwhile.
    let checkpointer: Worker | undefined
    const startCheckpointer = () => {
      const worker = spawn("checkpoint")
      worker.once("exit", (code) => {
        if (checkpointer !== worker) return
        checkpointer = undefined
        if (closing) return
        runFork(
          Effect.logError("the checkpoint thread stopped; starting a new one", `exit code ${code}`).pipe(
            Effect.zipRight(Effect.sleep("1 second")),
            Effect.zipRight(Effect.sync(() => {
              if (!closing && checkpointer === undefined) startCheckpointer()
            }))
          )
        )
      })
      worker.on("error", () => {})
      checkpointer = worker
    }

    const start = (): Running => {
      if (checkpointer === undefined) startCheckpointer()
      const worker = spawn("commit")
      const thread: Running = { worker, waiting: [], ended: false }
      worker.on("message", (message: unknown) => {
        if (!isReply(message)) return
        const head = thread.waiting[0]
        if (head === undefined || head.id !== message.id) return
        thread.waiting.shift()
        head.done(message.error === undefined ? Exit.void : Exit.fail(sqlError(message.error)))
      })
      const stopped = (why: string) => {
        if (thread.ended) return
        thread.ended = true
        if (running === thread) running = undefined
        if (!closing) runFork(Effect.logError("the commit thread stopped; the next batch starts a new one", why))
        const held = thread.waiting.splice(0)
        for (const { done } of held) done(Exit.die(new CommitOutcomeUnknown(why)))
      }
      worker.on("error", (error) => stopped(error.message))
      worker.on("exit", (code) => stopped(`exit code ${code}`))
      return thread
    }

    const closeThread = (worker: Worker | undefined) =>
      Effect.async<void>((resume) => {
        if (worker === undefined) return resume(Effect.void)
        worker.once("exit", () => resume(Effect.void))
        worker.postMessage({ close: true })
      })

    yield* Effect.addFinalizer(() =>
      Effect.suspend(() => {
        closing = true
        const committer = running?.worker
        const checkpoints = checkpointer
        running = undefined
        checkpointer = undefined
        return Effect.zipRight(closeThread(committer), closeThread(checkpoints))
      })
    )

    const send = (batch: ReadonlyArray<Compiled>, done: (exit: Exit.Exit<void, SqlError>) => void): void => {
      if (inline !== undefined && batch.length <= options.inlineStatements && (running === undefined || running.waiting.length === 0)) {
        // The checkpoints are the checkpoint thread's also when no batch has yet needed the commit
        // thread: without it the WAL grew to the backstop and this thread copied it back itself.
        if (checkpointer === undefined && !closing) startCheckpointer()
        const exit = inline(batch)
        if (exit !== undefined) return done(exit)
      }
      const thread = (running ??= start())
      const id = ++nextId
      try {
        thread.worker.postMessage({ id, batch })
      } catch (cause) {
        // A parameter that cannot be copied to the thread: nothing was sent, nothing written.
        return done(Exit.fail(new SqlError({ cause, message: "Failed to send the batch to the commit thread" })))
      }
      thread.waiting.push({ id, done })
    }

    return {
      execute: (batch) => Effect.async<void, SqlError>((resume) => send(batch, resume)),
      send,
      threadId: () => running?.worker.threadId,
      // Not worker.terminate(): stopping a thread inside a SQLite call aborts the whole process
      // (better-sqlite3 then throws into a terminating isolate).
      stopThread: Effect.sync(() => running?.worker.postMessage({ crash: true }))
    }
  })
